import fs from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** A synthetic signing secret (Standard Webhooks form): 32 bytes, base64. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('synthetic-webhook-secret-32bytes').toString('base64')}`;
export const TEST_WEBHOOK_KEY = Buffer.from('synthetic-webhook-secret-32bytes');

/**
 * A copy of the demo config directory whose agencies.yaml gives la:383 a webhook at `url`
 * (signing secret in webhook-la-383.secret). Remove it with fs.rmSync when done.
 */
export function configWithWebhook(url: string, secret = TEST_WEBHOOK_SECRET): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-webhook-config-'));
  fs.cpSync(path.join(PACKAGE_ROOT, 'config'), dir, { recursive: true });
  const file = path.join(dir, 'agencies.yaml');
  const yaml = fs.readFileSync(file, 'utf8');
  const anchor = '  - id: la:383\n    name: Leeds City Council\n';
  if (!yaml.includes(anchor)) throw new Error('config/agencies.yaml no longer lists la:383 as expected');
  fs.writeFileSync(file, yaml.replace(anchor, `${anchor}    webhook:\n      url: ${url}\n      secretFile: webhook-la-383.secret\n`));
  fs.writeFileSync(path.join(dir, 'webhook-la-383.secret'), `${secret}\n`);
  return dir;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A free local port, found by binding to port 0 and letting go. */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers with the next of
 * `statuses` (the last one repeats); 'hang' holds the request open without answering.
 */
export async function startReceiver(port = 0, statuses: (number | 'hang')[] = [204]): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 204;
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hooks/sgw`,
    port: actual,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

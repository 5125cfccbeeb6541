import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A deliberately non-conforming gateway for the runner's self-test: it answers every
 * request by asking a real gateway, then plants faults in what it sends back, the kinds a
 * careless implementation makes:
 *
 * - wrong status codes: a refused police notification (422) and a request without a token
 *   (401) are answered 200, as if accepted;
 * - a wrong Bundle type: every FHIR searchset is sent as a `collection`;
 * - no audit: the audit trail (GET /fhir/AuditEvent) is always empty, as if nothing had
 *   been written.
 *
 * Everything else passes through unchanged, so each fault shows up on its own.
 */
export const PLANTED_FAULTS = ['notification 422 answered 200', 'no token 401 answered 200', 'searchset sent as collection', 'audit trail empty'] as const;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function answer(upstream: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
  const up = await fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
  let status = up.status;
  let text = await up.text();
  const path = (req.url ?? '').split('?')[0]!;
  if (status === 422 && req.method === 'POST' && path === '/notifications') status = 200;
  if (status === 401 && req.headers.authorization === undefined) status = 200;
  if (req.method === 'GET' && path === '/fhir/AuditEvent' && status === 200) {
    const bundle = JSON.parse(text) as fhir4.Bundle;
    text = JSON.stringify({ ...bundle, total: 0, entry: [] });
  } else if (status === 200 && (up.headers.get('content-type') ?? '').includes('json') && text.includes('"searchset"')) {
    const json = JSON.parse(text) as { resourceType?: string; type?: string };
    if (json.resourceType === 'Bundle' && json.type === 'searchset') text = JSON.stringify({ ...json, type: 'collection' });
  }
  res.writeHead(status, { 'Content-Type': up.headers.get('content-type') ?? 'application/json' });
  res.end(text);
}

/** Starts the non-conforming server in front of a real gateway; resolves with its base URL and a close function. */
export async function startNonConformingServer(upstream: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    answer(upstream, req, res).catch((err: unknown) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(err instanceof Error ? err.message : String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The outbox's promise (issue 6): killing the gateway between the commit of a Communication
 * and the delivery of its webhook loses nothing, and after a restart the receiver gets the
 * notice — exactly once when the gateway died before sending it, and with the same
 * webhook-id when it died mid-request (at-least-once; the receiver drops the repeat).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadAgencies } from '../../src/config/agencies.js';
import { verifyWebhookSignature } from '../../src/crypto/webhook-signature.js';
import { NHS_SYSTEM, planBundle, testNhsNumber } from '../helpers/fixtures.js';
import { processDb } from '../helpers/process-db.js';
import type { RunningGateway } from '../helpers/sgw-process.js';
import { startGateway } from '../helpers/sgw-process.js';
import type { Receiver } from '../helpers/webhooks.js';
import { configWithWebhook, freePort, startReceiver, TEST_WEBHOOK_KEY } from '../helpers/webhooks.js';

const pgUrl = process.env.SGW_TEST_DATABASE_URL;
// Each test starts the gateway twice under tsx: a few seconds on an idle machine, but the
// first start (migrations) has taken 40 s on a loaded CI box, so the limits are generous.
const STARTUP_MS = 120_000;
const TEST_MS = 300_000;
const pdb = processDb('webhook-crash');
let port: number;
let configDir: string;
let env: NodeJS.ProcessEnv;
const tokens: Record<'la' | 'ed' | 'admin' | 'police', string> = { la: '', ed: '', admin: '', police: '' };
const child = testNhsNumber(6200);
const receivers: Receiver[] = [];
const gateways: RunningGateway[] = [];

interface Delivery {
  webhookId: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(): Promise<RunningGateway> {
  const gw = await startGateway(env, { startupMs: STARTUP_MS });
  gateways.push(gw);
  return gw;
}

/** SIGKILL: no shutdown handler runs, nothing is flushed, the worker gets no say. */
async function kill(gw: RunningGateway): Promise<void> {
  const exited = new Promise((resolve) => gw.child.once('exit', resolve));
  gw.child.kill('SIGKILL');
  await exited;
}

async function deliveries(gw: RunningGateway, status: string): Promise<Delivery[]> {
  const res = await fetch(`${gw.baseUrl}/webhooks/deliveries?status=${status}`, { headers: { Authorization: `Bearer ${tokens.admin}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}

/** A police notification about the child on Leeds's plan: routed to la:383 with its outbox row, in one commit. */
async function policeNotification(gw: RunningGateway): Promise<void> {
  const body = {
    force: 'E23000010',
    reference: '13/620001/26',
    type: 'missing',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    location: { description: 'near the canal', postcode: 'LS1 4AP' },
    persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: child, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' }],
    officer: { collarNumber: '55' },
  };
  const res = await fetch(`${gw.baseUrl}/notifications`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.police}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  expect(((await res.json()) as { routes: { recipient: string }[] }).routes.map((r) => r.recipient)).toEqual(['la:383']);
}

async function unscheduledQuery(gw: RunningGateway): Promise<void> {
  const res = await fetch(`${gw.baseUrl}/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${child}`, { headers: { Authorization: `Bearer ${tokens.ed}`, IsUnscheduledAccessEvent: 'true' } });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  await pdb.create();
  port = await freePort();
  configDir = configWithWebhook(`http://127.0.0.1:${port}/hooks/sgw`);
  env = {
    ...pdb.env,
    SGW_CONFIG_DIR: configDir,
    SGW_WEBHOOK_POLL_INTERVAL_MS: '100',
    SGW_WEBHOOK_BACKOFF_BASE_MS: '200',
    SGW_WEBHOOK_TIMEOUT_MS: '1000',
    SGW_WEBHOOK_MAX_ATTEMPTS: '20',
  };
  const keys = await loadOrCreateDevKeys(pdb.dataDir);
  const directory = loadAgencies(configDir);
  const mint = (agency: string, role: string, purpose: string) => mintDevToken(keys, directory, { agency, role, purpose, sub: `${role}-1`, audience: 'safeguarding-gateway', expiresInSeconds: 600 });
  tokens.la = await mint('la:383', 'la-social-worker', 'safeguarding-s47');
  tokens.ed = await mint('ods:RR8', 'unscheduled-care', 'TREAT');
  tokens.admin = await mint('la:383', 'admin', 'audit');
  tokens.police = await mint('police:E23000010', 'police-submitter', 'law-enforcement');
});
afterAll(async () => {
  for (const gw of gateways) if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
  for (const r of receivers) await r.close();
  await pdb.dispose();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe(`webhooks survive a crash (${pgUrl ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  it('killed after a police notification is committed, with the receiver down: after a restart the notice arrives exactly once', async () => {
    let gw = await start();
    const recorded = await fetch(`${gw.baseUrl}/fhir`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.la}`, 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(planBundle(child)) });
    expect(recorded.status).toBe(200);
    await policeNotification(gw); // commits the routed notification to la:383 and its outbox row

    // The receiver is down: the worker's first attempt is refused and rescheduled.
    // The claim counts the attempt before the request is made; the error is written once it fails.
    const pending = await until('a refused attempt', async () => (await deliveries(gw, 'pending')).find((d) => d.attempts >= 1 && d.lastError !== null));
    expect(pending?.lastError).toBe('request failed: ECONNREFUSED');
    await kill(gw);

    const receiver = await startReceiver(port, [204]);
    receivers.push(receiver);
    gw = await start();
    await until('the delivery', () => (receiver.received.length > 0 ? true : undefined));
    const delivered = await until('the row marked delivered', async () => (await deliveries(gw, 'delivered'))[0]);
    // A few more polls: nothing is sent again.
    await new Promise((r) => setTimeout(r, 500));
    expect(await gw.stop()).toBe(0);

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    const h = got!.headers as Record<string, string>;
    expect(h['webhook-id']).toBe(pending?.webhookId);
    expect(delivered).toMatchObject({ webhookId: pending?.webhookId, status: 'delivered' });
    expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, h['webhook-id']!, h['webhook-timestamp']!, got!.body, h['webhook-signature']!)).toBe(true);
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'communication.created', recipient: 'la:383', category: 'police-notification' });
    expect(got!.body).not.toContain(child);
  }, TEST_MS);

  it('killed while the receiver holds the request: redelivered after the restart with the same webhook-id, once more only', async () => {
    await receivers.pop()?.close();
    const receiver = await startReceiver(port, ['hang', 204]);
    receivers.push(receiver);
    let gw = await start();
    await unscheduledQuery(gw);
    await until('the first, unanswered request', () => (receiver.received.length === 1 ? true : undefined));
    await kill(gw);

    gw = await start();
    // The row is retried once its lease (2 × timeout + 1 s) has run out.
    await until('the redelivery', () => (receiver.received.length === 2 ? true : undefined));
    await until('the row marked delivered', async () => ((await deliveries(gw, 'pending')).length === 0 ? true : undefined));
    const delivered = await deliveries(gw, 'delivered');
    await new Promise((r) => setTimeout(r, 500));
    expect(await gw.stop()).toBe(0);

    expect(receiver.received).toHaveLength(2);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1); // the receiver dedupes on webhook-id: one notice
    expect(delivered).toHaveLength(2); // this one and the first test's, neither sent again
    expect(delivered.map((d) => d.webhookId)).toContain(ids[0]);
  }, TEST_MS);
});

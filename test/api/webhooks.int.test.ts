import fs from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/crypto/webhook-signature.js';
import { WebhookDelivery } from '../../src/services/webhook-delivery.js';
import { NHS_SYSTEM, planBundle, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import type { Receiver } from '../helpers/webhooks.js';
import { configWithWebhook, freePort, startReceiver, TEST_WEBHOOK_KEY } from '../helpers/webhooks.js';

let t: TestGateway;
let receiver: Receiver;
let configDir: string;
let la: string;
let ed: string;
const child = testNhsNumber(6100);
const settings = { pollIntervalMs: 1000, maxAttempts: 5, backoffBaseMs: 1000, timeoutMs: 2000 };

function worker(overrides: Partial<typeof settings> = {}, targets = t.gateway.directory.webhooks): WebhookDelivery {
  return new WebhookDelivery({ db: t.testDb.db, targets, settings: { ...settings, ...overrides }, now: () => t.clock.now, log: t.gateway.ctx.log, random: () => 0 });
}

async function unscheduledQuery(): Promise<void> {
  const res = await request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${child}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');
  expect(res.status).toBe(200);
}

async function deliveries(token: string, status?: string) {
  return request(t.gateway.app).get(`/webhooks/deliveries${status ? `?status=${status}` : ''}`).set('Authorization', `Bearer ${token}`);
}

async function outboxRows() {
  return t.testDb.db.query<{ id: number; attempts: number; delivered_at: Date | null; failed_at: Date | null; last_status: number | null; last_error: string | null }>(
    'SELECT id, attempts, delivered_at, failed_at, last_status, last_error FROM webhook_outbox ORDER BY id',
  );
}

beforeAll(async () => {
  receiver = await startReceiver(0, [500, 200]);
  configDir = configWithWebhook(receiver.url);
  // The worker is driven by hand here, on the test clock.
  t = await createTestGateway(undefined, { SGW_CONFIG_DIR: configDir, SGW_WEBHOOKS: 'off' });
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-1');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT', 'dr-1');
  const res = await request(t.gateway.app).post('/fhir').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(planBundle(child)));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.dispose();
  await receiver.close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('webhooks for the CP-IS access notification', () => {
  it('queues a notice to the owning LA in the same transaction as the notification', async () => {
    expect(t.gateway.webhooks).toBeNull(); // SGW_WEBHOOKS=off
    await unscheduledQuery();
    const [communication] = (await t.testDb.db.query<{ id: string }>(`SELECT id FROM communications WHERE recipient = 'la:383'`)) ;
    const rows = await t.testDb.db.query<{ communication_id: string; recipient: string }>('SELECT communication_id, recipient FROM webhook_outbox');
    expect(rows).toEqual([{ communication_id: communication?.id, recipient: 'la:383' }]);
  });

  it('retries a 500 after the backoff and delivers once on the 200, signed, with the same webhook-id', async () => {
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(await outboxRows()).toMatchObject([{ attempts: 1, delivered_at: null, failed_at: null, last_status: 500, last_error: 'HTTP 500' }]);
    expect(await w.runOnce()).toBe(0); // not due until the backoff has passed
    t.clock.advance(1000);
    expect(await w.runOnce()).toBe(1);
    t.clock.advance(3_600_000);
    expect(await w.runOnce()).toBe(0); // delivered: never sent again
    const [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 2, failed_at: null, last_status: 200, last_error: null });
    expect(row?.delivered_at).toBeTruthy();

    expect(receiver.received).toHaveLength(2);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [communication] = await t.testDb.db.query<{ id: string }>(`SELECT id FROM communications WHERE recipient = 'la:383'`);
    for (const r of receiver.received) {
      const h = r.headers as Record<string, string>;
      expect(h['content-type']).toBe('application/json');
      expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, h['webhook-id']!, h['webhook-timestamp']!, r.body, h['webhook-signature']!)).toBe(true);
      expect(JSON.parse(r.body)).toEqual({
        type: 'communication.created',
        id: h['webhook-id'],
        recipient: 'la:383',
        communication: `Communication/${communication?.id}`,
        category: 'cpis-access-notification',
        sentAt: '2026-11-20T10:00:00.000Z',
      });
      expect(r.body).not.toContain(child);
    }
  });

  it('logs the outbox id, recipient and status, never the child', () => {
    const lines = t.logLines.filter((l) => l.includes('"event":"webhook"'));
    expect(lines.some((l) => /"outbox":\d+/.test(l) && l.includes('"recipient":"la:383"') && l.includes('"status":200') && l.includes('webhook delivered'))).toBe(true);
    expect(lines.some((l) => l.includes('"status":500') && l.includes('will retry'))).toBe(true);
    expect(lines.join('\n')).not.toContain(child);
  });

  it('marks a delivery failed after the last attempt, and says why', async () => {
    const failing = await startReceiver(0, [503]);
    try {
      await unscheduledQuery();
      const w = worker({ maxAttempts: 3 }, new Map([['la:383', { url: failing.url, secret: TEST_WEBHOOK_KEY }]]));
      for (let i = 0; i < 3; i++) {
        expect(await w.runOnce()).toBe(1);
        t.clock.advance(60_000);
      }
      expect(await w.runOnce()).toBe(0);
      expect(failing.received).toHaveLength(3);
      const last = (await outboxRows()).at(-1);
      expect(last).toMatchObject({ attempts: 3, delivered_at: null, last_status: 503, last_error: 'HTTP 503' });
      expect(last?.failed_at).toBeTruthy();
    } finally {
      await failing.close();
    }
  });

  it('gives up on an attempt the receiver does not answer in time, and retries it', async () => {
    const slow = await startReceiver(0, ['hang']);
    try {
      await unscheduledQuery();
      const w = worker({ timeoutMs: 200 }, new Map([['la:383', { url: slow.url, secret: TEST_WEBHOOK_KEY }]]));
      expect(await w.runOnce()).toBe(1);
      expect((await outboxRows()).at(-1)).toMatchObject({ attempts: 1, delivered_at: null, failed_at: null, last_status: null, last_error: 'no answer within 200 ms' });
    } finally {
      await slow.close();
    }
  });

  it('cuts an attempt short on shutdown, records it, and leaves the row due at once', async () => {
    const slow = await startReceiver(0, ['hang']);
    try {
      await unscheduledQuery();
      // Only the new row is due: the timed-out one waits for its lease, the others are done.
      const w = worker({ pollIntervalMs: 50, timeoutMs: 60_000 }, new Map([['la:383', { url: slow.url, secret: TEST_WEBHOOK_KEY }]]));
      w.start();
      const until = Date.now() + 10_000;
      while (slow.received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(slow.received).toHaveLength(1);
      await w.stop();
      const rows = await t.testDb.db.query<{ attempts: number; last_error: string; due: boolean }>(`SELECT attempts, last_error, next_attempt_at <= $1 AS due FROM webhook_outbox ORDER BY id DESC LIMIT 1`, [t.clock.now.toISOString()]);
      expect(rows[0]).toEqual({ attempts: 1, last_error: 'interrupted by gateway shutdown', due: true });
    } finally {
      await slow.close();
    }
  });

  it('retries a refused connection, recording the error code only', async () => {
    await unscheduledQuery();
    const w = worker({}, new Map([['la:383', { url: `http://127.0.0.1:${await freePort()}/closed`, secret: TEST_WEBHOOK_KEY }]]));
    t.clock.advance(3_600_000); // the timed-out and the interrupted rows are due again too
    expect(await w.runOnce()).toBe(3);
    expect((await outboxRows()).at(-1)).toMatchObject({ attempts: 1, failed_at: null, last_error: 'request failed: ECONNREFUSED' });
  });
});

describe('GET /webhooks/deliveries', () => {
  it("shows an agency's admin its own deliveries by status, with no case data", async () => {
    const admin = await t.token('la:383', 'admin', 'audit', 'ops-1');
    const delivered = await deliveries(admin, 'delivered');
    expect(delivered.status).toBe(200);
    expect(delivered.body.agency).toBe('la:383');
    expect(delivered.body.deliveries).toHaveLength(1);
    expect(delivered.body.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, category: 'cpis-access-notification', webhookId: expect.stringMatching(/^msg_/) });
    expect((await deliveries(admin, 'failed')).body.deliveries).toMatchObject([{ status: 'failed', attempts: 3, lastError: 'HTTP 503' }]);
    expect((await deliveries(admin, 'pending')).body.deliveries).toHaveLength(3);
    expect((await deliveries(admin)).body.deliveries).toHaveLength(5);
    expect(JSON.stringify((await deliveries(admin)).body)).not.toContain(child);
  });

  it("shows another agency none of la:383's deliveries", async () => {
    const other = await t.token('la:201', 'admin', 'audit', 'ops-2');
    expect((await deliveries(other)).body.deliveries).toEqual([]);
  });

  it('refuses a social worker, a wrong purpose and an unknown status, and audits the reads', async () => {
    expect((await deliveries(la)).status).toBe(403);
    expect((await deliveries(await t.token('la:383', 'admin', 'direct-care'))).status).toBe(403);
    const bad = await deliveries(await t.token('la:383', 'admin', 'audit'), 'lost');
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].diagnostics).toMatch(/status must be one of pending, delivered, failed/);
    const audited = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entry->>'resourceType' = 'WebhookDelivery'`);
    expect(audited[0]?.n).toBeGreaterThanOrEqual(7);
  });
});

describe('webhooks for routed police notifications', () => {
  it('queue a notice to the LA in the notification\'s transaction, naming the Communication and never its content', async () => {
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    const body = {
      force: 'E23000010',
      reference: '13/610001/26',
      type: 'child-concern',
      occurredAt: '2026-11-19T21:00:00Z',
      location: { lines: ['3 Hook Street'], postcode: 'LS1 4AP' },
      persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: child, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' }],
      officer: { collarNumber: '12' },
      narrative: 'HOOK-NARRATIVE',
    };
    const res = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(201);
    const [communication] = await t.testDb.db.query<{ id: string }>(`SELECT id FROM communications WHERE recipient = 'la:383' AND category = 'police-notification'`);
    const rows = await t.testDb.db.query<{ recipient: string; event: Record<string, unknown> }>('SELECT recipient, event FROM webhook_outbox WHERE communication_id = $1', [communication!.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient: 'la:383', event: { category: 'police-notification' } });
    for (const secret of ['HOOK-NARRATIVE', child, 'Testchild', '3 Hook Street']) expect(JSON.stringify(rows[0]!.event)).not.toContain(secret);
  });
});

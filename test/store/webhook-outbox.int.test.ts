import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyDirectory } from '../../src/config/agencies.js';
import { loadAgencies } from '../../src/config/agencies.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import { insertCommunication } from '../../src/store/communications-repo.js';
import { claimDueDeliveries, communicationCreated, enqueueWebhooks, webhookId } from '../../src/store/outbox-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';
import { configWithWebhook } from '../helpers/webhooks.js';

let t: TestDb;
let dir: AgencyDirectory;
let configDir: string;
const AT = '2026-11-20T10:00:00.000Z';

async function communication(id: string, recipient: string) {
  const c = { id, recipient, category: 'access-notification', createdAt: AT };
  await insertCommunication(t.db, { ...c, personId: null, resource: { resourceType: 'Communication', id, status: 'completed' } });
  return communicationCreated(c);
}

async function outbox() {
  return t.db.query<{ recipient: string; communication_id: string; event: Record<string, unknown>; attempts: number }>('SELECT recipient, communication_id, event, attempts FROM webhook_outbox ORDER BY id');
}

beforeAll(async () => {
  configDir = configWithWebhook('https://hooks.example-la.gov.uk/sgw');
  dir = loadAgencies(configDir);
  t = await createTestDb();
  await syncAgencies(t.db, dir.agencies.values());
});
afterAll(async () => {
  await t.dispose();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the webhook outbox', () => {
  it('queues a notice only for recipients with a webhook, carrying ids and category only', async () => {
    const events = [await communication('c-1', 'la:383'), await communication('c-2', 'la:201'), await communication('c-3', 'school:100000')];
    await t.db.transaction((tx) => enqueueWebhooks(tx, dir.agencies, events, AT));
    const rows = await outbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient: 'la:383', communication_id: 'c-1', attempts: 0 });
    expect(rows[0]?.event).toEqual({
      type: 'communication.created',
      id: webhookId('la:383', 'c-1'),
      recipient: 'la:383',
      communication: 'Communication/c-1',
      category: 'access-notification',
      sentAt: AT,
    });
  });

  it('takes the enqueue time as sentAt when the event gives only the category', async () => {
    await communication('c-5', 'la:383');
    await t.db.transaction((tx) => enqueueWebhooks(tx, dir.agencies, [{ recipient: 'la:383', communicationId: 'c-5', event: { category: 'police-notification' } }], '2026-11-20T11:00:00.000Z'));
    const row = (await outbox()).find((r) => r.communication_id === 'c-5');
    expect(row?.event).toMatchObject({ communication: 'Communication/c-5', category: 'police-notification', sentAt: '2026-11-20T11:00:00.000Z' });
  });

  it('does nothing when the same notice is queued again', async () => {
    const again = communicationCreated({ id: 'c-1', recipient: 'la:383', category: 'access-notification', createdAt: AT });
    await t.db.transaction((tx) => enqueueWebhooks(tx, dir.agencies, [again, again], AT));
    expect(await outbox()).toHaveLength(2);
  });

  it('queues nothing when the transaction that created the Communication rolls back', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await insertCommunication(tx, { id: 'c-rolled-back', recipient: 'la:383', category: 'access-notification', personId: null, createdAt: AT, resource: { resourceType: 'Communication', status: 'completed' } });
        await enqueueWebhooks(tx, dir.agencies, [communicationCreated({ id: 'c-rolled-back', recipient: 'la:383', category: 'access-notification', createdAt: AT })], AT);
        throw new Error('the rest of the message was rejected');
      }),
    ).rejects.toThrow(/rejected/);
    expect((await outbox()).map((r) => r.communication_id)).toEqual(['c-1', 'c-5']);
  });

  it('refuses a notice carrying anything beyond category and time, so no content can leak to a webhook', async () => {
    await communication('c-4', 'la:383');
    const leaky = { recipient: 'la:383', communicationId: 'c-4', event: { category: 'access-notification', sentAt: AT, nhsNumber: '9990000018' } };
    await expect(t.db.transaction((tx) => enqueueWebhooks(tx, dir.agencies, [leaky], AT))).rejects.toThrow(/nhsNumber/);
  });

  it('lets one claim take a due row, hiding it from the next until its lease runs out', async () => {
    const first = await claimDueDeliveries(t.db, AT, '2026-11-20T10:00:30.000Z', 10);
    expect(first.map((d) => [d.communicationId, d.attempts])).toEqual([['c-1', 1]]); // c-5 is not due until 11:00
    expect(await claimDueDeliveries(t.db, '2026-11-20T10:00:10.000Z', '2026-11-20T10:00:40.000Z', 10)).toEqual([]);
    const afterLease = await claimDueDeliveries(t.db, '2026-11-20T10:00:30.000Z', '2026-11-20T10:01:00.000Z', 10);
    expect(afterLease.map((d) => [d.communicationId, d.attempts])).toEqual([['c-1', 2]]);
  });
});

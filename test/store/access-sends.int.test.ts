import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyDirectory } from '../../src/config/agencies.js';
import { loadAgencies } from '../../src/config/agencies.js';
import type { AccessSends } from '../../src/store/access-repo.js';
import { recordAccess } from '../../src/store/access-repo.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import type { StoredCommunication } from '../../src/store/communications-repo.js';
import type { Queryable } from '../../src/store/db.js';
import { communicationCreated, webhookId, webhookNotices } from '../../src/store/outbox-repo.js';
import { upsertPerson } from '../../src/store/people-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';
import { configWithWebhook } from '../helpers/webhooks.js';

// An unscheduled CP-IS query writes the access, the owning LAs' Communications and their
// webhook notices in one statement (src/store/access-repo.ts): what each part wrote, that a
// failing part leaves nothing, and that it is one round trip.

const AT = '2026-11-20T11:00:00.000Z';
let t: TestDb;
let dir: AgencyDirectory;
let configDir: string;

const access = (id: string, sub = 'dr') => ({ id, personId: 'p-s', accessor: { sub, agency: 'ods:RR8', role: 'unscheduled-care' }, purpose: 'TREAT', unscheduled: true, at: AT });
const communication = (id: string, recipient: string): StoredCommunication => ({
  id,
  recipient,
  category: 'access-notification',
  createdAt: AT,
  personId: 'p-s',
  resource: { resourceType: 'Communication', id, status: 'completed' },
});
const sends = (communications: StoredCommunication[]): AccessSends => ({ communications, notices: webhookNotices(dir.agencies, communications.map(communicationCreated), AT), at: AT });
const counts = async () => {
  const [row] = await t.db.query<{ accesses: number; communications: number; notices: number }>(
    'SELECT (SELECT count(*)::int FROM access_events) AS accesses, (SELECT count(*)::int FROM communications) AS communications, (SELECT count(*)::int FROM webhook_outbox) AS notices',
  );
  return row;
};

beforeAll(async () => {
  configDir = configWithWebhook('https://hooks.example-la.gov.uk/sgw');
  dir = loadAgencies(configDir);
  t = await createTestDb();
  await syncAgencies(t.db, dir.agencies.values());
  const provenance = { agency: 'la:383', format: 'fhir-r4-json' as const, receivedAt: AT };
  await upsertPerson(t.db, { id: 'p-s', identifiers: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000026', verificationStatus: '01' }], names: [], addresses: [], owner: 'la:383', provenance, securityLabel: 'N' }, null);
});
afterAll(async () => {
  await t.dispose();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('recording an unscheduled access with what it sends', () => {
  it('writes the access, each Communication, and a notice for the LA with a webhook only, in one round trip', async () => {
    let roundTrips = 0;
    const recorded = await t.db.transaction((tx) => {
      const counting: Queryable = { query: (sql, params, options) => (roundTrips++, tx.query(sql, params, options)) };
      return recordAccess(counting, access('acc-s1'), sends([communication('c-s1', 'la:383'), communication('c-s2', 'la:201')]));
    });
    expect(roundTrips).toBe(1);
    expect(recorded.listed).toBe(true);
    expect(await counts()).toEqual({ accesses: 1, communications: 2, notices: 1 });
    const [notice] = await t.db.query<{ recipient: string; communication_id: string; event: Record<string, unknown>; next_attempt_at: Date }>('SELECT recipient, communication_id, event, next_attempt_at FROM webhook_outbox');
    expect(notice).toMatchObject({ recipient: 'la:383', communication_id: 'c-s1' });
    expect(notice?.event).toEqual({ type: 'communication.created', id: webhookId('la:383', 'c-s1'), recipient: 'la:383', communication: 'Communication/c-s1', category: 'access-notification', sentAt: AT });
    expect(new Date(notice!.next_attempt_at).toISOString()).toBe(AT);
    const [stored] = await t.db.query<{ recipient: string; person_id: string; resource: unknown }>("SELECT recipient, person_id, resource FROM communications WHERE id = 'c-s2'");
    expect(stored).toEqual({ recipient: 'la:201', person_id: 'p-s', resource: { resourceType: 'Communication', id: 'c-s2', status: 'completed' } });
  });

  it('lists a repeat by the same user within 24 hours no more, whatever it sends', async () => {
    const repeat = await t.db.transaction((tx) => recordAccess(tx, access('acc-s2'), sends([communication('c-s3', 'la:383')])));
    expect(repeat.listed).toBe(false);
    expect(await counts()).toEqual({ accesses: 2, communications: 3, notices: 2 });
  });

  it('leaves nothing when a part fails: a notice for a Communication the statement does not write', async () => {
    const before = await counts();
    const orphan: AccessSends = { ...sends([communication('c-s4', 'la:383')]), notices: webhookNotices(dir.agencies, [communicationCreated(communication('c-missing', 'la:383'))], AT) };
    await expect(t.db.transaction((tx) => recordAccess(tx, access('acc-s3', 'nurse'), orphan))).rejects.toMatchObject({ code: '23503' });
    expect(await counts()).toEqual(before);
  });

  it('records the access alone, as before, when nothing is sent', async () => {
    const alone = await t.db.transaction((tx) => recordAccess(tx, access('acc-s4', 'nurse')));
    expect(alone.listed).toBe(true);
    expect(await counts()).toMatchObject({ accesses: 3, communications: 3, notices: 2 });
  });
});

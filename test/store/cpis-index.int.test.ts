import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import type { Person } from '../../src/model/person.js';
import type { ProtectionPlan } from '../../src/model/protection-plan.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { recordAccess } from '../../src/store/access-repo.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import { CpisIndex } from '../../src/store/cpis-index.js';
import type { Db } from '../../src/store/db.js';
import { upsertPerson } from '../../src/store/people-repo.js';
import { upsertPlan } from '../../src/store/plans-repo.js';
import { openPostgres } from '../../src/store/pg-db.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const provenance = { agency: 'la:383', format: 'fhir-r4-json' as const, receivedAt: '2026-11-20T10:00:00.000Z' };

function person(id: string, nhs: string): Person {
  return { id, identifiers: [{ system: NHS, value: nhs, verificationStatus: '01' }], names: [], addresses: [], owner: 'la:383', provenance, securityLabel: 'N' };
}

function plan(id: string, personId: string, over: Partial<ProtectionPlan> = {}): ProtectionPlan {
  return { id, subjectPersonId: personId, kind: 'child-protection-plan', period: { start: '2026-01-10' }, owner: 'la:383', status: 'recorded', sourceIdentifiers: [], provenance, securityLabel: 'N', ...over };
}

/** Waits for a condition that another connection's notice makes true (it arrives after that commit, not with it). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the index did not catch up within 2 s');
}

let t: TestDb;
/** Another writer: on a PostgreSQL server a second pool (as another gateway process has); PGlite has one connection only. */
let other: Db;
let index: CpisIndex;

beforeAll(async () => {
  t = await createTestDb();
  await syncAgencies(t.db, loadAgencies(path.join(PACKAGE_ROOT, 'config')).agencies.values());
  const url = process.env.SGW_TEST_DATABASE_URL;
  if (url) {
    const [row] = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    other = openPostgres(url, { schema: row!.schema, max: 1 });
  } else {
    other = t.db;
  }
  index = await CpisIndex.open(t.db, 100);
});

afterAll(async () => {
  await index.close();
  if (other !== t.db) await other.close();
  await t.dispose();
});

describe('the CP-IS in-memory index', () => {
  it('answers a repeated question from memory, and an unknown NHS number too', async () => {
    await upsertPerson(t.db, person('p-a', '9990000018'), null);
    await upsertPlan(t.db, plan('plan-a', 'p-a'));
    const before = index.stats();
    const first = await index.lookup(NHS, '9990000018');
    const second = await index.lookup(NHS, '9990000018');
    expect(second).toBe(first);
    expect(second?.plans.map((p) => p.id)).toEqual(['plan-a']);
    expect(await index.lookup(NHS, '9990000026')).toBeNull();
    expect(await index.lookup(NHS, '9990000026')).toBeNull();
    const after = index.stats();
    expect(after.misses - before.misses).toBe(2);
    expect(after.hits - before.hits).toBe(2);
  });

  it('keeps entries frozen, so no request can change what the next is answered from', async () => {
    const record = await index.lookup(NHS, '9990000018');
    expect(() => (record!.plans).push(plan('x', 'p-a'))).toThrow(TypeError);
    expect(() => Object.assign(record!.person, { owner: 'la:999' })).toThrow(TypeError);
  });

  it('sees this process’s own writes as soon as they return: a new plan, a plan entered in error, an access', async () => {
    await index.lookup(NHS, '9990000018');
    await upsertPlan(t.db, plan('plan-b', 'p-a', { period: { start: '2026-02-01' } }));
    expect((await index.lookup(NHS, '9990000018'))?.plans.map((p) => p.id)).toEqual(['plan-b', 'plan-a']);
    await upsertPlan(t.db, plan('plan-b', 'p-a', { period: { start: '2026-02-01' }, status: 'entered-in-error' }));
    expect((await index.lookup(NHS, '9990000018'))?.plans.map((p) => p.id)).toEqual(['plan-a']);
    await t.db.transaction((tx) => recordAccess(tx, { id: 'acc-1', personId: 'p-a', accessor: { sub: 'dr', agency: 'ods:RR8', role: 'unscheduled-care' }, purpose: 'TREAT', unscheduled: true, at: '2026-11-20T11:00:00.000Z' }));
    expect((await index.lookup(NHS, '9990000018'))?.accesses.map((a) => a.id)).toEqual(['acc-1']);
  });

  it('keeps a person when an access is not listed (a repeat by the same user within 24 hours), and forgets them when one is', async () => {
    const at = (hh: string) => `2026-11-20T${hh}:00:00.000Z`;
    const access = (id: string, hh: string, sub = 'dr') => ({ id, personId: 'p-a', accessor: { sub, agency: 'ods:RR8', role: 'unscheduled-care' }, purpose: 'TREAT', unscheduled: true, at: at(hh) });
    const kept = await index.lookup(NHS, '9990000018');
    const repeat = await t.db.transaction((tx) => recordAccess(tx, access('acc-2', '12')));
    expect(repeat.listed).toBe(false);
    // Same object: nothing was read again, and the history shown is unchanged.
    expect(await index.lookup(NHS, '9990000018')).toBe(kept);
    const other = await t.db.transaction((tx) => recordAccess(tx, access('acc-3', '13', 'nurse')));
    expect(other.listed).toBe(true);
    const after = await index.lookup(NHS, '9990000018');
    expect(after).not.toBe(kept);
    expect(after?.accesses.map((a) => a.id)).toEqual(['acc-3', 'acc-1']);
  });

  it('forgets an unknown NHS number once a person with it is recorded', async () => {
    expect(await index.lookup(NHS, '9990000034')).toBeNull();
    await upsertPerson(t.db, person('p-b', '9990000034'), null);
    await upsertPlan(t.db, plan('plan-c', 'p-b'));
    expect((await index.lookup(NHS, '9990000034'))?.plans.map((p) => p.id)).toEqual(['plan-c']);
  });

  it('sees another connection’s (another gateway process’s) writes once their notice arrives', async () => {
    expect((await index.lookup(NHS, '9990000034'))?.plans).toHaveLength(1);
    await upsertPlan(other, plan('plan-d', 'p-b', { period: { start: '2026-03-01' } }));
    await eventually(async () => (await index.lookup(NHS, '9990000034'))?.plans.length === 2);
    expect(await index.lookup(NHS, '9990000042')).toBeNull();
    await upsertPerson(other, person('p-c', '9990000042'), null);
    await eventually(async () => (await index.lookup(NHS, '9990000042')) !== null);
  });

  it('forgets everything on a statement that touches more than 100 keys (a bulk write), or a TRUNCATE', async () => {
    await index.lookup(NHS, '9990000018');
    expect(index.stats().size).toBeGreaterThan(0);
    await t.db.query("UPDATE access_events SET purpose = purpose WHERE id = 'none'"); // no row: nothing to forget
    await t.db.query(`INSERT INTO persons (id, record) SELECT 'bulk-' || n, '{}'::jsonb FROM generate_series(1, 100) AS n`); // 100 others: forgets only those
    expect(index.stats().size).toBeGreaterThan(0);
    await t.db.query(`INSERT INTO persons (id, record) SELECT 'bulk-' || n, '{}'::jsonb FROM generate_series(101, 201) AS n`);
    expect(index.stats().size).toBe(0);
    await index.lookup(NHS, '9990000018');
    expect(index.stats().size).toBeGreaterThan(0);
    await t.db.query('TRUNCATE access_events');
    expect(index.stats().size).toBe(0);
  });

  it('keeps at most its capacity, dropping the least recently asked', async () => {
    const small = await CpisIndex.open(t.db, 2);
    try {
      await small.lookup(NHS, '9990000018');
      await small.lookup(NHS, '9990000034');
      await small.lookup(NHS, '9990000018'); // most recent now
      await small.lookup(NHS, '9990000042'); // drops 9990000034
      expect(small.stats().size).toBe(2);
      const misses = small.stats().misses;
      await small.lookup(NHS, '9990000018');
      expect(small.stats().misses).toBe(misses);
      await small.lookup(NHS, '9990000034');
      expect(small.stats().misses).toBe(misses + 1);
    } finally {
      await small.close();
    }
  });

  it('with capacity 0 keeps nothing and always reads the database', async () => {
    const off = await CpisIndex.open(t.db, 0);
    await off.lookup(NHS, '9990000018');
    await off.lookup(NHS, '9990000018');
    expect(off.stats()).toMatchObject({ size: 0, hits: 0, misses: 2 });
    await off.close();
  });
});

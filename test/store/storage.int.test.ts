import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries } from '../../src/audit/audit-log.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { loadAgencies } from '../../src/config/agencies.js';
import type { AuditEntry } from '../../src/model/audit-entry.js';
import type { Person } from '../../src/model/person.js';
import type { ProtectionPlan } from '../../src/model/protection-plan.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { recordAccess } from '../../src/store/access-repo.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import { migrate } from '../../src/store/migrate.js';
import { findPersonByIdentifier, upsertPerson } from '../../src/store/people-repo.js';
import { getPlan, upsertPlan } from '../../src/store/plans-repo.js';
import { cpisLookup } from '../../src/store/cpis-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';
import path from 'node:path';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
let t: TestDb;

const provenance = { agency: 'la:383', format: 'fhir-r4-json' as const, receivedAt: '2026-11-20T10:00:00.000Z' };

function person(id: string, nhs: string, status?: '01' | '02'): Person {
  return { id, identifiers: [{ system: NHS, value: nhs, ...(status ? { verificationStatus: status } : {}) }], names: [], addresses: [], owner: 'la:383', provenance, securityLabel: 'N' };
}

function plan(id: string, personId: string, over: Partial<ProtectionPlan> = {}): ProtectionPlan {
  return { id, subjectPersonId: personId, kind: 'child-protection-plan', period: { start: '2026-01-10' }, owner: 'la:383', status: 'recorded', sourceIdentifiers: [], provenance, securityLabel: 'N', ...over };
}

function entry(n: number): AuditEntry {
  return {
    recordedAt: new Date(Date.UTC(2026, 10, 20, 10, 0, n)).toISOString(),
    requestId: `req-${n}`,
    actor: { sub: 'u', agency: 'ods:RR8', role: 'unscheduled-care' },
    purpose: 'TREAT',
    action: 'search',
    resourceType: 'CareTeam',
    query: null,
    subjects: [],
    records: [],
    outcome: 'permit',
    status: 200,
    reason: null,
  };
}

beforeAll(async () => {
  t = await createTestDb();
  await syncAgencies(t.db, loadAgencies(path.join(PACKAGE_ROOT, 'config')).agencies.values());
});
afterAll(async () => t.dispose());

describe(`storage on ${process.env.SGW_TEST_DATABASE_URL ? 'PostgreSQL server' : 'PGlite'}`, () => {
  it('applies migrations once; a second run applies nothing', async () => {
    expect(await migrate(t.db)).toEqual([]);
    const [row] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(row?.n).toBeGreaterThanOrEqual(1);
  });

  it('finds a person by identifier and merges identifiers without downgrading verification', async () => {
    await upsertPerson(t.db, person('p1', '9990000018', '01'), null);
    const found = await findPersonByIdentifier(t.db, NHS, '9990000018');
    expect(found?.id).toBe('p1');
    const again = await upsertPerson(t.db, { ...person('p1', '9990000018', '02'), identifiers: [{ system: NHS, value: '9990000018', verificationStatus: '02' }, { system: 'https://la.example/child', value: 'C1' }] }, found);
    expect(again.created).toBe(false);
    expect(again.person.identifiers).toEqual([
      { system: NHS, value: '9990000018', verificationStatus: '01' },
      { system: 'https://la.example/child', value: 'C1' },
    ]);
    expect((await findPersonByIdentifier(t.db, 'https://la.example/child', 'C1'))?.id).toBe('p1');
    expect(await findPersonByIdentifier(t.db, NHS, '9990000026')).toBeNull();
  });

  it('upserts plans by id: created, then unchanged, then updated; never duplicated', async () => {
    expect(await upsertPlan(t.db, plan('plan-1', 'p1'))).toBe('created');
    expect(await upsertPlan(t.db, plan('plan-1', 'p1'))).toBe('unchanged');
    expect(await upsertPlan(t.db, plan('plan-1', 'p1', { period: { start: '2026-01-10', end: '2026-06-30' } }))).toBe('updated');
    const [row] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM protection_plans WHERE id = 'plan-1'");
    expect(row?.n).toBe(1);
    expect((await getPlan(t.db, 'plan-1'))?.period.end).toBe('2026-06-30');
  });

  it('a plan re-sent with its source identifiers is unchanged, though the database keeps their keys in its own order', async () => {
    const sent = plan('plan-resent', 'p1', { sourceIdentifiers: [{ system: 'https://sgw.example/fhir/Id/protection-plan/la-383', value: 'CP-2' }] });
    expect(await upsertPlan(t.db, sent)).toBe('created');
    expect(await upsertPlan(t.db, sent)).toBe('unchanged');
    await t.db.query("DELETE FROM protection_plans WHERE id = 'plan-resent'");
  });

  it('keeps dates as calendar dates on both engines (no time-zone shift)', async () => {
    const [row] = await t.db.query<{ start_date: string }>("SELECT start_date FROM protection_plans WHERE id = 'plan-1'");
    expect(row?.start_date).toBe('2026-01-10');
  });

  it('lists plans ended within the last 12 months and never entered-in-error ones', async () => {
    await upsertPlan(t.db, plan('plan-old', 'p1', { period: { start: '2020-01-01', end: '2024-01-01' } }));
    await upsertPlan(t.db, plan('plan-eie', 'p1', { status: 'entered-in-error' }));
    const found = await cpisLookup(t.db, NHS, '9990000018', '2025-11-20');
    expect(found?.person.id).toBe('p1');
    expect(found?.plans.map((p) => p.id)).toEqual(['plan-1']);
    expect(await cpisLookup(t.db, NHS, '9990000026', '2025-11-20')).toBeNull();
  });

  it('refuses a plan that ends before it starts, at the database too', async () => {
    await expect(upsertPlan(t.db, plan('plan-bad', 'p1', { period: { start: '2026-02-01', end: '2026-01-01' } }))).rejects.toThrow();
  });

  it('lists an access once per user per 24 hours, newest first', async () => {
    const base = { personId: 'p1', purpose: 'TREAT', unscheduled: true };
    const a = (sub: string, at: string, id: string) => recordAccess(t.db, { ...base, id, accessor: { sub, agency: 'ods:RR8', role: 'unscheduled-care' }, at });
    expect((await a('dr-a', '2026-11-20T10:00:00Z', 'a1')).listed).toBe(true);
    expect((await a('dr-a', '2026-11-21T09:59:00Z', 'a2')).listed).toBe(false); // 23h59 later
    expect((await a('dr-b', '2026-11-21T09:59:30Z', 'a3')).listed).toBe(true); // another user
    expect((await a('dr-a', '2026-11-22T10:00:01Z', 'a4')).listed).toBe(true); // > 24 h after the last
    const found = await cpisLookup(t.db, NHS, '9990000018', '2025-11-20');
    expect(found?.accesses.map((r) => r.id)).toEqual(['a4', 'a3', 'a1']);
    // …with the same instants and users.
    expect(found?.accesses.map((r) => [r.id, r.at, r.accessor.sub])).toEqual([
      ['a4', '2026-11-22T10:00:01.000Z', 'dr-a'],
      ['a3', '2026-11-21T09:59:30.000Z', 'dr-b'],
      ['a1', '2026-11-20T10:00:00.000Z', 'dr-a'],
    ]);
  });

  it('chains audit entries and verifies them; group commit keeps order under concurrency', async () => {
    await t.db.transaction((tx) => appendAuditEntries(tx, [entry(1), entry(2)]));
    const writer = new AuditWriter(t.db);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.write(entry(10 + i))));
    const result = await verifyAuditLog(t.db);
    expect(result).toMatchObject({ ok: true, entries: 52 });
  });

  describe('tamper evidence', () => {
    async function tamper(sql: string, params: unknown[] = []) {
      await t.db.query(sql, params);
      return verifyAuditLog(t.db);
    }
    type Row = { seq: number; recorded_at: Date; entry: unknown; prev_hash: string; hash: string; leaf_hash: string };
    async function restore(rows: Row[]) {
      await t.db.query('DELETE FROM audit_log');
      for (const r of rows) await t.db.query('INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6)', [r.seq, r.recorded_at, JSON.stringify(r.entry), r.prev_hash, r.hash, r.leaf_hash]);
    }
    let snapshot: Row[];
    beforeAll(async () => {
      snapshot = await t.db.query('SELECT * FROM audit_log ORDER BY seq');
    });

    it('names an edited entry', async () => {
      const r = await tamper(`UPDATE audit_log SET entry = jsonb_set(entry, '{outcome}', '"deny"') WHERE seq = 7`);
      expect(r).toMatchObject({ ok: false, firstBadSeq: 7 });
      if (!r.ok) expect(r.problem).toMatch(/altered/);
      await restore(snapshot);
      expect((await verifyAuditLog(t.db)).ok).toBe(true);
    });

    it('names a deleted entry', async () => {
      const r = await tamper('DELETE FROM audit_log WHERE seq = 5');
      expect(r).toMatchObject({ ok: false, firstBadSeq: 5 });
      if (!r.ok) expect(r.problem).toMatch(/missing/);
      await restore(snapshot);
    });

    it('names reordered entries (contents swapped between positions)', async () => {
      await t.db.query(`UPDATE audit_log SET seq = -1 WHERE seq = 3`);
      await t.db.query(`UPDATE audit_log SET seq = 3 WHERE seq = 4`);
      const r = await tamper(`UPDATE audit_log SET seq = 4 WHERE seq = -1`);
      expect(r).toMatchObject({ ok: false, firstBadSeq: 3 });
      await restore(snapshot);
    });

    it('notices entries cut from the end', async () => {
      const r = await tamper('DELETE FROM audit_log WHERE seq > 50');
      expect(r).toMatchObject({ ok: false });
      if (!r.ok) expect(r.problem).toMatch(/removed from the end/);
      await restore(snapshot);
      expect((await verifyAuditLog(t.db)).ok).toBe(true);
    });

    it('names an entry rewritten with a recomputed hash, by its leaf in the Merkle tree', async () => {
      // Recomputing one row's chain hash used to be caught only at the next row's link; the
      // stored tree's leaf for the row now names the row itself.
      const rows = await t.db.query<{ entry: AuditEntry; prev_hash: string }>('SELECT entry, prev_hash FROM audit_log WHERE seq = 9');
      const { linkHash } = await import('../../src/audit/chain.js');
      const forged = { ...rows[0]!.entry, outcome: 'deny' as const };
      const r = await tamper('UPDATE audit_log SET entry = $1, hash = $2 WHERE seq = 9', [JSON.stringify(forged), linkHash(rows[0]!.prev_hash, 9, forged)]);
      expect(r).toMatchObject({ ok: false, firstBadSeq: 9 });
      if (!r.ok) expect(r.problem).toMatch(/entry 9 does not match its leaf in the stored Merkle tree/);
      await restore(snapshot);
    });
  });
});

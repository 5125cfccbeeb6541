import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { cpisCsv, ukCorePatient } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// CP-IS bulk uploads of thousands of plans: the records are resolved and written a chunk
// at a time, so these uploads cross chunks, repeat children across them, and hold more
// children than PostgreSQL could lock one by one in a transaction.

let t: TestGateway;
let la: string;
let ed: string;

type Row = Parameters<typeof cpisCsv>[0][number];

function post(path: string, body: string, type = 'text/csv') {
  return request(t.gateway.app).post(path).set('Authorization', `Bearer ${la}`).set('Content-Type', type).send(body);
}

async function count(sql: string): Promise<number> {
  const [row] = await t.testDb.db.query<{ n: number }>(sql);
  return row!.n;
}

async function plansOf(nhs: string) {
  const res = await request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false');
  expect(res.status).toBe(200);
  return (res.body.entry ?? []).filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
}

const tally = (results: { result: string; outcome?: string }[]) => {
  const out: Record<string, number> = {};
  for (const r of results) out[`${r.result}${r.outcome ? `/${r.outcome}` : ''}`] = (out[`${r.result}${r.outcome ? `/${r.outcome}` : ''}`] ?? 0) + 1;
  return out;
};

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'statutory-return');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
});
afterAll(async () => t.dispose());

describe('a CP-IS upload of thousands of plans', () => {
  // 2,500 records: children 0..2399 once each, and records 2400.. name children from the
  // first chunk again with a second plan; the child the LA sent as a FHIR Patient before is
  // in the middle; bad records sit at chunk edges.
  const known = testNhsNumber(500_000);
  const child = (k: number) => testNhsNumber(510_000 + k * 10);
  const rows: Row[] = [];
  for (let i = 0; i < 2500; i++) {
    const nhs = i === 1500 ? known : i < 2400 ? child(i) : child(i - 2400);
    rows.push({ nhs_number: nhs, nhs_number_status: i === 1500 ? '' : '01', plan_type: i < 2400 ? 'CPP' : 'LAC', start_date: '2026-03-01', la_code: '383', local_id: `B${i}` });
  }
  rows[999] = { ...rows[999]!, start_date: '2026-02-30' };
  rows[1000] = { ...rows[1000]!, nhs_number: '9990000019' };
  rows[2001] = { ...rows[2001]!, nhs_number_status: '' };
  const csv = cpisCsv(rows);

  it('answers every record in file order, stores each success once, and links a known child instead of duplicating it', async () => {
    const res = await post('/ingest', JSON.stringify(ukCorePatient(known, 'CHILD-B1')), 'application/fhir+json');
    expect(res.status).toBeLessThan(300);
    const people = await count('SELECT count(*)::int AS n FROM persons');

    const up = await post('/ingest', csv);
    expect(up.status).toBe(200);
    expect(up.body.results).toHaveLength(2500);
    expect(up.body.results.map((r: any) => r.id)).toEqual(rows.map((r) => r.local_id));
    expect(up.body.results.map((r: any) => r.line)).toEqual(rows.map((_, i) => i + 2));
    expect(tally(up.body.results)).toEqual({ 'CPR06/created': 2497, CPR07: 1, CPR04: 1, CPR01: 1 });
    // Bad records are answered by line and field; their neighbours across the chunk edge are stored.
    expect(up.body.results[999]).toMatchObject({ line: 1001, result: 'CPR07', reason: expect.stringMatching(/start_date/) });
    expect(up.body.results[1000]).toMatchObject({ line: 1002, result: 'CPR04', reason: expect.stringMatching(/nhs_number/) });
    expect(up.body.results[2001]).toMatchObject({ line: 2003, result: 'CPR01' });
    expect(up.body).toMatchObject({ transmissionQuantity: 2500, accepted: 2497 });

    // 2,400 children less the three refused, one of whom was already known: 2,396 new people.
    expect(await count('SELECT count(*)::int AS n FROM persons')).toBe(people + 2396);
    expect(await count("SELECT count(*)::int AS n FROM protection_plans WHERE owner = 'la:383'")).toBe(2497);
    // A child named in two chunks has both plans; the known child has the plan on the one person.
    expect(await plansOf(child(5))).toHaveLength(2);
    expect(await plansOf(known)).toHaveLength(1);
    expect(await count(`SELECT count(*)::int AS n FROM person_identifiers WHERE value = '${known}'`)).toBe(1);
    // One audit entry for the upload, naming every plan stored.
    const [entry] = await t.testDb.db.query<{ n: number; reason: string }>(
      "SELECT jsonb_array_length(entry->'records') AS n, entry->>'reason' AS reason FROM audit_log WHERE entry->>'resourceType' = 'Ingest:cpis-csv' ORDER BY seq DESC LIMIT 1",
    );
    expect(entry).toEqual({ n: 2497, reason: 'CP-IS upload: 2497 of 2500 records accepted' });
  });

  it('re-sent, changes nothing and says so; checked with /validate, gives the same answers and stores nothing', async () => {
    const again = await post('/ingest', csv);
    expect(again.status).toBe(200);
    expect(tally(again.body.results)).toEqual({ 'CPR06/unchanged': 2497, CPR07: 1, CPR04: 1, CPR01: 1 });

    const changed = cpisCsv(rows.map((r, i) => (i % 500 === 7 ? { ...r, end_date: '2027-01-31' } : r)));
    const before = await count('SELECT count(*)::int AS n FROM protection_plans');
    const checked = await post('/validate', changed);
    expect(checked.status).toBe(200);
    expect(checked.body.stored).toBe(false);
    expect(tally(checked.body.results)).toEqual({ 'CPR06/unchanged': 2492, 'CPR06/updated': 5, CPR07: 1, CPR04: 1, CPR01: 1 });
    expect(await count('SELECT count(*)::int AS n FROM protection_plans')).toBe(before);
    expect(await count("SELECT count(*)::int AS n FROM protection_plans WHERE end_date IS NOT NULL AND owner = 'la:383'")).toBe(0);
  });
});

describe('an upload of more children than PostgreSQL can lock one by one', () => {
  // PostgreSQL's lock table holds max_locks_per_transaction × max_connections (6,400 by
  // default, a little more in practice: a server with defaults gave out between 12,000 and
  // 14,000). One advisory lock per child, held to commit, answered such an upload 503.
  it('stores all 20,000 in one transaction', async () => {
    const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ nhs_number: testNhsNumber(600_000 + i * 10), nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-04-01', la_code: '383', local_id: `C${i}` }));
    const res = await post('/ingest', cpisCsv(rows));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transmissionQuantity: 20_000, accepted: 20_000 });
    expect(await plansOf(rows[19_999]!.nhs_number!)).toHaveLength(1);
  }, 120_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readMessages } from '../../src/formats/read.js';
import type { Requester } from '../../src/policy/authorise.js';
import type { AuditScope } from '../../src/services/audit-scope.js';
import { ingestMessage } from '../../src/services/ingest.js';
import type { Db } from '../../src/store/db.js';
import { testNhsNumber } from '../helpers/fixtures.js';
import { adt, ukCorePatient } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Messages that arrive together share one transaction (a group commit). Whatever arrives
// with them, each message must be answered, and leave the person index, exactly as it would
// have had the messages come one after another — this file sends the same stream both ways.

const ed: Requester = { sub: 'pas-interface', agency: 'ods:RR8', role: 'unscheduled-care', purposeClaim: 'TREAT', purpose: 'direct-care' };
const la: Requester = { sub: 'case-system', agency: 'la:383', role: 'la-social-worker', purposeClaim: 'statutory-return', purpose: 'statutory-return' };
const LA_CHILD = 'https://sgw.example/fhir/Id/la-child-id/383';

const [A, B, C, D, E, F] = [100, 200, 300, 400, 500, 600].map((n) => testNhsNumber(n)) as [string, string, string, string, string, string];

/** An LA case-system Patient: an LA child id, an NHS number only when given. */
function laPatient(o: { id: string; nhs?: string; given: string; family: string; birthDate: string; line: string; postcode: string }) {
  const p = ukCorePatient(o.nhs ?? A, o.id);
  return {
    ...p,
    identifier: o.nhs ? p.identifier : [{ system: LA_CHILD, value: o.id }],
    name: [{ family: o.family, given: [o.given] }],
    birthDate: o.birthDate,
    address: [{ line: [o.line], city: 'Leeds', postalCode: o.postcode }],
  };
}

/**
 * The stream, in three waves: new children, siblings at one address, another agency's record
 * of one found by the model; then, once those are known, a re-send, a move, another agency's
 * view of a known child, a merge and a new child after it; then refusals among good messages.
 * Within a wave each known child appears once, so the batch resolves them from what it
 * looked up; a child touched earlier in the batch is resolved the ordinary way.
 */
const hospital = (o: Parameters<typeof adt>[0]) => ({ from: ed, format: 'hl7v2' as const, body: adt(o) });
const caseSystem = (p: object) => ({ from: la, format: 'fhir-r4-json' as const, body: JSON.stringify(p) });
const amelia = { nhs: A, mrn: 'HA', visit: 'VA1', control: 'CA1', family: 'GROUPCOMMIT', given: 'AMELIA', birthDate: '20150304', street: '4 MILL LANE', postcode: 'LS6 2AB' };
const isla = { nhs: E, mrn: 'HE', visit: 'VE1', control: 'CE1', family: 'QUEUESON', given: 'ISLA', birthDate: '20190505', street: '2 PARK AVENUE', postcode: 'LS8 1AA' };
const WAVES = [
  [
    hospital(amelia),
    // A sibling at the same address: a candidate of A's (held back in the batch) that is not A.
    hospital({ nhs: B, mrn: 'HB', visit: 'VB1', control: 'CB1', family: 'GROUPCOMMIT', given: 'OSCAR', birthDate: '20180911', sex: 'M', street: '4 MILL LANE', postcode: 'LS6 2AB' }),
    // The LA's record of B (LA child id only, a spelling of the name): the model links it or opens a review.
    caseSystem(laPatient({ id: 'LA-B', given: 'Oskar', family: 'Groupcommit', birthDate: '2018-09-11', line: '4 Mill Lane', postcode: 'LS6 2AB' })),
    hospital({ nhs: D, mrn: 'HD', visit: 'VD1', control: 'CD1', family: 'BATCHWELL', given: 'NOAH', birthDate: '20120102', sex: 'M', street: '1 HIGH STREET', postcode: 'LS1 4DY' }),
    hospital(isla),
    // Isla's double at her address with another NHS number: someone else.
    hospital({ ...isla, nhs: F, mrn: 'HG', visit: 'VG1', control: 'CG1' }),
  ],
  [
    // A's first message again: unchanged.
    hospital(amelia),
    // B re-attends from a new address: a new attendance, B updated and moved household.
    hospital({ nhs: B, mrn: 'HB', visit: 'VB2', control: 'CB2', family: 'GROUPCOMMIT', given: 'OSCAR', birthDate: '20180911', sex: 'M', street: '9 OAK ROAD', postcode: 'LS7 3CD' }),
    // The LA's view of D (NHS number + LA child id, its own spelling): a second source on D, folded after the hospital's.
    caseSystem(laPatient({ id: 'LA-D', nhs: D, given: 'Noah', family: 'Batchwell', birthDate: '2012-01-02', line: '1 High Street', postcode: 'LS1 4DY' })),
    // An LA child (LA child id only), then the record naming it and A's NHS number: a merge.
    caseSystem(laPatient({ id: 'LA-X', given: 'Amelia', family: 'Fernsby', birthDate: '2015-03-04', line: '77 Low Road', postcode: 'LS9 9ZZ' })),
    caseSystem(laPatient({ id: 'LA-X', nhs: A, given: 'Amelia', family: 'Groupcommit', birthDate: '2015-03-04', line: '4 Mill Lane', postcode: 'LS6 2AB' })),
    // A new child after the merge.
    hospital({ nhs: C, mrn: 'HC', visit: 'VC1', control: 'CC1', family: 'STREAMLY', given: 'ARLO', birthDate: '20210707', sex: 'M', street: '5 PARK AVENUE', postcode: 'LS8 1AC' }),
  ],
  [
    hospital({ ...amelia, visit: 'VA2', control: 'CA2' }),
    // PID-3 with an MRN only (not yet traced): stored under the hospital number.
    hospital({ noNhs: true, mrn: 'HF', visit: 'VF1', control: 'CF1', family: 'STREAMLY', given: 'LEO', birthDate: '20200606', sex: 'M', street: '3 PARK AVENUE', postcode: 'LS8 1AB' }),
    // E's verified NHS number with another date of birth: refused, changing nothing.
    hospital({ ...isla, visit: 'VE2', control: 'CE2', birthDate: '20160304' }),
    hospital({ nhs: F, mrn: 'HG', visit: 'VG2', control: 'CG2', family: 'QUEUESON', given: 'ISLA', birthDate: '20190505', street: '2 PARK AVENUE', postcode: 'LS8 1AA' }),
  ],
];
const STREAM = WAVES.flat();

type Answer = { status: number; records?: unknown[]; issues?: unknown[] };

async function send(t: TestGateway, m: (typeof STREAM)[number], n: number): Promise<Answer> {
  const scope: AuditScope = { requestId: `message-${n}`, requester: m.from, action: 'create', resourceType: `Ingest:${m.format}`, query: null, audited: false };
  try {
    const [message] = await readMessages(m.format, m.body);
    const out = await ingestMessage(t.gateway.ctx, scope, m.from, message!, { store: true });
    return { status: 200, records: out.records.map((r) => ({ type: r.type, id: r.id, outcome: r.outcome, method: r.match?.method, reviews: r.match?.reviews.length, merged: r.match?.merged.length })) };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { status: err.status, issues: err.issues.map((i) => ({ expression: i.expression, diagnostics: i.diagnostics })) };
  }
}

/** What the index and records hold, without times (a group commit has one transaction time). */
async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const q = (sql: string) => db.query(sql);
  return {
    persons: await q('SELECT id, record, merged_into FROM persons ORDER BY id'),
    sources: await q('SELECT id, owner, person_id, record, link, probability FROM person_sources ORDER BY id'),
    // The order of a person's sources, which its record is folded in.
    sourceOrder: await q('SELECT person_id, array_agg(id ORDER BY updated_at, id) AS ids FROM person_sources GROUP BY person_id ORDER BY person_id'),
    identifiers: await q('SELECT system, value, person_id, verification_status FROM person_identifiers ORDER BY system, value'),
    sourceIdentifiers: await q('SELECT system, value, source_id FROM person_source_identifiers ORDER BY source_id, system, value'),
    keys: await q('SELECT key, source_id FROM person_blocking_keys ORDER BY source_id, key'),
    households: await q('SELECT h.id, h.key, m.person_id FROM households h LEFT JOIN household_members m ON m.household_id = h.id ORDER BY h.id, m.person_id'),
    records: await q('SELECT id, type, person_id, record, source_id, household_id FROM canonical_records ORDER BY id'),
    reviews: await q('SELECT id, source_id, candidate_person_id, status FROM match_reviews ORDER BY id'),
    audit: (await q('SELECT entry FROM audit_log ORDER BY seq')).map((r) => {
      const { recordedAt: _r, requestId: _q, ...rest } = (r as { entry: Record<string, unknown> }).entry;
      return rest;
    }),
  };
}

// Both ways of running the person index: in clear, and pseudonymised (the same keys for both
// gateways, so their blocking keys and households compare; test keys, made up here).
const dataKeysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-group-commit-')), 'data-keys.json');
fs.writeFileSync(dataKeysFile, JSON.stringify({ 'ods:RR8': Buffer.alloc(32, 1).toString('base64'), 'la:383': Buffer.alloc(32, 2).toString('base64') }));
describe.each([
  ['in clear', {}],
  ['pseudonymised', { SGW_MATCHING_MODE: 'pseudonymised', SGW_LINKAGE_KEY: Buffer.alloc(32, 7).toString('base64'), SGW_DATA_KEYS_FILE: dataKeysFile }],
] as const)('messages committed together (group commit), person index %s', (mode, env) => {
  let oneByOne: TestGateway;
  let together: TestGateway;
  let sequential: Answer[];
  let concurrent: Answer[];
  let transactions = 0;

  beforeAll(async () => {
    [oneByOne, together] = await Promise.all([createTestGateway(undefined, env), createTestGateway(undefined, env)]);
    sequential = [];
    for (const [n, m] of STREAM.entries()) sequential.push(await send(oneByOne, m, n));
    // Count the transactions the concurrent run takes.
    const db = together.testDb.db;
    const transaction = db.transaction.bind(db);
    db.transaction = (fn) => {
      transactions++;
      return transaction(fn);
    };
    concurrent = [];
    for (const wave of WAVES) {
      const from = concurrent.length;
      concurrent.push(...(await Promise.all(wave.map((m, i) => send(together, m, from + i)))));
    }
  });

  afterAll(async () => {
    await Promise.all([oneByOne?.dispose(), together?.dispose()]);
  });
  it('answers every message as one after another would: created, unchanged, updated, linked, merged, refused', () => {
    expect(concurrent).toEqual(sequential);
    // The stream does what it says.
    const persons = sequential.map((a) => (a.records as { type: string; outcome: string; method: string }[] | undefined)?.find((r) => r.type === 'Person'));
    expect(persons.map((p) => p && `${p.outcome}/${p.method}`)).toEqual([
      'created/new',
      'created/new',
      expect.stringMatching(/^(created\/new|updated\/model)$/),
      'created/new',
      'created/new',
      'created/new',
      'unchanged/nhs-number',
      // B's move: pseudonymised, a person's own row keeps identifiers only, so it does not change.
      mode === 'in clear' ? 'updated/nhs-number' : 'unchanged/nhs-number',
      'updated/nhs-number',
      'created/new',
      'updated/identifier',
      'created/new',
      // A re-attends after the merge: the hospital's source, written now, folds last again.
      'updated/nhs-number',
      // Known to the hospital by its MRN only: a new person, matched later on demographics.
      'created/new',
      undefined,
      'unchanged/nhs-number',
    ]);
    const laB = (sequential[2]!.records as { type: string; method: string; reviews: number }[]).find((r) => r.type === 'Person')!;
    expect(laB.method === 'model' || laB.reviews > 0).toBe(true);
    expect((sequential[10]!.records as { type: string; merged: number }[]).find((r) => r.type === 'Person')!.merged).toBe(1);
    expect(sequential[14]).toMatchObject({ status: 422, issues: expect.arrayContaining([expect.objectContaining({ diagnostics: expect.stringMatching(/different date of birth/) })]) });
  });

  it('leaves the person index, the records and the audit log as one after another would, the refused message changing nothing', async () => {
    expect(await snapshot(together.testDb.db)).toEqual(await snapshot(oneByOne.testDb.db));
  });

  it('shares transactions: a wave with a refusal costs one retry, not a transaction per message', () => {
    // A transaction a wave; the wave with refusals: a shared attempt rolled back, then its careful retry.
    expect(transactions).toBe(WAVES.length + 1);
  });
});

describe('POST /ingest while other messages are in flight', () => {
  it('refuses a bad message with the field named while the ones sent with it are stored, each audited once', async () => {
    const t = await createTestGateway();
    try {
      const token = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
      const post = (body: string) => request(t.gateway.app).post('/ingest').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/hl7-v2').send(body);
      const good = [0, 1, 2, 3, 4, 5].map((i) => adt({ nhs: testNhsNumber(2000 + i * 10), mrn: `HP${i}`, visit: `VP${i}`, control: `CP${i}`, given: `KIT${'ABCDEF'[i]}`, family: `POSTER${'ABCDEF'[i]}` }));
      // The twin of message 0 sent by another hospital number: its NHS number is verified with another date of birth.
      const bad = adt({ nhs: testNhsNumber(2000), mrn: 'HP0', visit: 'VPX', control: 'CPX', given: 'KITA', family: 'POSTERA', birthDate: '20010101' });
      await post(good[0]!); // the child the bad message clashes with is already known
      const answers = await Promise.all([...good.slice(1, 3), bad, ...good.slice(3)].map(post));
      expect(answers.map((r) => r.status)).toEqual([201, 201, 422, 201, 201, 201]);
      expect(answers[2]!.body.issue[0]).toMatchObject({ expression: [expect.stringMatching(/^PID/)], diagnostics: expect.stringMatching(/different date of birth/) });
      const [row] = await t.testDb.db.query<{ n: number; refused: number }>("SELECT count(*)::int AS n, count(*) FILTER (WHERE entry->>'status' = '422')::int AS refused FROM audit_log WHERE entry->>'resourceType' LIKE 'Ingest%'");
      expect(row).toEqual({ n: 7, refused: 1 });
      const [visits] = await t.testDb.db.query<{ n: number }>("SELECT count(*)::int AS n FROM canonical_records WHERE type = 'Attendance'");
      expect(visits!.n).toBe(6);
    } finally {
      await t.dispose();
    }
  });
});

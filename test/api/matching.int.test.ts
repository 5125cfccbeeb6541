import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, careTeam, testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, ukCorePatient } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import { createMatcher } from '../../src/matching/matcher.js';
import { clearIndexMode } from '../../src/services/index-mode.js';

let t: TestGateway;
let la: string;
let laCase: string;
let ed: string;

const LA_CHILD = 'https://sgw.example/fhir/Id/la-child-id/383';

function post(path: string, body: string | Buffer | object, type: string, token: string) {
  return request(t.gateway.app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body);
}

async function ingestAdt(o: Parameters<typeof adt>[0]) {
  const res = await post('/ingest', adt(o), 'application/hl7-v2', ed);
  expect([res.status, res.body.issue ?? null]).toEqual([res.status < 300 ? res.status : 201, null]);
  return res.body.records.find((r: any) => r.type === 'Person');
}

async function ingestPatient(patient: object) {
  const res = await post('/ingest', patient, 'application/fhir+json', laCase);
  expect([res.status, res.body.issue ?? null]).toEqual([res.status < 300 ? res.status : 201, null]);
  return res.body.records.find((r: any) => r.type === 'Person');
}

/**
 * The person as the index holds them, read by an LA social worker. The hospital's records
 * reach social care only with consent or a recorded safeguarding override
 * (config/agreements/leeds-health-to-social-care.yaml), so the read gives a reason.
 */
async function person(id: string, token = laCase) {
  const res = await request(t.gateway.app).get(`/people/${id}`).set('Authorization', `Bearer ${token}`).set('Override-Reason', 'checking who the person index joined for a section 47 enquiry');
  expect(res.status).toBe(200);
  return res.body;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}

/** A FHIR Patient from the LA's case system: LA child id only (no NHS number), demographics. */
function laPatient(o: { id: string; given: string; family?: string; gender?: string; birthDate?: string; line?: string; postcode?: string }) {
  return {
    resourceType: 'Patient',
    identifier: [{ system: LA_CHILD, value: o.id }],
    name: [{ use: 'official', family: o.family ?? 'Testerton', given: [o.given] }],
    gender: o.gender ?? 'male',
    birthDate: o.birthDate ?? '2016-07-21',
    address: [{ line: [o.line ?? '12 Sample Road'], city: 'Leeds', postalCode: o.postcode ?? 'LS6 2AB' }],
  };
}

/** The same child as a hospital ADT: NHS number and MRN, the same demographics. */
function hospitalAdt(o: { nhs: string; mrn: string; given: string; family?: string; sex?: string; birthDate?: string; control: string }) {
  return { nhs: o.nhs, mrn: o.mrn, given: o.given.toUpperCase(), family: (o.family ?? 'Testerton').toUpperCase(), sex: o.sex ?? 'M', birthDate: (o.birthDate ?? '2016-07-21').replace(/-/g, ''), street: '12 SAMPLE ROAD', postcode: 'LS6 2AB', visit: `V-${o.control}`, control: o.control };
}

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'statutory-return');
  laCase = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-1');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
});
afterAll(async () => t.dispose());

describe('resolve stage: one child across agencies', () => {
  it('CIN census (LA child id + UPN), ADT (NHS number + MRN) and a FHIR Patient (NHS number + LA child id) become one person', async () => {
    const nhs = testNhsNumber(4100);
    const cin = await post('/ingest', cinCensus([{ id: 'MATCHC1', upn: 'A123456789012', birthDate: '2015-03-04' }]), 'application/xml', la);
    expect([cin.status, cin.body.issue ?? null]).toEqual([201, null]);
    const hospital = await ingestAdt({ nhs, mrn: 'H4100', control: 'M-4100' });
    expect(hospital.id).not.toBe(cin.body.records[0].id);
    // The Patient's identifiers name both people, who agree on everything: they are joined.
    const fhir = await ingestPatient(ukCorePatient(nhs, 'MATCHC1'));
    expect(fhir.match).toMatchObject({ method: 'identifier' });
    expect(fhir.match.merged).toHaveLength(1);
    const joined = await person(fhir.id);
    expect(joined.person.identifiers.map((i: any) => i.system).sort()).toEqual([NHS_SYSTEM, LA_CHILD, 'https://sgw.example/fhir/Id/local-patient-identifier/RR8/MR', 'https://sgw.example/fhir/Id/upn'].sort());
    // One source record per agency: the LA's census child and its FHIR Patient are one view.
    expect(joined.sources.map((s: any) => s.agency).sort()).toEqual(['la:383', 'ods:RR8']);
    // The person merged away answers as the one it joined.
    const other = [cin.body.records[0].id, hospital.id].find((id) => id !== fhir.id)!;
    expect((await person(other)).person.id).toBe(fhir.id);
    // The census child's case events and the hospital attendance now belong to the one person.
    expect(await count("canonical_records WHERE person_id = $1 AND type IN ('CaseEvent', 'Attendance')", [fhir.id])).toBeGreaterThanOrEqual(2);
    expect(await count('canonical_records WHERE person_id = $1', [other])).toBe(0);
  });

  it('links a record with no shared identifier by the model when everything agrees', async () => {
    const fromLa = await ingestPatient(laPatient({ id: 'MODEL-1', given: 'Jack' }));
    expect(fromLa.match.method).toBe('new');
    const fromHospital = await ingestAdt(hospitalAdt({ nhs: testNhsNumber(4200), mrn: 'H4200', given: 'Jack', control: 'M-4200' }));
    expect(fromHospital.id).toBe(fromLa.id);
    expect(fromHospital.match.method).toBe('model');
    expect(fromHospital.match.probability).toBeGreaterThanOrEqual(t.gateway.ctx.matcher.model.thresholds.match);
  });

  it('keeps twins at one address apart: different first names are never linked automatically, only queued for review', async () => {
    const twin1 = await ingestPatient(laPatient({ id: 'TWIN-1', given: 'Oliver', family: 'Pemberton', line: '3 Twin Lane', postcode: 'LS7 3CD', birthDate: '2019-02-02' }));
    const twin2 = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4300), mrn: 'H4300', given: 'Olivia', family: 'Pemberton', sex: 'M', birthDate: '2019-02-02', control: 'M-4300' }), street: '3 TWIN LANE', postcode: 'LS7 3CD' });
    expect(twin2.id).not.toBe(twin1.id);
    expect(twin2.match.method).toBe('new');
    // A sibling with a different first name at the same address is a person of their own too.
    const sibling = await ingestPatient(laPatient({ id: 'TWIN-2', given: 'Harriet', family: 'Pemberton', gender: 'female', line: '3 Twin Lane', postcode: 'LS7 3CD', birthDate: '2019-02-02' }));
    expect(new Set([twin1.id, twin2.id, sibling.id]).size).toBe(3);
  });

  it('never links a record to a person who holds another NHS number through another agency’s record', async () => {
    // The LA knows the child by its child id only; the hospital adds NHS number A.
    const fromLa = await ingestPatient(laPatient({ id: 'NHSGUARD1', given: 'Wilfred', family: 'Ashdown', line: '8 Guard Street', postcode: 'LS4 4GG', birthDate: '2010-10-10' }));
    const withNhs = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(5400), mrn: 'H5400', given: 'Wilfred', family: 'Ashdown', birthDate: '2010-10-10', control: 'M-5400' }), street: '8 GUARD STREET', postcode: 'LS4 4GG' });
    expect(withNhs.id).toBe(fromLa.id);
    // Another hospital's record, alike in every field but with NHS number B, is someone else.
    const res = await post('/ingest', adt({ nhs: testNhsNumber(5401), mrn: 'H5401', given: 'WILFRED', family: 'ASHDOWN', sex: 'M', birthDate: '20101010', street: '8 GUARD STREET', postcode: 'LS4 4GG', control: 'M-5401', visit: 'V-5401' }), 'application/hl7-v2', await t.token('ods:RYJ', 'unscheduled-care', 'TREAT'));
    expect(res.status).toBe(201);
    const other = res.body.records.find((r: any) => r.type === 'Person');
    expect(other.id).not.toBe(fromLa.id);
    expect((await person(fromLa.id)).person.identifiers.filter((i: any) => i.system === NHS_SYSTEM)).toHaveLength(1);
  });

  it('does not queue every child born on one day: records with no name to compare are not even possible matches', async () => {
    const census = await post('/ingest', cinCensus(Array.from({ length: 8 }, (_, i) => ({ id: `NONAME${i}`, birthDate: '2012-12-12' }))), 'application/xml', la);
    expect(census.status).toBe(201);
    const reviewsBefore = await count("match_reviews WHERE status = 'open'");
    const hospital = await ingestAdt({ nhs: testNhsNumber(5300), mrn: 'H5300', control: 'M-5300', birthDate: '20121212' });
    expect(hospital.match).toMatchObject({ method: 'new', reviews: [] });
    expect(await count("match_reviews WHERE status = 'open'")).toBe(reviewsBefore);
  });

  it('refuses, and changes nothing, when a verified NHS number arrives with another date of birth', async () => {
    const nhs = testNhsNumber(4400);
    await ingestAdt({ nhs, mrn: 'H4400', control: 'M-4400', birthDate: '20150304' });
    const before = await count('persons');
    const res = await post('/ingest', adt({ nhs, mrn: 'H4400', control: 'M-4401', birthDate: '20150403' }), 'application/hl7-v2', ed);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('different date of birth');
    expect(await count('persons')).toBe(before);
  });
});

describe('one index for every route in', () => {
  it('a plan recorded through POST /fhir/CareTeam and a later hospital ADT for the same NHS number are one person', async () => {
    const nhs = testNhsNumber(4900);
    const planned = await post('/fhir/CareTeam', careTeam(nhs), 'application/fhir+json', laCase);
    expect(planned.status).toBe(201);
    const hospital = await ingestAdt({ nhs, mrn: 'H4900', control: 'M-4900' });
    expect(hospital.match.method).toBe('nhs-number');
    expect(await count('person_identifiers WHERE system = $1 AND value = $2', [NHS_SYSTEM, nhs])).toBe(1);
    const p = await person(hospital.id, ed);
    expect(p.sources.map((s: any) => s.agency).sort()).toEqual(['la:383', 'ods:RR8']);
  });
});

describe('concurrent arrivals', () => {
  it('the same child arriving from two agencies at once becomes one person', async () => {
    const nhs = testNhsNumber(5100);
    const sends = [
      post('/ingest', ukCorePatient(nhs, 'CONC1'), 'application/fhir+json', laCase),
      post('/ingest', adt({ nhs, mrn: 'H5100', control: 'M-5100' }), 'application/hl7-v2', ed),
      post('/ingest', cinCensus([{ id: 'CONC1', upn: 'C223456789012', birthDate: '2015-03-04' }]), 'application/xml', la),
    ];
    const results = await Promise.all(sends);
    // 201 when the message created something, 200 when it only updated: which depends on the order they ran in.
    expect(results.map((r) => [[200, 201].includes(r.status), r.body.issue?.[0]?.diagnostics ?? null])).toEqual(results.map(() => [true, null]));
    const ids = new Set(results.map((r) => r.body.records.find((x: any) => x.type === 'Person').id));
    const finalIds = new Set(await Promise.all([...ids].map(async (id) => (await person(id as string)).person.id)));
    expect(finalIds.size).toBe(1);
    expect(await count('person_identifiers WHERE system = $1 AND value = $2', [NHS_SYSTEM, nhs])).toBe(1);
  });
});

describe('households', () => {
  it('puts siblings at one address in one household, with the next of kin the hospital sent; another flat is another household', async () => {
    const older = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(5000), mrn: 'H5000', given: 'Maisie', family: 'Holloway', sex: 'F', birthDate: '2013-03-03', control: 'M-5000' }), street: 'FLAT 4, 20 HOME ROW', postcode: 'LS8 8HH' });
    const younger = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(5001), mrn: 'H5001', given: 'Toby', family: 'Holloway', birthDate: '2016-06-06', control: 'M-5001' }), street: 'Flat 4 20 Home Row', postcode: 'ls88hh' });
    const neighbour = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(5002), mrn: 'H5002', given: 'Ada', family: 'Neighbour', sex: 'F', birthDate: '2014-04-04', control: 'M-5002' }), street: 'FLAT 5, 20 HOME ROW', postcode: 'LS8 8HH' });
    expect(new Set([older.id, younger.id, neighbour.id]).size).toBe(3);
    const a = await person(older.id, ed);
    const b = await person(younger.id, ed);
    expect(a.household.id).toBe(b.household.id);
    expect(a.household.members.sort()).toEqual([older.id, younger.id].sort());
    expect(a.household.basis).toBe('address');
    // Each ADT carried an NK1: both relationships attach to the household.
    expect(a.household.relationships).toHaveLength(2);
    expect((await person(neighbour.id, ed)).household.id).not.toBe(a.household.id);
  });
});

describe('review queue and people’s decisions', () => {
  let reviewId: string;
  let a: { id: string };
  let b: { id: string };

  it('puts a possible match in the queue with the model’s reasons', async () => {
    a = await ingestPatient(laPatient({ id: 'REV-1', given: 'Samuel', family: 'Ashworth', line: '9 Queue Street', postcode: 'LS9 9QQ', birthDate: '2014-05-06' }));
    // Same child in hospital under a nickname, a day/month-swapped date and a new address.
    b = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4500), mrn: 'H4500', given: 'Sam', family: 'Ashworth', birthDate: '2014-06-05', control: 'M-4500' }), street: '1 OTHER PLACE', postcode: 'LS9 1XY' });
    expect((b as any).match.method).toBe('new');
    expect((b as any).match.reviews).toHaveLength(1);
    reviewId = (b as any).match.reviews[0];
    const res = await request(t.gateway.app).get('/matching/reviews').set('Authorization', `Bearer ${laCase}`);
    expect(res.status).toBe(200);
    const review = res.body.reviews.find((r: any) => r.id === reviewId);
    expect(review).toMatchObject({ status: 'open', record: { id: b.id }, candidate: { id: a.id } });
    expect(review.probability).toBeGreaterThanOrEqual(t.gateway.ctx.matcher.model.thresholds.possible);
    expect(review.explanation.comparisons.map((c: any) => c.comparison)).toEqual(['givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address']);
    // The reviewer sees which identifiers each side holds, not their values.
    expect(JSON.stringify(review)).not.toContain(testNhsNumber(4500));
  });

  it('is for local-authority safeguarding staff only, and says what a decision needs', async () => {
    expect((await request(t.gateway.app).get('/matching/reviews').set('Authorization', `Bearer ${ed}`)).status).toBe(403);
    const noReason = await post(`/matching/reviews/${reviewId}`, { decision: 'link' }, 'application/json', laCase);
    expect(noReason.status).toBe(400);
    expect(noReason.body.issue[0].expression).toEqual(['reason']);
    const badDecision = await post(`/matching/reviews/${reviewId}`, { decision: 'merge', reason: 'x' }, 'application/json', laCase);
    expect(badDecision.status).toBe(400);
    expect(badDecision.body.issue[0].diagnostics).toContain("'link' or 'not-a-match'");
    expect((await post('/matching/reviews/nope', { decision: 'link', reason: 'x' }, 'application/json', laCase)).status).toBe(404);
    expect((await request(t.gateway.app).get('/matching/reviews?status=maybe').set('Authorization', `Bearer ${laCase}`)).status).toBe(400);
  });

  it('links on a person’s decision, audits it with the reason, and the link survives re-ingest', async () => {
    const res = await post(`/matching/reviews/${reviewId}`, { decision: 'link', reason: 'same child: confirmed with the school nurse' }, 'application/json', laCase);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('linked');
    expect((await person(a.id)).person.id).toBe((await person(b.id)).person.id);
    const [entry] = await t.testDb.db.query<{ entry: any }>("SELECT entry FROM audit_log WHERE entry->>'resourceType' = 'MatchReview' AND entry->>'action' = 'update' ORDER BY seq DESC LIMIT 1");
    expect(entry!.entry).toMatchObject({ outcome: 'permit', reason: 'link: same child: confirmed with the school nurse', actor: { sub: 'sw-1', agency: 'la:383' } });
    // Deciding again is refused: the review is closed.
    expect((await post(`/matching/reviews/${reviewId}`, { decision: 'not-a-match', reason: 'changed my mind' }, 'application/json', laCase)).status).toBe(409);
    // Re-sending both records changes nothing about who they are.
    const again = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4500), mrn: 'H4500', given: 'Sam', family: 'Ashworth', birthDate: '2014-06-05', control: 'M-4500' }), street: '1 OTHER PLACE', postcode: 'LS9 1XY' });
    const laAgain = await ingestPatient(laPatient({ id: 'REV-1', given: 'Samuel', family: 'Ashworth', line: '9 Queue Street', postcode: 'LS9 9QQ', birthDate: '2014-05-06' }));
    expect(again.id).toBe(laAgain.id);
    expect(again.match.method).toBe('manual');
  });

  it('unlinks one agency’s record into a person of its own; re-ingest does not join them again', async () => {
    const joined = await person(a.id);
    const hospitalSource = joined.sources.find((s: any) => s.agency === 'ods:RR8');
    const res = await post('/matching/unlink', { person: joined.person.id, source: hospitalSource.id, reason: 'different child: checked the birth certificate' }, 'application/json', laCase);
    expect(res.status).toBe(200);
    expect(res.body.newPerson).not.toBe(joined.person.id);
    const again = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4500), mrn: 'H4500', given: 'Sam', family: 'Ashworth', birthDate: '2014-06-05', control: 'M-4500' }), street: '1 OTHER PLACE', postcode: 'LS9 1XY' });
    expect(again.id).toBe(res.body.newPerson);
    const left = await person(joined.person.id);
    expect(left.person.identifiers.some((i: any) => i.system === NHS_SYSTEM)).toBe(false);
    expect((await person(res.body.newPerson, ed)).records.map((r: any) => r.type)).toContain('Attendance');
    // Unlinking a record from itself is refused.
    const alone = await post('/matching/unlink', { person: res.body.newPerson, source: hospitalSource.id, reason: 'x' }, 'application/json', laCase);
    expect(alone.status).toBe(409);
  });

  it('links and separates any two people on a person’s word, and not-a-match is kept', async () => {
    const x = await ingestPatient(laPatient({ id: 'MAN-1', given: 'Priya', family: 'Kaur', gender: 'female', line: '1 Hill Top', postcode: 'LS1 4AA', birthDate: '2012-01-01' }));
    const y = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4600), mrn: 'H4600', given: 'Preeya', family: 'Kaur-Singh', sex: 'F', birthDate: '2012-01-01', control: 'M-4600' }), street: '77 VALLEY ROAD', postcode: 'BD1 1AA' });
    expect(y.id).not.toBe(x.id);
    const noMatch = await post('/matching/not-a-match', { records: [x.id, y.id], reason: 'cousins' }, 'application/json', laCase);
    expect(noMatch.status).toBe(200);
    const link = await post('/matching/link', { records: [x.id, y.id], reason: 'same child after all: adoption name change' }, 'application/json', laCase);
    expect(link.status).toBe(200);
    expect((await person(x.id)).person.id).toBe((await person(y.id)).person.id);
    expect((await post('/matching/link', { records: [x.id, y.id], reason: 'again' }, 'application/json', laCase)).status).toBe(409);
    expect((await post('/matching/link', { records: [x.id], reason: 'x' }, 'application/json', laCase)).status).toBe(400);
    expect((await post('/matching/link', { records: [x.id, 'no-such-person'], reason: 'x' }, 'application/json', laCase)).status).toBe(404);
    expect((await post('/matching/link', { records: [x.id, y.id], reason: 'x' }, 'application/json', ed)).status).toBe(403);
  });
});

describe('decisions outlive the model', () => {
  it('a not-a-match and an unlink stay as decided after the model is retrained to link anything', async () => {
    const x = await ingestPatient(laPatient({ id: 'RETRAIN1', given: 'Imogen', family: 'Farrow', gender: 'female', line: '4 Keep Lane', postcode: 'LS3 3KK', birthDate: '2011-11-11' }));
    const yMessage = { ...hospitalAdt({ nhs: testNhsNumber(5200), mrn: 'H5200', given: 'Imogen', family: 'Farrow', sex: 'F', birthDate: '2011-11-11', control: 'M-5200' }), street: '4 KEEP LANE', postcode: 'LS3 3KK' };
    const y = await ingestAdt(yMessage);
    expect(y.id).toBe(x.id); // the model linked them
    const joined = await person(x.id);
    const hospitalSource = joined.sources.find((s: any) => s.agency === 'ods:RR8');
    expect((await post('/matching/unlink', { person: x.id, source: hospitalSource.id, reason: 'two girls of one name: checked with the school' }, 'application/json', laCase)).status).toBe(200);
    // "Retrain": a model that would link any two records that share a blocking key.
    const ctx = t.gateway.ctx;
    const saved = ctx.index;
    ctx.index = clearIndexMode(createMatcher({ ...ctx.matcher.model, thresholds: { match: 1e-9, possible: 1e-12 } }));
    try {
      const again = await ingestAdt(yMessage);
      const laAgain = await ingestPatient(laPatient({ id: 'RETRAIN1', given: 'Imogen', family: 'Farrow', gender: 'female', line: '4 Keep Lane', postcode: 'LS3 3KK', birthDate: '2011-11-11' }));
      expect(again.id).not.toBe(laAgain.id);
      expect(again.match.method).toBe('manual');
    } finally {
      ctx.index = saved;
    }
  });
});

describe('POST /fhir/Patient/$match', () => {
  const match = (body: object, token = ed) => post('/fhir/Patient/$match', body, 'application/fhir+json', token);
  const params = (patient: object, extra: object[] = []) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, ...extra] });
  const grades = (res: request.Response) => (res.body.entry ?? []).map((e: any) => [e.resource.id, e.search.extension[0].valueCode]);

  it('grades a verified NHS number with the same date of birth certain, with score 1', async () => {
    const nhs = testNhsNumber(4700);
    const p = await ingestAdt({ nhs, mrn: 'H4700', control: 'M-4700' });
    const res = await match(params({ resourceType: 'Patient', identifier: [{ system: NHS_SYSTEM, value: nhs, extension: (ukCorePatient(nhs, 'x') as any).identifier[0].extension }], birthDate: '2015-03-04' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(res.body.entry[0]).toMatchObject({ resource: { resourceType: 'Patient', id: p.id }, search: { mode: 'match', score: 1, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'certain' }] } });
  });

  it('grades demographics by the model, best first, and shows a look-alike with another NHS number as certainly-not', async () => {
    const jack = await ingestPatient(laPatient({ id: 'FM-1', given: 'Reuben', family: 'Fairweather', line: '5 Match Street', postcode: 'LS2 7MM', birthDate: '2017-09-09' }));
    const other = await ingestAdt({ ...hospitalAdt({ nhs: testNhsNumber(4800), mrn: 'H4800', given: 'Reuben', family: 'Fairweather', birthDate: '2017-09-09', control: 'M-4800' }), street: '5 MATCH STREET', postcode: 'LS2 7MM' });
    expect(other.id).toBe(jack.id);
    const probe = { resourceType: 'Patient', name: [{ family: 'Fairweather', given: ['Reuben'] }], gender: 'male', birthDate: '2017-09-09', address: [{ postalCode: 'LS2 7MM', line: ['5 Match Street'] }] };
    const res = await match(params(probe));
    expect(grades(res)[0]).toEqual([jack.id, 'probable']);
    expect(res.body.entry[0].search.score).toBeGreaterThan(0.9);
    const withOtherNhs = await match(params({ ...probe, identifier: [{ system: NHS_SYSTEM, value: testNhsNumber(4801) }] }));
    expect(grades(withOtherNhs)).toContainEqual([jack.id, 'certainly-not']);
    const only = await match(params(probe, [{ name: 'onlyCertainMatches', valueBoolean: true }]));
    expect(only.body.total).toBe(0);
  });

  it('answers bad input with an OperationOutcome naming the parameter, and audits the search', async () => {
    expect((await match({ resourceType: 'Parameters', parameter: [] })).status).toBe(422);
    const count = await match(params({ resourceType: 'Patient', birthDate: '2017-09-09', name: [{ family: 'X' }] }, [{ name: 'count', valueInteger: 0 }]));
    expect(count.status).toBe(400);
    expect(count.body.issue[0].expression[0]).toContain('count');
    expect((await match(params({ resourceType: 'Patient', gender: 'male' }))).status).toBe(422);
    expect((await match(params({ resourceType: 'Patient', birthDate: '2017-09-09', name: [{ family: 'X' }] }), await t.token('la:383', 'la-social-worker', 'statutory-return'))).status).toBe(403);
    const [row] = await t.testDb.db.query<{ entry: any }>("SELECT entry FROM audit_log WHERE entry->>'resourceType' = 'Patient' AND entry->>'outcome' = 'deny' ORDER BY seq DESC LIMIT 1");
    expect(row!.entry.status).toBe(403);
  });
});

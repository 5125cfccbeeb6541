import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, testNhsNumber, VERIFIED } from '../helpers/fixtures.js';
import { adt, cinCensus } from '../helpers/messages.js';
import { describeFindings, scanLines } from '../helpers/personal-data-scan.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// A realistic day's traffic at debug level, with the logs captured: every line written
// while handling a request carries that request's id, and no line carries an NHS number,
// a name or a date of birth the traffic used.

let t: TestGateway;
let linesAtStart = 0;
const answeredIds = new Set<string>();

// Synthetic people, used only here, so a leak of theirs is unambiguous.
const CHILD = { nhs: testNhsNumber(470_000), family: 'Quellwright', given: 'Ottoline', birthDate: '2017-08-19' };
const SIBLING = { nhs: testNhsNumber(470_100), family: 'Brackenbury', given: 'Percival', birthDate: '2019-12-03' };
const ADULT = { family: 'Marchbanks', given: 'Thaddeus', birthDate: '1986-06-21' };
const NAMES = [CHILD.family, CHILD.given, SIBLING.family, SIBLING.given, ADULT.family, ADULT.given];
const DATES = [CHILD.birthDate, SIBLING.birthDate, ADULT.birthDate].flatMap((d) => [d, d.replaceAll('-', ''), d.split('-').reverse().join('/')]);
const spaced = (n: string) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;

const tokens: Record<string, string> = {};
let replacedId = false;

/** Sends a request and remembers the id it was answered under. */
async function send(req: request.Test): Promise<request.Response> {
  const res = await req;
  answeredIds.add(res.headers['x-request-id']!);
  return res;
}

const app = () => request(t.gateway.app);
const json = (r: request.Test, token: string, type = 'application/fhir+json') => r.set('Authorization', `Bearer ${token}`).set('Content-Type', type);

beforeAll(async () => {
  t = await createTestGateway(new Date(), { SGW_LOG_LEVEL: 'debug' });
  tokens.la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-logs');
  tokens.laReturn = await t.token('la:383', 'la-social-worker', 'statutory-return', 'sw-logs');
  tokens.ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT', 'dr-logs');
  tokens.police = await t.token('police:E23000010', 'police-submitter', 'safeguarding-s47', 'pc-logs');
  tokens.admin = await t.token('la:383', 'admin', 'audit', 'admin-logs');
  linesAtStart = t.logLines.length;

  const patient = (p: typeof CHILD) => ({
    resourceType: 'Patient',
    identifier: [{ system: NHS_SYSTEM, value: p.nhs, extension: VERIFIED }],
    name: [{ family: p.family, given: [p.given] }],
    birthDate: p.birthDate,
    gender: 'female',
  });
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:3f0e4b0a-0000-4000-8000-000000000001', resource: patient(CHILD), request: { method: 'POST', url: 'Patient' } },
      {
        resource: { resourceType: 'CareTeam', category: [{ coding: [{ system: 'http://snomed.info/sct', code: '342191000000101' }] }], subject: { reference: 'urn:uuid:3f0e4b0a-0000-4000-8000-000000000001' }, period: { start: '2026-09-01' } },
        request: { method: 'POST', url: 'CareTeam' },
      },
    ],
  };
  const hl7Date = (d: string) => d.replaceAll('-', '');
  const police = {
    force: 'E23000010',
    reference: '13/470001/26',
    type: 'domestic-abuse',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    location: { lines: ['2 Example Row'], city: 'Leeds', postcode: 'LS1 4AP' },
    persons: [
      { ref: 'c1', roles: ['subject-child'], nhsNumber: CHILD.nhs, name: { given: [CHILD.given], family: CHILD.family }, birthDate: CHILD.birthDate, present: true },
      { ref: 'c2', roles: ['subject-child'], nhsNumber: SIBLING.nhs, name: { given: [SIBLING.given], family: SIBLING.family }, birthDate: SIBLING.birthDate, present: false },
      { ref: 'a1', roles: ['alleged-perpetrator', 'household-member'], name: { given: [ADULT.given], family: ADULT.family }, birthDate: ADULT.birthDate },
    ],
    riskGrade: { grade: 'high', dashYesCount: 15 },
    officer: { collarNumber: '4521' },
    narrative: `SYNTHETIC-NARRATIVE ${ADULT.given} ${ADULT.family} shouted at ${CHILD.given}.`,
    circumstances: 'Police attended a domestic incident at the home overnight.',
    actionsTaken: [{ code: 'referral-to-childrens-social-care' }],
    familyTold: true,
  };

  // Ingest in every family.
  await send(json(app().post('/fhir'), tokens.la).send(JSON.stringify(bundle)));
  await send(json(app().post('/ingest'), tokens.ed, 'application/hl7-v2').send(adt({ nhs: SIBLING.nhs, family: SIBLING.family.toUpperCase(), given: SIBLING.given.toUpperCase(), birthDate: hl7Date(SIBLING.birthDate), visit: 'V4700' })));
  await send(json(app().post('/ingest'), tokens.laReturn, 'application/xml').send(cinCensus([{ id: 'CHILD4700', birthDate: CHILD.birthDate, cpp: { start: '2025-09-01' } }])));
  await send(json(app().post('/notifications'), tokens.police, 'application/json').send(JSON.stringify(police)));
  // CP-IS queries, unscheduled and scheduled, in both shapes, with and without spaces.
  await send(app().get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${CHILD.nhs}`).set('Authorization', `Bearer ${tokens.ed}`).set('IsUnscheduledAccessEvent', 'true'));
  await send(app().get(`/fhir/Flag?patient:identifier=${NHS_SYSTEM}|${encodeURIComponent(spaced(SIBLING.nhs))}`).set('Authorization', `Bearer ${tokens.ed}`).set('IsUnscheduledAccessEvent', 'false'));
  // Bad input that quotes personal data back at the sender (in the answer, never in the logs).
  const badDob = { ...patient(CHILD), birthDate: `${CHILD.birthDate}T25:99` };
  await send(json(app().post('/fhir/Patient'), tokens.la).send(JSON.stringify(badDob)));
  await send(json(app().post('/fhir'), tokens.la).send(`{"resourceType":"Bundle","entry":[{"resource":{"name":"${CHILD.family}"`));
  await send(json(app().post('/ingest'), tokens.ed, 'application/hl7-v2').send(`MSH|^~\\&|PAS|RR8\rPID|1||${CHILD.nhs}^^^NHS^NH||${CHILD.family}^${CHILD.given}||${hl7Date(CHILD.birthDate)}|F\r`));
  await send(json(app().post('/ingest'), tokens.laReturn, 'application/xml').send(`<Message><Children><Child><ChildIdentifiers><LAchildID>${CHILD.family}</LAchildID><PersonBirthDate>${CHILD.birthDate}`));
  await send(json(app().post('/notifications'), tokens.police, 'application/json').send(JSON.stringify({ ...police, reference: '13/470002/26', persons: [{ ...police.persons[0], nhsNumber: `${CHILD.nhs.slice(0, 9)}0`, birthDate: `${CHILD.birthDate}x` }] })));
  await send(app().get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${CHILD.nhs.slice(0, 9)}${(Number(CHILD.nhs[9]) + 1) % 10}`).set('Authorization', `Bearer ${tokens.ed}`).set('IsUnscheduledAccessEvent', 'true'));
  // Refusals: a purpose that does not permit it, a bad token, no token.
  await send(app().get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${CHILD.nhs}`).set('Authorization', `Bearer ${tokens.laReturn}`).set('IsUnscheduledAccessEvent', 'false'));
  await send(app().get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${CHILD.nhs}`).set('Authorization', `Bearer ${tokens.ed.slice(0, -4)}AAAA`));
  await send(app().get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${CHILD.nhs}`));
  // A failure inside the gateway (500) while answering a query about the child.
  await t.testDb.db.query('ALTER TABLE webhook_outbox RENAME TO webhook_outbox_away');
  try {
    // A client request id that could carry an NHS number is replaced, not logged.
    const traced = await send(app().get('/webhooks/deliveries').set('Authorization', `Bearer ${tokens.admin}`).set('X-Request-ID', `q-${CHILD.nhs}`));
    replacedId = traced.headers['x-request-id'] !== `q-${CHILD.nhs}`;
    await send(json(app().post('/notifications'), tokens.police, 'application/json').send(JSON.stringify({ ...police, reference: '13/470003/26' })));
  } finally {
    await t.testDb.db.query('ALTER TABLE webhook_outbox_away RENAME TO webhook_outbox');
  }
});
afterAll(async () => t.dispose());

describe('gateway logs while handling requests', () => {
  it('the traffic was handled (so the logs have something to say)', () => {
    const lines = t.logLines.slice(linesAtStart).map((l) => JSON.parse(l) as { msg: string; status?: number });
    const statuses = lines.filter((l) => l.msg === 'request').map((l) => l.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 201, 400, 401, 403, 500]));
    expect(lines.length).toBeGreaterThanOrEqual(answeredIds.size);
  });

  it('a client request id that could be an NHS number is not taken as the request id', () => {
    expect(replacedId).toBe(true);
  });

  it('every line carries the id of the request it was written for', () => {
    const lines = t.logLines.slice(linesAtStart).map((l) => JSON.parse(l) as { reqId?: string; msg: string });
    const without = lines.filter((l) => typeof l.reqId !== 'string' || !answeredIds.has(l.reqId));
    expect(without, JSON.stringify(without, null, 1)).toEqual([]);
  });

  it('no line carries an NHS number (with or without spaces), a name or a date of birth the traffic used', () => {
    const findings = scanLines(t.logLines, { names: NAMES, birthDates: DATES, nhsNumbers: [CHILD.nhs, SIBLING.nhs] });
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  it('the scan would have caught a leak (it finds each kind in a line made to leak)', () => {
    const leaky = [
      JSON.stringify({ msg: 'x', v: CHILD.nhs }),
      JSON.stringify({ msg: `no match for ${spaced(SIBLING.nhs)}` }),
      `PID|1||${CHILD.nhs}^^^NHS`,
      JSON.stringify({ msg: 'x', family: CHILD.family.toLowerCase() }),
      JSON.stringify({ msg: 'x', dob: SIBLING.birthDate.replaceAll('-', '') }),
    ];
    expect(scanLines(leaky, { names: NAMES, birthDates: DATES }).map((f) => f.kind)).toEqual(['nhs-number', 'nhs-number', 'nhs-number', 'name', 'birth-date']);
  });
});

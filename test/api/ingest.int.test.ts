import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, cpisCsv, episodesCsv, ukCorePatient } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
let la: string;
let ed: string;

function post(path: string, body: string | Buffer, type: string, token: string) {
  return request(t.gateway.app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(body);
}

async function count(table: string): Promise<number> {
  const [row] = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

/** Every table a message can write; a rejected message must leave all of them as they were. */
async function snapshot() {
  return { persons: await count('persons'), identifiers: await count('person_identifiers'), plans: await count('protection_plans'), records: await count('canonical_records') };
}

async function cpisPlans(nhs: string) {
  const res = await request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false');
  expect(res.status).toBe(200);
  return (res.body.entry ?? []).filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
}

const codes = (res: request.Response): string[] => res.body.issue.flatMap((i: any) => i.details.coding.map((c: any) => c.code));

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'statutory-return');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
});
afterAll(async () => t.dispose());

describe('HL7 v2 ADT', () => {
  it('an A04 becomes the patient, the attendance and the next of kin; a re-send changes nothing; the A03 ends the visit', async () => {
    const nhs = testNhsNumber(3000);
    const first = await post('/ingest', adt({ nhs, visit: 'V3000' }), 'application/hl7-v2', ed);
    expect(first.status).toBe(201);
    expect(first.body.records.map((r: any) => [r.type, r.outcome])).toEqual([
      ['Person', 'created'],
      ['Attendance', 'created'],
      ['Relationship', 'created'],
    ]);
    expect(first.body.mappings).toEqual(['hl7v2-adt@1.0.0']);
    const before = await snapshot();
    const again = await post('/ingest', adt({ nhs, visit: 'V3000' }), 'application/hl7-v2', ed);
    expect(again.status).toBe(200);
    expect(again.body.records.map((r: any) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await snapshot()).toEqual(before);

    const ended = await post('/ingest', adt({ nhs, visit: 'V3000', event: 'A03', discharge: '20261120113000', control: 'MSG-A03-1' }), 'application/hl7-v2', ed);
    expect(ended.status).toBe(200);
    const attendanceId = ended.body.records.find((r: any) => r.type === 'Attendance').id;
    expect(attendanceId).toBe(first.body.records[1].id);
    const read = await request(t.gateway.app).get(`/records/${attendanceId}`).set('Authorization', `Bearer ${ed}`);
    expect(read.status).toBe(200);
    expect(read.body.record).toMatchObject({
      encounterClass: 'EMER',
      status: 'finished',
      organisation: 'RR8',
      visitNumber: 'V3000',
      arrival: '2026-11-20T09:30:00+00:00',
      departure: '2026-11-20T11:30:00+00:00',
    });
    expect(read.body.record.lineage).toContainEqual({ field: 'encounterClass', mapping: 'hl7v2-adt@1.0.0', rule: 'pv1-2-class', source: 'PV1[0].F2.C1' });

    const person = await request(t.gateway.app).get(`/people/${first.body.records[0].id}`).set('Authorization', `Bearer ${ed}`);
    expect(person.status).toBe(200);
    expect(person.body.person.identifiers).toContainEqual({ system: NHS_SYSTEM, value: nhs, verificationStatus: '01' });
    expect(person.body.records.map((r: any) => r.type).sort()).toEqual(['Attendance', 'Relationship']);
  });

  it('reports a segment no mapping reads as a warning, and still stores the rest', async () => {
    const res = await post('/ingest', adt({ nhs: testNhsNumber(3100), visit: 'V3100', extraSegments: ['PV2|||^CHEST PAIN'] }), 'application/hl7-v2', ed);
    expect(res.status).toBe(201);
    expect(res.body.warnings).toContainEqual(expect.objectContaining({ severity: 'warning', expression: ['PV2[0].F3[0].C2'], diagnostics: expect.stringContaining('not consumed') }));
  });

  it.each([
    ['a patient class that is not in table 0004', adt({ nhs: testNhsNumber(3200), patientClass: 'Z' }), 'PV1[0].F2.C1', /code "Z" is not one ConceptMap hl7v2-patient-class knows/],
    ['an impossible birth date', adt({ nhs: testNhsNumber(3210), birthDate: '20150230' }), 'PID[0].F7.C1', /expected an HL7 v2 date YYYYMMDD with a real date, received "20150230"/],
    ['an NHS number with a wrong check digit', adt({ nhs: '9990000019' }), "PID[0].(F3.where(C5 = 'NH').C1)", /valid NHS number/],
    ['a missing patient class', adt({ nhs: testNhsNumber(3220), patientClass: '' }), 'PV1[0].F2.C1', /a value is required for encounterClass/],
  ])('refuses %s with 422 naming the field, and stores nothing', async (_what, message, path, diagnostics) => {
    const before = await snapshot();
    const res = await post('/ingest', message, 'application/hl7-v2', ed);
    expect(res.status).toBe(422);
    expect(codes(res)).toContain('GW_ERR_VALIDATION_FAILED');
    expect(res.body.issue).toContainEqual(expect.objectContaining({ severity: 'error', expression: [path], diagnostics: expect.stringMatching(diagnostics) }));
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a truncated message (no PID)', 'MSH|^~\\&|PAS|RR8|SGW|SGW|20261120093000||ADT^A04^ADT_A01|X1|P|2.4\rEVN|A04|20261120093000'],
    ['an unknown segment', `${adt({ nhs: testNhsNumber(3300) })}\rXYZ|1|2`],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(adt({ nhs: testNhsNumber(3310) }).slice(0, 60)), Buffer.from([0xff, 0xfe, 0x41])])],
  ])('refuses %s with 400 and stores nothing', async (_what, message) => {
    const before = await snapshot();
    const res = await post('/ingest', message, 'application/hl7-v2', ed);
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('GW_ERR_MALFORMED_BODY');
    expect(res.body.issue[0].diagnostics.length).toBeGreaterThan(10);
    expect(await snapshot()).toEqual(before);
  });

  it('never merges two people: a known hospital number with a different NHS number is refused (422) and nothing changes', async () => {
    const first = await post('/ingest', adt({ nhs: testNhsNumber(3500), mrn: 'H3500', visit: 'V3500' }), 'application/hl7-v2', ed);
    expect(first.status).toBe(201);
    const before = await snapshot();
    const clash = await post('/ingest', adt({ nhs: testNhsNumber(3510), mrn: 'H3500', visit: 'V3510' }), 'application/hl7-v2', ed);
    expect(clash.status).toBe(422);
    expect(clash.body.issue).toContainEqual(expect.objectContaining({ code: 'conflict', expression: ['PID[0]'], diagnostics: expect.stringMatching(/different https:\/\/fhir\.nhs\.uk\/Id\/nhs-number.*not merged/) }));
    expect(await snapshot()).toEqual(before);
  });

  it('a local authority cannot send a hospital feed (403), and it is audited', async () => {
    const res = await post('/ingest', adt({ nhs: testNhsNumber(3400) }), 'application/hl7-v2', la);
    expect(res.status).toBe(403);
    expect(codes(res)).toContain('GW_ERR_FORBIDDEN_ROLE');
  });
});

describe('CIN census', () => {
  it('a child on a protection plan in the census shows in the CP-IS query once matched to an NHS number', async () => {
    const nhs = testNhsNumber(4000);
    const patient = await post('/ingest', JSON.stringify(ukCorePatient(nhs, 'CHILD4000')), 'application/fhir+json', la);
    expect(patient.status).toBe(201);
    expect(await cpisPlans(nhs)).toEqual([]);

    const census = cinCensus([{ id: 'CHILD4000', cpp: { start: '2025-09-01' } }, { id: 'CHILD4001' }]);
    const res = await post('/ingest', census, 'application/xml', la);
    expect(res.status).toBe(201);
    expect(res.body.format).toBe('cin-census-xml');
    const types = res.body.records.map((r: any) => r.type);
    expect(types.filter((x: string) => x === 'Person')).toHaveLength(2);
    expect(types).toContain('ProtectionPlan');
    expect(types.filter((x: string) => x === 'CaseEvent').length).toBeGreaterThanOrEqual(5);

    const plans = await cpisPlans(nhs);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ period: { start: '2025-09-01' }, category: [{ coding: [expect.objectContaining({ code: '342191000000101' })] }] });

    // The same person, not a second one: the census child was linked by LA child id.
    expect(res.body.records.find((r: any) => r.type === 'Person' && r.source === 'Message.Children.Child[0]').id).toBe(patient.body.records[0].id);
  });

  it('refuses a census that breaks a DfE rule with 422 naming the rule code, and stores nothing', async () => {
    const before = await snapshot();
    const census = cinCensus([{ id: 'CHILD4100', cpp: { start: '2025-09-01', end: '2025-08-01' } }]);
    const res = await post('/ingest', census, 'application/xml', la);
    expect(res.status).toBe(422);
    expect(codes(res)).toContain('CIN-8925');
    expect(res.body.issue).toContainEqual(expect.objectContaining({ expression: [expect.stringMatching(/^Message\.Children\.Child\[0\]\.CINdetails\[0\]\.ChildProtectionPlans\[0\]/)] }));
    expect(await snapshot()).toEqual(before);
  });

  it('partial=true leaves out the child that breaks a rule and stores the others', async () => {
    const census = cinCensus([{ id: 'CHILD4200', cpp: { start: '2025-09-01', end: '2025-08-01' } }, { id: 'CHILD4201' }]);
    const res = await post('/ingest?partial=true', census, 'application/xml', la);
    expect(res.status).toBe(201);
    expect(res.body.rejected).toEqual([{ source: 'Message.Children.Child[0]', issues: expect.arrayContaining([expect.objectContaining({ rule: 'CIN-8925' })]) }]);
    expect(res.body.records.filter((r: any) => r.type === 'Person').map((r: any) => r.source)).toEqual(['Message.Children.Child[1]']);
  });

  it('partial=true still refuses the whole return for an error outside any child, and lists every error', async () => {
    const census = cinCensus([{ id: 'CHILD4250', cpp: { start: '2025-09-01', end: '2025-08-01' } }]).replace('<ReferenceDate>2026-03-31</ReferenceDate>', '<ReferenceDate>2026-07-21</ReferenceDate>');
    const before = await snapshot();
    const res = await post('/ingest?partial=true', census, 'application/xml', la);
    expect(res.status).toBe(422);
    expect(codes(res)).toEqual(expect.arrayContaining(['CIN-100', 'CIN-8925']));
    expect(await snapshot()).toEqual(before);
  });

  it('an XML entity bomb is refused before any expansion', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Message><Children>&b;</Children></Message>`;
    const before = await snapshot();
    const res = await post('/ingest?format=cin', bomb, 'application/xml', la);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/DOCTYPE/);
    expect(await snapshot()).toEqual(before);
  });

  it("one LA cannot store another LA's census (403), though it may check it", async () => {
    const census = cinCensus([{ id: 'CHILD4400' }], { lea: '201' });
    const before = await snapshot();
    const res = await post('/ingest', census, 'application/xml', la);
    expect(res.status).toBe(403);
    expect(codes(res)).toContain('GW_ERR_FORBIDDEN_OWNER');
    expect(res.body.issue[0].expression).toEqual(['Message.Header.Source.LEA']);
    expect(await snapshot()).toEqual(before);
    expect((await post('/validate', census, 'application/xml', la)).status).toBe(200);
  });

  it('a hospital cannot send a local authority return (403)', async () => {
    const res = await post('/ingest', cinCensus([{ id: 'CHILD4300' }]), 'application/xml', ed);
    expect(res.status).toBe(403);
  });
});

describe('SSDA903', () => {
  it('an episode with a care order gives a looked-after plan; short breaks give none', async () => {
    const csv = episodesCsv([
      { child: 'LAC5000', decom: '01/06/2025', ls: 'C2' },
      { child: 'LAC5001', decom: '01/06/2025', ls: 'V3', dec: '03/06/2025', rec: 'E8' },
    ]);
    const res = await post('/ingest?format=ssda903', csv, 'text/csv', la);
    expect(res.status).toBe(201);
    const plans = res.body.records.filter((r: any) => r.type === 'ProtectionPlan');
    expect(plans).toHaveLength(1);
    const read = await request(t.gateway.app).get(`/records/${plans[0].id}`).set('Authorization', `Bearer ${la}`);
    expect(read.body).toMatchObject({ type: 'ProtectionPlan', record: { kind: 'looked-after', period: { start: '2025-06-01' }, owner: 'la:383' } });
    expect(res.body.warnings).toEqual([]);
  });

  it('refuses an episode with an unknown legal status, naming rule 144 (or the code), and stores nothing', async () => {
    const before = await snapshot();
    const res = await post('/ingest?format=ssda903', episodesCsv([{ child: 'LAC5100', decom: '01/06/2025', ls: 'ZZ' }]), 'text/csv', la);
    expect(res.status).toBe(422);
    expect(codes(res)).toContain('SSDA903-143'.replace('143', '144'));
    expect(await snapshot()).toEqual(before);
  });

  it('a UPN-unknown code (UN1…) is no identifier: two children sent with UN1 stay two people', async () => {
    const header = (child: string, dob: string) => `CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n${child},1,${dob},WBRI,UN1,,`;
    const first = await post('/ingest?format=ssda903', header('LAC5300', '05/06/2012'), 'text/csv', la);
    expect(first.status).toBe(201);
    const second = await post('/ingest?format=ssda903', header('LAC5301', '14/02/2014'), 'text/csv', la);
    expect(second.status).toBe(201);
    const [a, b] = [first, second].map((r) => r.body.records.find((x: any) => x.type === 'Person'));
    expect(b.match.method).toBe('new');
    expect(b.id).not.toBe(a.id);
    const person = await request(t.gateway.app).get(`/people/${a.id}`).set('Authorization', `Bearer ${la}`);
    expect(person.body.person.identifiers.map((i: any) => i.value)).toEqual(['LAC5300']);
  });

  it('refuses a date that is not DD/MM/YYYY with 400 naming the cell', async () => {
    const res = await post('/ingest?format=ssda903', episodesCsv([{ child: 'LAC5200', decom: '2025-06-01' }]), 'text/csv', la);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression[0]).toMatch(/Episodes.*DECOM/);
  });
});

describe('CP-IS bulk upload', () => {
  it('answers every record with a CP-IS result code and stores only the successes', async () => {
    const known = testNhsNumber(6000);
    const fresh = testNhsNumber(6010);
    await post('/ingest', JSON.stringify(ukCorePatient(known, 'CHILD6000')), 'application/fhir+json', la);
    const csv = cpisCsv([
      { nhs_number: known, plan_type: 'CPP', start_date: '2026-10-01', la_code: '383', local_id: 'P1' },
      { nhs_number: fresh, nhs_number_status: '01', plan_type: 'LAC', start_date: '2026-10-02', la_code: '383', local_id: 'P2' },
      { nhs_number: testNhsNumber(6020), plan_type: 'CPP', start_date: '2026-10-01', la_code: '383', local_id: 'P3' },
      { nhs_number: testNhsNumber(6030), nhs_number_status: '02', plan_type: 'CPP', start_date: '2026-10-01', la_code: '383', local_id: 'P4' },
      { nhs_number: '9990000019', plan_type: 'CPP', start_date: '2026-10-01', la_code: '383', local_id: 'P5' },
      { nhs_number: known, plan_type: 'XYZ', start_date: '2026-10-01', la_code: '383', local_id: 'P6' },
      { nhs_number: known, plan_type: 'CPP', start_date: '2026-10-01', la_code: '201', local_id: 'P7' },
    ]);
    const res = await post('/ingest', csv, 'text/csv', la);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => [r.id, r.result])).toEqual([
      ['P1', 'CPR06'],
      ['P2', 'CPR06'],
      ['P3', 'CPR01'],
      ['P4', 'CPR03'],
      ['P5', 'CPR04'],
      ['P6', 'CPR07'],
      ['P7', 'CPR07'],
    ]);
    expect(res.body.results[5].reason).toMatch(/plan_type/);
    expect(res.body).toMatchObject({ transmissionQuantity: 7, accepted: 2 });
    expect(await cpisPlans(known)).toHaveLength(1);
    expect(await cpisPlans(fresh)).toHaveLength(1);
    expect(await cpisPlans(testNhsNumber(6020))).toEqual([]);
  });
});

describe('checking without storing', () => {
  it('POST /validate gives the same answer as ingest and stores nothing', async () => {
    const before = await snapshot();
    const message = adt({ nhs: testNhsNumber(7000), visit: 'V7000' });
    const res = await post('/validate', message, 'application/hl7-v2', ed);
    expect(res.status).toBe(200);
    expect(res.body.stored).toBe(false);
    expect(res.body.records.map((r: any) => [r.type, r.outcome])).toEqual([
      ['Person', 'valid'],
      ['Attendance', 'valid'],
      ['Relationship', 'valid'],
    ]);
    const bad = await post('/validate', adt({ nhs: testNhsNumber(7010), patientClass: 'Z' }), 'application/hl7-v2', ed);
    expect(bad.status).toBe(422);
    expect(await snapshot()).toEqual(before);
  });

  it('POST /fhir/$validate answers an OperationOutcome, and POST /fhir/Patient/$validate checks the type', async () => {
    const good = await post('/fhir/$validate', JSON.stringify(ukCorePatient(testNhsNumber(7100), 'C7100')), 'application/fhir+json', la);
    expect(good.status).toBe(200);
    expect(good.body.resourceType).toBe('OperationOutcome');
    expect(good.body.issue[0]).toMatchObject({ severity: 'information', diagnostics: expect.stringMatching(/valid/) });
    expect(good.body.issue.filter((i: any) => i.severity === 'error')).toEqual([]);
    const bad = ukCorePatient('9990000019', 'C7101');
    const res = await post('/fhir/Patient/$validate', JSON.stringify(bad), 'application/fhir+json', la);
    expect(res.status).toBe(200);
    expect(res.body.issue).toContainEqual(expect.objectContaining({ severity: 'error', diagnostics: expect.stringMatching(/valid NHS number/) }));
    const wrongType = await post('/fhir/Encounter/$validate', JSON.stringify(bad), 'application/fhir+json', la);
    expect(wrongType.status).toBe(422);
  });
});

describe('limits', () => {
  it('a body over the configured limit gets 413 and changes nothing', async () => {
    const before = await snapshot();
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x41); // 50 MB, five times the default limit
    const res = await post('/ingest?format=hl7', huge, 'application/hl7-v2', ed);
    expect(res.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  it('a body whose format cannot be told gets 415 naming ?format=', async () => {
    const res = await post('/ingest', 'hello', 'text/plain', ed);
    expect(res.status).toBe(415);
    expect(res.body.issue[0].diagnostics).toMatch(/\?format=/);
  });
});

describe('POST /fhir with more than plans', () => {
  it('a transaction with a Patient, an Encounter and a Consent goes through the ingest pipeline and answers per entry', async () => {
    const nhs = testNhsNumber(9000);
    const patientUrl = 'urn:uuid:00000000-0000-4000-8000-000000009000';
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: patientUrl, resource: ukCorePatient(nhs, 'C9000'), request: { method: 'POST', url: 'Patient' } },
        {
          resource: {
            resourceType: 'Encounter',
            identifier: [{ system: 'https://trust.example/Id/attendance', value: 'ATT-9000' }],
            status: 'in-progress',
            class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
            subject: { reference: patientUrl },
            period: { start: '2026-11-20T08:00:00Z' },
          },
          request: { method: 'POST', url: 'Encounter' },
        },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await post('/fhir', JSON.stringify(bundle), 'application/fhir+json', ed);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry[0].response).toMatchObject({ status: '201 Created', location: expect.stringMatching(/^people\//) });
    expect(res.body.entry[1].response).toMatchObject({ status: '201 Created', location: expect.stringMatching(/^records\//) });
    // the Observation is not mapped: said so in its entry, not silently dropped
    expect(res.body.entry[2].response.status).toBe('200 OK');
    expect(res.body.entry[2].response.outcome.issue[0]).toMatchObject({ severity: 'warning', diagnostics: expect.stringContaining('not consumed') });
    const attendance = await request(t.gateway.app).get(`/${res.body.entry[1].response.location}`).set('Authorization', `Bearer ${ed}`);
    expect(attendance.body.record).toMatchObject({ encounterClass: 'EMER', status: 'in-progress' });
  });
});

describe('broken input of every family is refused with 400 and changes nothing', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const census = cinCensus([{ id: 'BROKEN1' }]);
  const episodes = episodesCsv([{ child: 'BROKEN2', decom: '01/06/2025' }]);
  const upload = cpisCsv([{ nhs_number: testNhsNumber(9100), nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-10-01', la_code: '383' }]);
  const patient = JSON.stringify(ukCorePatient(testNhsNumber(9110), 'BROKEN3'));
  const cases: [string, string, string | Buffer, string, 'la' | 'ed'][] = [
    ['CIN census, truncated', 'cin', census.slice(0, census.length / 2), 'application/xml', 'la'],
    ['CIN census, not UTF-8', 'cin', latin1(census.replace('BROKEN1', 'BRÖKEN1')), 'application/xml', 'la'],
    ['SSDA903, a ragged row', 'ssda903', `${episodes}\r\nBROKEN2,01/07/2025`, 'text/csv', 'la'],
    ['SSDA903, an impossible date', 'ssda903', episodes.replace('01/06/2025', '30/02/2025'), 'text/csv', 'la'],
    ['SSDA903, not UTF-8', 'ssda903', latin1(episodes.replace('BROKEN2', 'BRÖKEN2')), 'text/csv', 'la'],
    ['CP-IS upload, a column missing', 'cpis', upload.replace('plan_type', 'plan_kind'), 'text/csv', 'la'],
    ['FHIR JSON, truncated', 'fhir-json', patient.slice(0, 80), 'application/fhir+json', 'la'],
    ['FHIR XML, an entity bomb', 'fhir-xml', '<!DOCTYPE p [<!ENTITY a "aaaa">]><Patient xmlns="http://hl7.org/fhir"><id value="&a;"/></Patient>', 'application/fhir+xml', 'la'],
    ['HL7 v2, an unterminated escape', 'hl7', adt({ nhs: testNhsNumber(9120) }).replace('TESTER^ALEX', 'TESTER\\T^ALEX'), 'application/hl7-v2', 'ed'],
  ];
  it.each(cases)('%s', async (_what, format, body, type, who) => {
    const before = await snapshot();
    const res = await post(`/ingest?format=${format}`, body, type, who === 'la' ? la : ed);
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('GW_ERR_MALFORMED_BODY');
    expect(res.body.issue[0].diagnostics.length).toBeGreaterThan(15);
    expect(await snapshot()).toEqual(before);
  });
});

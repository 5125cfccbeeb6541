import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, ukCorePatient } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import type { Requester } from '../../src/policy/authorise.js';
import { normalisePurpose } from '../../src/policy/purposes.js';
import { decideRelease } from '../../src/services/sharing.js';
import type { Queryable } from '../../src/store/db.js';
import { getPersonById } from '../../src/store/people-repo.js';

// The demo agreements in config/agreements decide every cross-agency read here:
// cpis-england (LA plans to health, never the category of abuse or case events),
// leeds-health-to-social-care (hospital records to Leeds social care with consent or a
// recorded safeguarding override) and leeds-safeguarding-partnership (consent records).

let t: TestGateway;
let laReturn: string;
let laS47: string;
let laEarlyHelp: string;
let ed: string;

const NOT_SOUGHT = 'https://sgw.example/fhir/StructureDefinition/consent-not-sought-reason';
const AT_RISK = 'https://sgw.example/fhir/StructureDefinition/adult-at-risk';
const REASON = 'Bruising seen at A&E; strategy discussion under s47 today';

function post(path: string, body: string | object, type: string, token: string) {
  return request(t.gateway.app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(typeof body === 'object' ? JSON.stringify(body) : body);
}

function get(path: string, token: string, override?: string) {
  const r = request(t.gateway.app).get(path).set('Authorization', `Bearer ${token}`);
  return override === undefined ? r : r.set('Override-Reason', override);
}

async function lastAudit(): Promise<any> {
  const [row] = await t.testDb.db.query<{ entry: any }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
  return row!.entry;
}

function consent(nhs: string, o: { state: 'given' | 'refused' | 'withdrawn' | 'not-sought'; reason?: string; id: string; at: string; atRisk?: boolean }) {
  return {
    resourceType: 'Consent',
    identifier: [{ system: 'https://rr8.example/Id/consent', value: o.id }],
    ...(o.state === 'not-sought' || o.atRisk !== undefined
      ? { extension: [...(o.state === 'not-sought' ? [{ url: NOT_SOUGHT, valueCode: o.reason }] : []), ...(o.atRisk !== undefined ? [{ url: AT_RISK, valueBoolean: o.atRisk }] : [])] }
      : {}),
    status: o.state === 'withdrawn' ? 'inactive' : 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'INFA' }] }],
    patient: { identifier: { system: NHS_SYSTEM, value: nhs } },
    dateTime: o.at,
    ...(o.state === 'given' || o.state === 'refused' ? { provision: { type: o.state === 'given' ? 'permit' : 'deny' } } : {}),
  };
}

/** A child known to Leeds (CIN census with a protection plan, category neglect) and to the hospital (an A&E attendance). */
async function childKnownToBoth(n: number, laChildId: string) {
  const nhs = testNhsNumber(n);
  expect((await post('/ingest', cinCensus([{ id: laChildId, birthDate: '2015-03-04', cpp: { start: '2025-06-02' } }]), 'application/xml', laReturn)).status).toBe(201);
  expect((await post('/ingest', ukCorePatient(nhs, laChildId), 'application/fhir+json', laS47)).status).toBeLessThan(300);
  const hospital = await post('/ingest', adt({ nhs, mrn: `H${n}`, visit: `V${n}`, control: `MSG-${n}`, given: 'ROBIN', family: 'TESTER', birthDate: '20150304' }), 'application/hl7-v2', ed);
  expect(hospital.status).toBeLessThan(300);
  const personId: string = hospital.body.records.find((r: any) => r.type === 'Person').id;
  const attendanceId: string = hospital.body.records.find((r: any) => r.type === 'Attendance').id;
  return { nhs, personId, attendanceId };
}

beforeAll(async () => {
  t = await createTestGateway();
  laReturn = await t.token('la:383', 'la-social-worker', 'statutory-return', 'sw-returns');
  laS47 = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-1');
  laEarlyHelp = await t.token('la:383', 'la-social-worker', 'early-help', 'eh-1');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT', 'dr-1');
});
afterAll(async () => t.dispose());

describe('the CP-IS query through the sharing rules', () => {
  it('shows A&E the plan type and dates, never the category of abuse, and records what was withheld', async () => {
    const { nhs } = await childKnownToBoth(6000, 'SHARE6000');
    const res = await get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`, ed).set('IsUnscheduledAccessEvent', 'false');
    expect(res.status).toBe(200);
    const [plan] = res.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
    expect(plan).toMatchObject({ resourceType: 'CareTeam', status: 'active', period: { start: '2025-06-02' } });
    expect(plan.reasonCode).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('neglect');
    const entry = await lastAudit();
    expect(entry.decisions).toEqual([
      expect.objectContaining({ type: 'ProtectionPlan', owner: 'la:383', permit: true, agreements: ['cpis-england#plans-to-health'], released: ['kind', 'period', 'status'] }),
    ]);
    expect(entry.decisions[0].withheld).toContain('categoryOfAbuse');
    expect(entry.decisions[0].lawfulBasis).toContain('Art 9(2)(g)');

    // The LA that owns the plan reads it back with the category.
    const own = await get(`/fhir/CareTeam/${plan.id}`, laS47);
    expect(own.body.reasonCode).toEqual([{ coding: [{ system: 'https://sgw.example/fhir/CodeSystem/abuse-category', code: 'neglect' }] }]);
  });
});

describe('reading another agency’s records: consent and the safeguarding override', () => {
  let child: Awaited<ReturnType<typeof childKnownToBoth>>;
  beforeAll(async () => {
    child = await childKnownToBoth(6100, 'SHARE6100');
  });

  it('keeps the hospital attendance from social care when no consent is recorded, says what an override needs, and audits the refusal', async () => {
    const res = await get(`/records/${child.attendanceId}`, laS47);
    expect(res.status).toBe(403);
    expect(res.body.issue[0]).toMatchObject({ details: { coding: [{ code: 'GW_ERR_CONSENT_REQUIRED' }] }, expression: ['Override-Reason'] });
    expect(res.body.issue[0].diagnostics).toMatch(/no consent is recorded.*override by la-social-worker, for safeguarding-s47, with a recorded reason/);
    const entry = await lastAudit();
    expect(entry).toMatchObject({ outcome: 'deny', status: 403, actor: { sub: 'sw-1', agency: 'la:383' } });
    expect(entry.decisions[0]).toMatchObject({ record: child.attendanceId, permit: false });
  });

  it('shows social care its own records of the child but not the hospital’s, without consent', async () => {
    const res = await get(`/people/${child.personId}`, laS47);
    expect(res.status).toBe(200);
    const owners = new Set(res.body.records.map((r: any) => r.record.owner));
    expect([...owners]).toEqual(['la:383']);
    expect(res.body.sources.map((s: any) => s.agency)).toEqual(['la:383']);
    expect(res.body.person.identifiers.map((i: any) => i.system)).not.toContain('https://sgw.example/fhir/Id/local-patient-identifier/RR8/MR');
    const entry = await lastAudit();
    expect(entry.decisions.filter((d: any) => !d.permit).map((d: any) => d.owner)).toContain('ods:RR8');
  });

  it('releases it on an override by a social worker for s47 with a reason, minimised, and audits the reason, actor and time', async () => {
    const res = await get(`/records/${child.attendanceId}`, laS47, REASON);
    expect(res.status).toBe(200);
    expect(res.body.record).toMatchObject({ encounterClass: 'EMER', organisation: 'RR8', owner: 'ods:RR8' });
    // The agreement does not name the hospital's visit number or the mapping lineage.
    expect(res.body.record.visitNumber).toBeUndefined();
    expect(res.body.record.lineage).toBeUndefined();
    const entry = await lastAudit();
    expect(entry).toMatchObject({ outcome: 'permit', override: { reason: REASON }, actor: { sub: 'sw-1', agency: 'la:383', role: 'la-social-worker' }, recordedAt: t.clock.now.toISOString() });
    expect(entry.decisions[0]).toMatchObject({ permit: true, consent: 'override', agreements: ['leeds-health-to-social-care#health-to-children-social-care'] });
    expect(entry.decisions[0].lawfulBasis).toContain(REASON);
  });

  it('refuses the override for a purpose other than safeguarding, and an empty reason', async () => {
    const res = await get(`/records/${child.attendanceId}`, laEarlyHelp, REASON);
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_OVERRIDE_NOT_ALLOWED');
    const empty = await get(`/records/${child.attendanceId}`, laS47, '   ');
    expect(empty.status).toBe(400);
    expect(empty.body.issue[0]).toMatchObject({ expression: ['Override-Reason'] });
    expect((await lastAudit()).status).toBe(400);
  });

  it('shows the multi-agency chronology, newest first, as far as the override releases it', async () => {
    const without = await get(`/people/${child.personId}/chronology`, laS47);
    expect(without.status).toBe(200);
    expect(without.body.entries.every((e: any) => e.owner === 'la:383')).toBe(true);
    const res = await get(`/people/${child.personId}/chronology`, laS47, REASON);
    expect(res.status).toBe(200);
    const entries = res.body.entries as { date: string; type: string; owner: string; what: string }[];
    expect(entries.map((e) => e.owner)).toContain('ods:RR8');
    expect(entries.find((e) => e.type === 'Attendance')).toMatchObject({ what: 'EMER', owner: 'ods:RR8' });
    expect(entries.find((e) => e.type === 'ProtectionPlan')).toMatchObject({ what: 'child-protection-plan', date: '2025-06-02' });
    expect(entries.map((e) => e.date)).toEqual([...entries.map((e) => e.date)].sort().reverse());
  });

  it('never shows health the social-care case events, and only the plan’s type and dates', async () => {
    const res = await get(`/people/${child.personId}`, ed);
    expect(res.status).toBe(200);
    const types = res.body.records.map((r: any) => `${r.record.owner}:${r.type}`);
    expect(types).toContain('ods:RR8:Attendance');
    expect(types).toContain('la:383:ProtectionPlan');
    expect(types.filter((x: string) => x.endsWith('CaseEvent'))).toEqual([]);
    const plan = res.body.records.find((r: any) => r.type === 'ProtectionPlan').record;
    expect(Object.keys(plan).sort()).toEqual(['id', 'kind', 'owner', 'period', 'securityLabel', 'status', 'subjectPersonId']);
  });
});

describe('consent recorded as FHIR Consent', () => {
  it('records consents, and releases or withholds by the latest one that applies', async () => {
    const child = await childKnownToBoth(6200, 'SHARE6200');
    const given = await post('/fhir/Consent', consent(child.nhs, { state: 'given', id: 'C-6200-1', at: '2026-11-01T10:00:00Z' }), 'application/fhir+json', ed);
    expect(given.status).toBe(201);
    expect(given.headers.location).toMatch(/\/fhir\/Consent\/.+/);
    expect(given.body).toMatchObject({ resourceType: 'Consent', status: 'active', provision: { type: 'permit' }, patient: { identifier: { value: child.nhs } } });
    expect((await get(`/records/${child.attendanceId}`, laEarlyHelp)).status).toBe(200);
    expect((await lastAudit()).decisions[0]).toMatchObject({ permit: true, consent: 'given' });

    // Withdrawn later: the withdrawal is the consent that applies now.
    const withdrawn = await post('/fhir/Consent', consent(child.nhs, { state: 'withdrawn', id: 'C-6200-2', at: '2026-11-15T10:00:00Z' }), 'application/fhir+json', ed);
    expect(withdrawn.body.status).toBe('inactive');
    const denied = await get(`/records/${child.attendanceId}`, laEarlyHelp);
    expect(denied.status).toBe(403);
    expect(denied.body.issue[0].diagnostics).toContain('consent was withdrawn');

    // Both are visible to social care under the partnership agreement, newest first.
    const search = await get(`/fhir/Consent?patient:identifier=${NHS_SYSTEM}|${child.nhs}`, laEarlyHelp);
    expect(search.status).toBe(200);
    expect(search.body.entry.map((e: any) => e.resource.status).sort()).toEqual(['active', 'inactive']);
    const read = await get(`/fhir/Consent/${given.body.id}`, laEarlyHelp);
    expect(read.status).toBe(200);
    expect(read.body.provision.type).toBe('permit');
  });

  it('reads the child’s consents only where an agreement that requires consent could permit the release', async () => {
    const child = await childKnownToBoth(6250, 'SHARE6250');
    const subject = await getPersonById(t.testDb.db, child.personId);
    const asked: unknown[][] = [];
    const watched: Queryable = { query: (sql, params) => (asked.push(params ?? []), t.testDb.db.query(sql, params)) };
    const requester = (agency: string, role: Requester['role'], purpose: string): Requester => ({ sub: 'test', agency, role, purposeClaim: purpose, purpose: normalisePurpose(purpose) });
    const readsConsent = () => asked.some((params) => params.includes('Consent'));

    // A&E reading Leeds's plan: the only agreement between them that requires consent
    // (leeds-health-to-social-care) shares the hospital's records the other way.
    const plan = await decideRelease(t.gateway.ctx, watched, requester('ods:RR8', 'unscheduled-care', 'TREAT'), { type: 'ProtectionPlan', record: { owner: 'la:383' }, subject });
    expect(plan.permit).toBe(true);
    expect(readsConsent()).toBe(false);

    // Social care reading the hospital's attendance under that agreement: consent decides.
    const attendance = await decideRelease(t.gateway.ctx, watched, requester('la:383', 'la-social-worker', 'early-help'), { type: 'Attendance', record: { owner: 'ods:RR8' }, subject });
    expect(attendance.permit).toBe(false);
    expect(readsConsent()).toBe(true);
  });

  it('accepts consent not sought because it would prejudice the child’s protection (Sch 1 para 18), for a child', async () => {
    const child = await childKnownToBoth(6300, 'SHARE6300');
    expect((await post('/fhir/Consent', consent(child.nhs, { state: 'not-sought', reason: 'would-prejudice-protection', id: 'C-6300', at: '2026-11-01T10:00:00Z' }), 'application/fhir+json', ed)).status).toBe(201);
    const res = await get(`/records/${child.attendanceId}`, laS47);
    expect(res.status).toBe(200);
    expect((await lastAudit()).decisions[0]).toMatchObject({ consent: 'para-18' });
  });

  it('refuses the consent request it cannot store, naming the field, and changes nothing', async () => {
    const bad = consent(testNhsNumber(6400), { state: 'given', id: 'C-6400', at: '2026-11-01T10:00:00Z' });
    delete (bad as Record<string, unknown>).scope;
    const count = async () => (await t.testDb.db.query<{ n: number }>('SELECT (SELECT count(*) FROM canonical_records)::int + (SELECT count(*) FROM persons)::int AS n'))[0]!.n;
    const before = await count();
    const res = await post('/fhir/Consent', bad, 'application/fhir+json', ed);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.issue)).toContain('scope');
    expect(await count()).toBe(before);
  });
});

describe('the safeguarding exemption covers children and adults at risk, not any adult', () => {
  async function adultAtHospital(n: number) {
    const nhs = testNhsNumber(n);
    const res = await post('/ingest', adt({ nhs, mrn: `H${n}`, visit: `V${n}`, control: `MSG-${n}`, birthDate: '19800101' }), 'application/hl7-v2', ed);
    return { nhs, attendanceId: res.body.records.find((r: any) => r.type === 'Attendance').id as string };
  }

  it('refuses the override of a refused consent for an adult not at risk', async () => {
    const adult = await adultAtHospital(6500);
    await post('/fhir/Consent', consent(adult.nhs, { state: 'refused', id: 'C-6500', at: '2026-11-01T10:00:00Z' }), 'application/fhir+json', ed);
    const res = await get(`/records/${adult.attendanceId}`, laS47, REASON);
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_OVERRIDE_NOT_ALLOWED');
    expect(res.body.issue[0].diagnostics).toContain('adults at risk');
    expect(await lastAudit()).toMatchObject({ outcome: 'deny', status: 403 });
  });

  it('permits it for an adult recorded as at risk', async () => {
    const adult = await adultAtHospital(6600);
    await post('/fhir/Consent', consent(adult.nhs, { state: 'refused', id: 'C-6600', at: '2026-11-01T10:00:00Z', atRisk: true }), 'application/fhir+json', ed);
    expect((await get(`/records/${adult.attendanceId}`, laS47, REASON)).status).toBe(200);
  });
});

describe('the audit trail read back: AuditEvent and the accounting of disclosures', () => {
  let child: Awaited<ReturnType<typeof childKnownToBoth>>;
  let hospitalDpo: string;
  let laAuditor: string;
  beforeAll(async () => {
    child = await childKnownToBoth(6700, 'SHARE6700');
    hospitalDpo = await t.token('ods:RR8', 'auditor', 'audit', 'dpo-rr8');
    laAuditor = await t.token('la:383', 'auditor', 'audit', 'auditor-383');
    await get(`/records/${child.attendanceId}`, laS47); // withheld: no consent
    await get(`/records/${child.attendanceId}`, laS47, REASON); // released on an override
    await get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${child.nhs}`, ed).set('IsUnscheduledAccessEvent', 'true');
  });

  it('tells the hospital’s DPO who received its records of the person, when, which fields, why and under which basis, and what was withheld', async () => {
    const res = await get(`/people/${child.personId}/disclosures`, hospitalDpo);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ person: child.personId, controller: 'ods:RR8' });
    const attendance = res.body.disclosures.filter((d: any) => d.record === child.attendanceId);
    expect(attendance.map((d: any) => d.decision)).toEqual(['released', 'withheld']);
    expect(attendance[0]).toMatchObject({
      recipient: { agency: 'la:383', user: 'sw-1', role: 'la-social-worker' },
      purpose: 'safeguarding-s47',
      recordType: 'Attendance',
      consent: 'override',
      overrideReason: REASON,
      agreements: ['leeds-health-to-social-care#health-to-children-social-care'],
    });
    expect(attendance[0].released).toContain('arrival');
    expect(attendance[0].lawfulBasis).toContain('6(1)(e)');
    expect(attendance[1].reason).toContain('no consent is recorded');
    // The hospital's own staff reading its own records are not disclosures.
    expect(res.body.disclosures.every((d: any) => d.recipient.agency !== 'ods:RR8')).toBe(true);
  });

  it('tells the LA’s auditor about A&E’s query of its plan as a BALP AuditEvent', async () => {
    const res = await get(`/fhir/AuditEvent?patient:identifier=${NHS_SYSTEM}|${child.nhs}&agent=dr-1`, laAuditor);
    expect(res.status).toBe(200);
    const events = res.body.entry.map((e: any) => e.resource);
    expect(events.length).toBeGreaterThan(0);
    const query = events[0];
    expect(query).toMatchObject({
      resourceType: 'AuditEvent',
      meta: { profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery'] },
      type: { code: 'rest' },
      subtype: [{ code: 'search-type' }, { system: 'https://sgw.example/fhir/CodeSystem/audit-kind', code: 'search:CareTeam' }],
      action: 'E',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
    });
    expect(query.agent[0]).toMatchObject({ requestor: true, who: { identifier: { value: 'dr-1' } } });
    expect(query.agent[1]).toMatchObject({ who: { identifier: { value: 'ods:RR8' } } });
    const plan = query.entity.find((e: any) => e.name === 'ProtectionPlan held by la:383');
    expect(plan.description).toBe('released');
    expect(plan.detail).toContainEqual({ type: 'withheld-fields', valueString: expect.stringContaining('categoryOfAbuse') });
    expect(Buffer.from(query.entity.find((e: any) => e.query).query, 'base64').toString()).toContain(child.nhs);
  });

  it('narrows by date, and refuses callers who are not auditors and dates it cannot read', async () => {
    const tomorrow = new Date(t.clock.now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const none = await get(`/fhir/AuditEvent?patient:identifier=${NHS_SYSTEM}|${child.nhs}&date=ge${tomorrow}`, laAuditor);
    expect(none.body.total ?? none.body.entry?.length ?? 0).toBe(0);
    const today = t.clock.now.toISOString().slice(0, 10);
    const some = await get(`/fhir/AuditEvent?patient:identifier=${NHS_SYSTEM}|${child.nhs}&date=ge${today}&date=le${today}`, laAuditor);
    expect(some.body.entry.length).toBeGreaterThan(0);
    const sw = await get(`/fhir/AuditEvent?patient:identifier=${NHS_SYSTEM}|${child.nhs}`, laS47);
    expect(sw.status).toBe(403);
    expect(sw.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_ROLE');
    const bad = await get('/fhir/AuditEvent?date=yesterday', laAuditor);
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0]).toMatchObject({ expression: ['date'] });
    expect(bad.body.issue[0].diagnostics).toContain("received 'yesterday'");
  });

  it('shows an auditor only their own agency’s part of the trail', async () => {
    const school = await t.token('school:100000', 'auditor', 'audit', 'auditor-school');
    const res = await get(`/fhir/AuditEvent?patient:identifier=${NHS_SYSTEM}|${child.nhs}`, school);
    expect(res.status).toBe(200);
    expect(res.body.entry ?? []).toEqual([]);
  });
});

describe('Patient/$match through the sharing rules', () => {
  it('names a candidate held by another agency without showing what that agency has not agreed to share', async () => {
    const child = await childKnownToBoth(6800, 'SHARE6800');
    const params = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', identifier: [{ system: NHS_SYSTEM, value: child.nhs }], birthDate: '2015-03-04' } }] };
    // A&E: the hospital's own record in full (the ADT name), the LA's only as far as CP-IS shares it.
    const asEd = await post('/fhir/Patient/$match', params, 'application/fhir+json', ed);
    expect(asEd.status).toBe(200);
    const edView = asEd.body.entry[0].resource;
    expect(edView.id).toBe(child.personId);
    expect(edView.name).toEqual([expect.objectContaining({ family: 'TESTER' })]);
    expect(edView.identifier.map((i: any) => i.system)).toContain('https://sgw.example/fhir/Id/la-child-id/383');
    // A social worker without consent sees only Leeds's own view.
    const asLa = await post('/fhir/Patient/$match', params, 'application/fhir+json', laS47);
    const laView = asLa.body.entry[0].resource;
    expect(laView.identifier.map((i: any) => i.system)).not.toContain('https://sgw.example/fhir/Id/local-patient-identifier/RR8/MR');
    const entry = await lastAudit();
    expect(entry.decisions.find((d: any) => d.owner === 'ods:RR8')).toMatchObject({ type: 'Person', permit: false });
  });
});

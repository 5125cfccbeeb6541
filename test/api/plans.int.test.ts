import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam, LAC, NHS_SYSTEM, planBundle, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
let la: string;
let ed: string;

function post(path: string, body: unknown, token = la, type = 'application/fhir+json') {
  return request(t.gateway.app)
    .post(path)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', type)
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

async function count(table: string): Promise<number> {
  const [row] = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

async function snapshot() {
  return { persons: await count('persons'), plans: await count('protection_plans') };
}

async function plansFor(nhs: string) {
  const res = await request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false');
  return res.body.entry?.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource) ?? [];
}

const errorCode = (res: request.Response) => res.body.issue[0].details.coding[0].code;

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
});
afterAll(async () => t.dispose());

describe('recording plans', () => {
  it('POST /fhir/CareTeam creates (201, Location) and re-sending updates, never duplicates', async () => {
    const nhs = testNhsNumber(1000);
    const first = await post('/fhir/CareTeam', careTeam(nhs));
    expect(first.status).toBe(201);
    expect(first.headers.location).toMatch(/\/fhir\/CareTeam\/[\w-]+$/);
    expect(first.body).toMatchObject({ resourceType: 'CareTeam', status: 'active', managingOrganization: [{ reference: 'Organization/la-383' }] });
    const again = await post('/fhir/CareTeam', careTeam(nhs));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await plansFor(nhs)).toHaveLength(1);
  });

  it('ending a plan is a re-send with period.end', async () => {
    const nhs = testNhsNumber(1100);
    await post('/fhir/CareTeam', careTeam(nhs, { id: 'CPP-1' }));
    const ended = await post('/fhir/CareTeam', careTeam(nhs, { id: 'CPP-1', end: '2026-10-01' }));
    expect(ended.status).toBe(200);
    const [plan] = await plansFor(nhs);
    expect(plan).toMatchObject({ status: 'inactive', period: { start: '2026-09-01', end: '2026-10-01' } });
  });

  it('stores the Patient demographics sent with a plan', async () => {
    const nhs = testNhsNumber(1200);
    await post('/fhir', planBundle(nhs, { code: LAC }));
    const [row] = await t.testDb.db.query<{ record: any }>("SELECT p.record FROM persons p JOIN person_identifiers i ON i.person_id = p.id WHERE i.value = $1", [nhs]);
    expect(row!.record).toMatchObject({ birthDate: '2018-05-04', sex: 'male', names: [{ given: ['Sam'], family: 'Testchild' }], addresses: [{ postcode: 'LS1 1AA' }] });
    expect(row!.record.identifiers[0].verificationStatus).toBe('01');
  });

  it('a plan for an already-verified person needs no verification extension', async () => {
    const nhs = testNhsNumber(1200);
    const res = await post('/fhir/CareTeam', careTeam(nhs, { verified: false, start: '2026-10-10' }));
    expect(res.status).toBe(201);
  });

  it('a batch answers a created Patient 201, like a transaction', async () => {
    const res = await post('/fhir', planBundle(testNhsNumber(1400), { type: 'batch' }));
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
    const again = await post('/fhir', planBundle(testNhsNumber(1400), { type: 'batch' }));
    expect(again.body.entry.map((e: any) => e.response.status)).toEqual(['200 OK', '200 OK']);
  });

  it('a batch Bundle answers each entry on its own', async () => {
    const ok = testNhsNumber(1300);
    const bad = testNhsNumber(1310);
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: careTeam(ok) }, { resource: careTeam(bad, { verified: false }) }, { resource: { ...careTeam(ok), category: [] } }],
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    const statuses = res.body.entry.map((e: any) => e.response.status);
    expect(statuses).toEqual(['201 Created', '422 Unprocessable Entity', '422 Unprocessable Entity']);
    expect(res.body.entry[1].response.outcome.issue[0].details.coding[0].code).toBe('GW_ERR_NHS_NUMBER_NOT_VERIFIED');
    expect(res.body.entry[2].response.outcome.issue[0].expression).toEqual(['Bundle.entry[2].resource.category']);
    expect(await plansFor(ok)).toHaveLength(1);
    expect(await plansFor(bad)).toHaveLength(0);
  });
});

describe('reading a plan back by id', () => {
  it('the owning LA follows Location to its plan; read is audited', async () => {
    const nhs = testNhsNumber(1500);
    const created = await post('/fhir/CareTeam', careTeam(nhs, { id: 'R-1' }));
    const path = new URL(created.headers.location as string).pathname;
    const res = await request(t.gateway.app).get(path).set('Authorization', `Bearer ${la}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'CareTeam', id: created.body.id, subject: { identifier: { value: nhs } } });
    const [last] = await t.testDb.db.query<{ entry: any }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
    expect(last!.entry).toMatchObject({ action: 'read', resourceType: 'CareTeam', outcome: 'permit', records: [created.body.id] });
  });

  it('another LA gets 404 (existence not confirmed); health gets 403 and must use the CP-IS query', async () => {
    const created = await post('/fhir/CareTeam', careTeam(testNhsNumber(1510)));
    const london = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
    let res = await request(t.gateway.app).get(`/fhir/CareTeam/${created.body.id}`).set('Authorization', `Bearer ${london}`);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe('GW_ERR_NOT_FOUND');
    res = await request(t.gateway.app).get(`/fhir/CareTeam/${created.body.id}`).set('Authorization', `Bearer ${ed}`);
    expect(res.status).toBe(403);
    res = await request(t.gateway.app).get('/fhir/CareTeam/no-such-plan').set('Authorization', `Bearer ${la}`);
    expect(res.status).toBe(404);
  });

  it('the managing organisation in a plan resolves to the LA and its numbers', async () => {
    const res = await request(t.gateway.app).get('/fhir/Organization/la-383').set('Authorization', `Bearer ${ed}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'Organization', id: 'la-383', name: 'Leeds City Council' });
    expect(res.body.telecom).toHaveLength(2);
    expect((await request(t.gateway.app).get('/fhir/Organization/la-999').set('Authorization', `Bearer ${ed}`)).status).toBe(404);
    expect((await request(t.gateway.app).get('/fhir/Organization/la-383')).status).toBe(401);
  });
});

describe('only the owning local authority changes its plans', () => {
  it('another LA cannot record a plan managed by Leeds, and changes nothing', async () => {
    const nhs = testNhsNumber(2000);
    await post('/fhir/CareTeam', careTeam(nhs, { id: 'L-1' }));
    const before = await snapshot();
    const london = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
    const res = await post('/fhir/CareTeam', careTeam(nhs, { id: 'L-1', owner: 'la-383', status: 'entered-in-error' }), london);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('GW_ERR_FORBIDDEN_OWNER');
    expect(await snapshot()).toEqual(before);
    expect(await plansFor(nhs)).toHaveLength(1);
  });

  it('a plan London sends with the same plan id is London\'s own plan, not Leeds\'s', async () => {
    const nhs = testNhsNumber(2000);
    const london = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
    const res = await post('/fhir/CareTeam', careTeam(nhs, { id: 'L-1', status: 'entered-in-error' }), london);
    expect(res.status).toBe(201);
    const plans = await plansFor(nhs);
    expect(plans.map((p: any) => p.managingOrganization[0].reference)).toEqual(['Organization/la-383']);
  });

  it('health and police roles cannot record plans', async () => {
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    for (const token of [ed, police]) {
      const res = await post('/fhir/CareTeam', careTeam(testNhsNumber(2100)), token);
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('GW_ERR_FORBIDDEN_ROLE');
    }
  });

  it('a role that may not record plans is refused before its submission is checked: 403, not the CareTeam\'s faults', async () => {
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    const invalid = careTeam(testNhsNumber(2101), { verified: false });
    const bundle = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'CareTeam' } }] });
    for (const [path, body] of [['/fhir/CareTeam', invalid], ['/fhir', bundle]] as const) {
      const res = await post(path, body, police);
      expect(res.status, path).toBe(403);
      expect(errorCode(res), path).toBe('GW_ERR_FORBIDDEN_ROLE');
      expect(JSON.stringify(res.body), path).not.toMatch(/verif|subject|CareTeam\./);
    }
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  const nhs = testNhsNumber(3000);

  it.each([
    ['an unverified NHS number', careTeam(nhs, { verified: false }), 422, 'GW_ERR_NHS_NUMBER_NOT_VERIFIED', 'CareTeam.subject.identifier', /verification status 01/],
    ['an invalid NHS number', careTeam('9990000019'), 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.subject.identifier.value', /check digit/],
    ['a category outside England-ChildProtectionPlan', { ...careTeam(nhs), category: [{ coding: [{ system: 'http://snomed.info/sct', code: '123' }] }] }, 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.category', /342191000000101/],
    ['no start date', { ...careTeam(nhs), period: {} }, 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.period.start', /start date/],
    ['an impossible date', careTeam(nhs, { start: '2026-02-30' }), 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.period.start', /YYYY-MM-DD/],
    ['an end before the start', careTeam(nhs, { start: '2026-05-01', end: '2026-04-01' }), 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.period.end', /before it starts/],
    ['no subject', { ...careTeam(nhs), subject: undefined }, 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.subject', /subject/],
    ['a non-LA owner', careTeam(nhs, { owner: 'ods-RR8' }), 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.managingOrganization[0]', /local authority/],
    ['an unknown status', careTeam(nhs, { status: 'finished' }), 422, 'GW_ERR_INVALID_RESOURCE', 'CareTeam.status', /entered-in-error/],
    ['the wrong resource type', { resourceType: 'Patient' }, 422, 'GW_ERR_INVALID_RESOURCE', 'resourceType', /CareTeam/],
    ['a JSON array', [], 400, 'GW_ERR_MALFORMED_BODY', 'body', /JSON object/],
  ])('%s', async (_name, body, status, code, expression, diagnostics) => {
    const before = await snapshot();
    const res = await post('/fhir/CareTeam', body);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(errorCode(res)).toBe(code);
    expect(res.body.issue[0].expression).toEqual([expression]);
    expect(res.body.issue[0].diagnostics).toMatch(diagnostics);
    expect(await snapshot()).toEqual(before);
  });

  it('reports every problem at once, not just the first', async () => {
    const res = await post('/fhir/CareTeam', { resourceType: 'CareTeam', category: [], period: { start: 'soon' } });
    expect(res.status).toBe(422);
    const paths = res.body.issue.map((i: any) => i.expression[0]);
    expect(paths).toEqual(expect.arrayContaining(['CareTeam.category', 'CareTeam.period.start', 'CareTeam.subject']));
  });

  it('a transaction with one bad plan stores none of its plans', async () => {
    const good = testNhsNumber(3100);
    const before = await snapshot();
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: careTeam(good) }, { resource: careTeam(testNhsNumber(3110), { verified: false }) }],
    });
    expect(res.status).toBe(422);
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].resource.subject.identifier']);
    expect(await snapshot()).toEqual(before);
  });

  it('a Bundle entry of another type, an unreferenced Patient, and a dangling reference are each named', async () => {
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Observation' } },
        { fullUrl: 'urn:uuid:a', resource: { resourceType: 'Patient', identifier: [{ system: NHS_SYSTEM, value: nhs }] } },
        { resource: { ...careTeam(nhs), subject: { reference: 'urn:uuid:missing' } } },
      ],
    });
    expect(res.status).toBe(422);
    const paths = res.body.issue.map((i: any) => i.expression[0]);
    expect(paths).toEqual(['Bundle.entry[0].resource.resourceType', 'Bundle.entry[2].resource.subject.reference', 'Bundle.entry[1].resource']);
  });

  it('refuses other Bundle types at POST /fhir', async () => {
    const res = await post('/fhir', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(res.status).toBe(422);
    expect(res.body.issue[0].expression).toEqual(['Bundle.type']);
  });

  it('400 for malformed JSON, 415 for another content type, 413 for an oversized body', async () => {
    let res = await post('/fhir/CareTeam', '{"resourceType": "CareTeam",');
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GW_ERR_MALFORMED_BODY');
    res = await post('/fhir/CareTeam', '<CareTeam/>', la, 'application/xml');
    expect(res.status).toBe(415);
    expect(errorCode(res)).toBe('GW_ERR_UNSUPPORTED_MEDIA_TYPE');
    res = await post('/fhir/CareTeam', JSON.stringify({ resourceType: 'CareTeam', note: [{ text: 'x'.repeat(11 * 1024 * 1024) }] }));
    expect(res.status).toBe(413);
    expect(errorCode(res)).toBe('GW_ERR_BODY_TOO_LARGE');
  });

  it('every refused write is audited with its status', async () => {
    const [before] = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    await post('/fhir/CareTeam', careTeam(nhs, { verified: false }));
    await post('/fhir/CareTeam', careTeam(nhs), ed);
    const rows = await t.testDb.db.query<{ entry: any }>('SELECT entry FROM audit_log WHERE seq > $1 ORDER BY seq', [before!.n]);
    expect(rows.map((r) => [r.entry.action, r.entry.outcome, r.entry.status])).toEqual([
      ['create', 'error', 422],
      ['create', 'deny', 403],
    ]);
  });
});

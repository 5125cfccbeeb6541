import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { DEV_ISSUER } from '../../src/auth/dev-keys.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { careTeam, CPP, LAC, NHS_SYSTEM, planBundle, testNhsNumber, UNBORN } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway, HOUR } from '../helpers/test-gateway.js';

let t: TestGateway;
let la: string;
let ed: string;

const query = (nhs: string) => `/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`;

async function cpis(nhs: string, token: string, unscheduled: boolean | null = true) {
  const r = request(t.gateway.app).get(query(nhs)).set('Authorization', `Bearer ${token}`);
  if (unscheduled !== null) void r.set('IsUnscheduledAccessEvent', String(unscheduled));
  return r;
}

async function record(body: object, token = la) {
  return request(t.gateway.app).post(body && (body as { resourceType?: string }).resourceType === 'Bundle' ? '/fhir' : '/fhir/CareTeam').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(body));
}

async function inbox(token = la, recipient = 'la:383') {
  return request(t.gateway.app).get(`/fhir/Communication?recipient=${recipient}`).set('Authorization', `Bearer ${token}`);
}

async function auditRows() {
  return t.testDb.db.query<{ seq: number; entry: { outcome: string; status: number; action: string; resourceType: string; actor: { agency: string | null } } }>('SELECT seq, entry FROM audit_log ORDER BY seq');
}

type Entry = { resource: Record<string, any>; search: { mode: string } };
const matches = (body: { entry?: Entry[] }): any[] => (body.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource);
const accessEvents = (body: { entry?: Entry[] }): any[] => (body.entry ?? []).filter((e) => e.resource.resourceType === "AuditEvent").map((e) => e.resource);

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-1');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT', 'dr-1');
});
afterAll(async () => t.dispose());

describe('CP-IS end to end: the LA records a plan, A&E asks, the LA is told', () => {
  const child = testNhsNumber(100);

  it('records a plan from a transaction Bundle (Patient + CareTeam)', async () => {
    const res = await record(planBundle(child));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
    expect(res.body.entry[1].response.location).toMatch(/^CareTeam\//);
  });

  it('answers the A&E query with the plan, the LA and its office-hours and out-of-hours numbers', async () => {
    const res = await cpis(child, ed);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    const [plan] = matches(res.body);
    expect(plan).toMatchObject({
      resourceType: 'CareTeam',
      status: 'active',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: CPP }] }],
      subject: { identifier: { system: NHS_SYSTEM, value: child } },
      period: { start: '2026-09-01' },
      managingOrganization: [{ reference: 'Organization/la-383', display: 'Leeds City Council' }],
    });
    const org = res.body.entry.find((e: Entry) => e.resource.resourceType === 'Organization');
    expect(org.search.mode).toBe('include');
    const phones = org.resource.telecom.map((c: any) => [c.extension[0].valueCode, c.value]);
    expect(phones).toEqual([
      ['office-hours', '0113 496 0100'],
      ['out-of-hours', '0113 496 0999'],
    ]);
  });

  it('includes the current access, by this user, in the access history', async () => {
    const res = await cpis(child, ed);
    const events = accessEvents(res.body);
    expect(events).toHaveLength(1); // the earlier query by the same user within 24 h is listed once
    expect(events[0].agent[0].who.identifier.value).toBe('dr-1');
    expect(events[0].agent[1].who.display).toBe('Leeds Teaching Hospitals NHS Trust');
  });

  it('tells the owning LA about every unscheduled access, as a Communication it can read', async () => {
    const res = await inbox();
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const [note] = matches(res.body);
    expect(note).toMatchObject({
      resourceType: 'Communication',
      status: 'completed',
      recipient: [{ reference: 'Organization/la-383' }],
      sender: { reference: 'Organization/ods-RR8', display: 'Leeds Teaching Hospitals NHS Trust' },
      subject: { identifier: { value: child } },
    });
    expect(note.payload[0].contentString).toContain('dr-1');
  });

  it('does not let another agency read the LA inbox', async () => {
    const london = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
    const res = await inbox(london, 'la:383');
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_OWNER');
  });
});

describe('CP-IS semantics', () => {
  it('answers 200 with an empty searchset when there is no record', async () => {
    const res = await cpis(testNhsNumber(200), ed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 0 });
    expect(res.body.entry).toBeUndefined();
  });

  it('a scheduled (silent) read shows the plan but notifies no one and adds no access', async () => {
    const nhs = testNhsNumber(300);
    await record(careTeam(nhs));
    const gp = await t.token('ods:RYJ', 'scheduled-care', 'TREAT', 'gp-1');
    const before = (await inbox()).body.total;
    const res = await cpis(nhs, gp, false);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(accessEvents(res.body)).toHaveLength(0);
    expect((await inbox()).body.total).toBe(before);
  });

  it('a scheduled-care role may not claim an unscheduled access', async () => {
    const gp = await t.token('ods:RYJ', 'scheduled-care', 'TREAT');
    const res = await cpis(testNhsNumber(300), gp, true);
    expect(res.status).toBe(403);
  });

  it('lists the same user once within 24 h, again after 24 h, and other users separately', async () => {
    const nhs = testNhsNumber(400);
    await record(careTeam(nhs));
    const other = await t.token('ods:RYJ', 'unscheduled-care', 'TREAT', 'dr-2');
    await cpis(nhs, ed);
    t.clock.advance(23 * HOUR);
    await cpis(nhs, ed);
    let res = await cpis(nhs, other);
    expect(accessEvents(res.body).map((e) => e.agent[0].who.identifier.value)).toEqual(['dr-2', 'dr-1']);
    t.clock.advance(2 * HOUR); // 25 h after the first; 2 h after the second
    res = await cpis(nhs, ed);
    expect(accessEvents(res.body).map((e) => e.agent[0].who.identifier.value)).toEqual(['dr-2', 'dr-1']);
    t.clock.advance(24 * HOUR);
    res = await cpis(nhs, ed);
    expect(accessEvents(res.body).map((e) => e.agent[0].who.identifier.value)).toEqual(['dr-1', 'dr-2', 'dr-1']);
  });

  it('lists a burst of simultaneous queries by one user once, and notifies for each', async () => {
    const nhs = testNhsNumber(450);
    await record(careTeam(nhs));
    const notesBefore = (await inbox()).body.total;
    const burst = await Promise.all(Array.from({ length: 12 }, () => cpis(nhs, ed)));
    expect(burst.map((r) => r.status)).toEqual(Array(12).fill(200));
    const res = await cpis(nhs, ed, false);
    expect(accessEvents(res.body)).toHaveLength(1);
    expect((await inbox()).body.total).toBe(notesBefore + 12);
  });

  it('returns the 25 most recent accesses, newest first', async () => {
    const nhs = testNhsNumber(500);
    await record(careTeam(nhs));
    for (let i = 0; i < 30; i++) {
      t.clock.advance(60_000);
      await cpis(nhs, await t.token('ods:RR8', 'unscheduled-care', 'TREAT', `clin-${i}`));
    }
    const res = await cpis(nhs, await t.token('ods:RR8', 'unscheduled-care', 'TREAT', 'clin-29'));
    const who = accessEvents(res.body).map((e) => e.agent[0].who.identifier.value);
    expect(who).toHaveLength(25);
    expect(who[0]).toBe('clin-29');
    expect(who[24]).toBe('clin-5');
  });

  it('an entered-in-error plan disappears from query results', async () => {
    const nhs = testNhsNumber(600);
    await record(careTeam(nhs, { id: 'P-600' }));
    expect((await cpis(nhs, ed, false)).body.total).toBe(1);
    const res = await record(careTeam(nhs, { id: 'P-600', status: 'entered-in-error' }));
    expect(res.status).toBe(200);
    expect((await cpis(nhs, ed, false)).body.total).toBe(0);
  });

  it('an ended plan shows as inactive for 12 months, then drops off', async () => {
    const nhs = testNhsNumber(700);
    const today = t.clock.now.toISOString().slice(0, 10);
    await record(careTeam(nhs, { code: LAC, start: '2025-01-01', end: '2026-01-31' }));
    const res = await cpis(nhs, ed, false);
    expect(matches(res.body)[0]).toMatchObject({ status: 'inactive', period: { end: '2026-01-31' } });
    expect(today > '2026-01-31').toBe(true);
    const old = testNhsNumber(710);
    await record(careTeam(old, { start: '2020-01-01', end: '2023-01-31' }));
    expect((await cpis(old, ed, false)).body.total).toBe(0);
  });

  it('an unborn-child plan is held against the mother and found by her NHS number', async () => {
    const mother = testNhsNumber(800);
    await record(careTeam(mother, { code: UNBORN }));
    const res = await cpis(mother, ed, false);
    expect(matches(res.body)[0].category[0].coding[0].code).toBe(UNBORN);
  });

  it('the Flag search gives the same plans as Flags', async () => {
    const nhs = testNhsNumber(100);
    const res = await request(t.gateway.app).get(`/fhir/Flag?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${ed}`);
    expect(res.status).toBe(200);
    const [flag] = matches(res.body);
    expect(flag).toMatchObject({ resourceType: 'Flag', status: 'active', code: { coding: [{ code: CPP }] }, author: { reference: 'Organization/la-383' } });
  });

  it('accepts the legacy Spine NHS number system in the query', async () => {
    const res = await request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=http://fhir.nhs.net/Id/nhs-number|${testNhsNumber(100)}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false');
    expect(res.body.total).toBe(1);
  });

  it('a local authority sees only its own plans', async () => {
    const nhs = testNhsNumber(100);
    const london = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
    expect((await cpis(nhs, london, false)).body.total).toBe(0);
    expect((await cpis(nhs, la, false)).body.total).toBe(1);
  });
});

describe('CP-IS query errors', () => {
  const nhs = testNhsNumber(100);
  const code = (res: request.Response) => res.body.issue[0].details.coding[0].code;

  it('400 names the parameter and the rule for an invalid NHS number', async () => {
    const res = await request(t.gateway.app).get(query('9990000019')).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(code(res)).toBe('GW_ERR_INVALID_NHS_NUMBER');
    expect(res.body.issue[0].expression).toEqual(['patient:identifier']);
    expect(res.body.issue[0].diagnostics).toMatch(/check digit/);
  });

  it.each([
    ['missing parameter', '/fhir/CareTeam', 'GW_ERR_MISSING_PARAMETER'],
    ['no system', `/fhir/CareTeam?patient:identifier=${nhs}`, 'GW_ERR_INVALID_PARAMETER'],
    ['wrong system', `/fhir/CareTeam?patient:identifier=https://example.org/id|${nhs}`, 'GW_ERR_INVALID_PARAMETER'],
    ['unknown parameter', `${query(nhs)}&name=smith`, 'GW_ERR_UNSUPPORTED_PARAMETER'],
    ['repeated parameter', `${query(nhs)}&patient:identifier=${NHS_SYSTEM}|${nhs}`, 'GW_ERR_INVALID_PARAMETER'],
  ])('400 for %s', async (_name, url, expected) => {
    const res = await request(t.gateway.app).get(url).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');
    expect(res.status).toBe(400);
    expect(code(res)).toBe(expected);
  });

  it('400 when IsUnscheduledAccessEvent is missing or not true/false', async () => {
    let res = await cpis(nhs, ed, null);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['IsUnscheduledAccessEvent']);
    res = await request(t.gateway.app).get(query(nhs)).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'yes');
    expect(res.status).toBe(400);
  });

  it('401 without a token, with WWW-Authenticate', async () => {
    const res = await request(t.gateway.app).get(query(nhs)).set('IsUnscheduledAccessEvent', 'true');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(code(res)).toBe('GW_ERR_AUTH_MISSING');
  });

  it('401 for a tampered token', async () => {
    const [h, p, s] = ed.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.sub = 'someone-else';
    const res = await cpis(nhs, `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('GW_ERR_AUTH_INVALID');
  });

  it('401 for an expired token and for a token meant for another service', async () => {
    const sign = (aud: string, exp: number) =>
      new SignJWT({ agency: 'ods:RR8', role: 'unscheduled-care', purpose_of_use: 'TREAT' })
        .setProtectedHeader({ alg: 'ES256', kid: t.keys.kid })
        .setIssuer(DEV_ISSUER)
        .setSubject('dr-1')
        .setAudience(aud)
        .setExpirationTime(exp)
        .sign(t.keys.privateKey);
    const now = Math.floor(Date.now() / 1000);
    let res = await cpis(nhs, await sign('safeguarding-gateway', now - 120));
    expect([res.status, code(res), res.body.issue[0].diagnostics]).toEqual([401, 'GW_ERR_AUTH_INVALID', 'the token has expired']);
    res = await cpis(nhs, await sign('another-service', now + 600));
    expect(res.status).toBe(401);
    expect(res.body.issue[0].diagnostics).toMatch(/audience/);
  });

  it('403 for a role that may not query, and for a missing purpose, naming the token claim', async () => {
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    let res = await cpis(nhs, police);
    expect(res.status).toBe(403);
    expect(code(res)).toBe('GW_ERR_FORBIDDEN_ROLE');
    expect(res.body.issue[0].expression).toEqual(['role']);
    res = await cpis(nhs, await t.token('ods:RR8', 'unscheduled-care'));
    expect(res.status).toBe(403);
    expect(code(res)).toBe('GW_ERR_FORBIDDEN_PURPOSE');
    expect(res.body.issue[0].expression).toEqual(['purpose_of_use']);
  });
});

describe('audit of every request that touches personal data', () => {
  it('writes one entry per request, permitted or refused, and the chain verifies', async () => {
    const before = (await auditRows()).length;
    const nhs = testNhsNumber(100);
    await cpis(nhs, ed); // permitted
    await request(t.gateway.app).get(query(nhs)).set('IsUnscheduledAccessEvent', 'true'); // 401
    await cpis(nhs, await t.token('school:100000', 'school-dsl', 'safeguarding-s47')); // 403
    await request(t.gateway.app).get(query('9990000019')).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true'); // 400
    const rows = (await auditRows()).slice(before);
    expect(rows.map((r) => [r.entry.outcome, r.entry.status, r.entry.actor.agency])).toEqual([
      ['permit', 200, 'ods:RR8'],
      ['deny', 401, null],
      ['deny', 403, 'school:100000'],
      ['error', 400, 'ods:RR8'],
    ]);
    expect(await verifyAuditLog(t.testDb.db)).toMatchObject({ ok: true });
  });

  it('answers 503 with no data when the audit cannot be written', async () => {
    const nhs = testNhsNumber(100);
    const notesBefore = (await inbox()).body.total;
    await t.testDb.db.query('ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      for (const unscheduled of [true, false]) {
        const res = await cpis(nhs, ed, unscheduled);
        expect(res.status).toBe(503);
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_AUDIT_UNAVAILABLE');
        expect(JSON.stringify(res.body)).not.toContain('CareTeam/');
      }
      // Reading the inbox is audited too, so it cannot be answered either.
      expect((await inbox()).status).toBe(503);
    } finally {
      await t.testDb.db.query('ALTER TABLE audit_log_away RENAME TO audit_log');
    }
    // The unscheduled access was rolled back with its audit entry: no notification was sent.
    expect((await inbox()).body.total).toBe(notesBefore);
    expect((await cpis(nhs, ed)).status).toBe(200);
  });

  it('keeps personal data out of the logs', async () => {
    const nhs = testNhsNumber(100);
    await cpis(nhs, ed);
    await request(t.gateway.app).get(query('9990000019')).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');
    const logs = t.logLines.join('\n');
    expect(logs).toContain('"path":"/fhir/CareTeam"');
    for (const secret of [nhs, '9990000019', 'Testchild', '2018-05-04']) expect(logs).not.toContain(secret);
  });
});

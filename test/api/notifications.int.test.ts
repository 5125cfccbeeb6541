import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { planBundle, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Police notifications end to end: a force submits once, the gateway matches the people,
// routes the notification to the child's LA (and an Operation Encompass notice to the
// school), and the force sees where it went and when it was read.

let t: TestGateway;
let police: string;
let la: string;
let school: string;

const planChild = testNhsNumber(8100);

function notification(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    force: 'E23000010',
    reference: '13/100001/26',
    type: 'domestic-abuse',
    occurredAt: '2026-11-19T22:40:00Z',
    location: { lines: ['1 Example Street'], city: 'Leeds', postcode: 'LS1 4AP' },
    persons: [
      { ref: 'c1', roles: ['subject-child'], nhsNumber: planChild, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04', present: true, presentWhere: 'upstairs bedroom', school: '100000' },
      { ref: 'a1', roles: ['alleged-perpetrator', 'household-member'], name: { given: ['Drew'], family: 'Harmful' }, birthDate: '1985-05-05' },
      { ref: 'v1', roles: ['victim', 'parent-carer'], name: { given: ['Jo'], family: 'Testchild' }, birthDate: '1988-02-02' },
    ],
    riskGrade: { grade: 'high', dashYesCount: 15 },
    officer: { collarNumber: '4521' },
    narrative: 'SYNTHETIC-NARRATIVE officers attended after a call from a neighbour.',
    voiceOfChild: 'SYNTHETIC-VOICE I hid upstairs.',
    circumstances: 'Police attended a domestic incident at the home overnight.',
    actionsTaken: [{ code: 'referral-to-childrens-social-care' }],
    familyTold: true,
    ...overrides,
  };
}

const submit = (body: unknown, token = police) => request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
const inbox = (recipient: string, token: string) => request(t.gateway.app).get(`/fhir/Communication?recipient=${recipient}`).set('Authorization', `Bearer ${token}`);
const attachment = (c: any): any => JSON.parse(Buffer.from(c.payload[1].contentAttachment.data, 'base64').toString('utf8'));
const count = async (sql: string, params: unknown[] = []) => Number((await t.testDb.db.query<{ n: number }>(sql, params))[0]!.n);

beforeAll(async () => {
  // Thursday 19 November 2026, 23:00: the incident was at 22:40.
  t = await createTestGateway(new Date('2026-11-19T23:00:00Z'));
  police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement', 'officer-4521');
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47', 'sw-1');
  school = await t.token('school:100000', 'school-dsl', 'safeguarding-s47', 'dsl-1');
  const plan = await request(t.gateway.app).post('/fhir').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(planBundle(planChild));
  expect(plan.status).toBe(200);
});
afterAll(async () => t.dispose());

describe('a notification about a child on a protection plan', () => {
  let receipt: any;

  it('is received with a receipt: people matched, routed to the LA that owns the plan', async () => {
    const res = await submit(notification());
    expect(res.status).toBe(201);
    receipt = res.body;
    expect(res.headers.location).toMatch(new RegExp(`/notifications/${receipt.id}$`));
    expect(receipt).toMatchObject({ force: 'E23000010', reference: '13/100001/26', type: 'domestic-abuse', version: 1, status: 'routed' });
    const child = receipt.persons.find((p: any) => p.ref === 'c1');
    // The NHS number finds the child the LA's plan is about.
    expect(child.match.method).not.toBe('new');
    expect(receipt.persons.find((p: any) => p.ref === 'a1').match.method).toBe('new');
    const toLa = receipt.routes.find((r: any) => r.kind === 'local-authority');
    expect(toLa).toMatchObject({ recipient: 'la:383', personRef: 'c1', viewedAt: null });
    expect(toLa.basis).toMatch(/^active-plan/);
  });

  it("reaches the LA's inbox in full, narrative and the child's words included", async () => {
    const res = await inbox('la:383', la);
    expect(res.status).toBe(200);
    const notice = res.body.entry.map((e: any) => e.resource).find((c: any) => c.category[0].coding[0].code === 'police-notification');
    expect(notice.priority).toBe('urgent');
    expect(notice.subject.identifier.value).toBe(planChild);
    expect(notice.payload[0].contentString).toContain('SYNTHETIC-NARRATIVE');
    const content = attachment(notice);
    expect(content).toMatchObject({ reference: '13/100001/26', riskGrade: { grade: 'high', dashYesCount: 15 }, voiceOfChild: 'SYNTHETIC-VOICE I hid upstairs.' });
    expect(content.persons).toHaveLength(3);
  });

  it('raises the alert for high-risk domestic abuse about a child on a plan, with the facts that triggered it', async () => {
    const res = await request(t.gateway.app).get('/alerts?status=open').set('Authorization', `Bearer ${la}`);
    expect(res.status).toBe(200);
    const alert = res.body.alerts.find((a: any) => a.rule === 'domestic-abuse-high-household-plan');
    expect(alert).toMatchObject({ recipient: 'la:383', severity: 'high', personId: receipt.persons.find((p: any) => p.ref === 'c1').personId });
    const facts = Object.fromEntries(alert.reasons.map((r: any) => [r.fact, r]));
    expect(facts.riskGrade.value).toBe('high');
    expect(facts.riskGrade.source).toBe(`PoliceNotification/${receipt.id}`);
    expect(Object.keys(facts).some((f) => /plan/i.test(f))).toBe(true);
    // Facts, never personal details.
    for (const secret of ['Testchild', 'SYNTHETIC-NARRATIVE', planChild]) expect(JSON.stringify(alert)).not.toContain(secret);
  });

  it('the force then sees when the LA read it, not who', async () => {
    const res = await request(t.gateway.app).get(`/notifications/${receipt.id}`).set('Authorization', `Bearer ${police}`);
    expect(res.status).toBe(200);
    const toLa = res.body.routes.find((r: any) => r.kind === 'local-authority');
    expect(toLa.viewedAt).toBe('2026-11-19T23:00:00.000Z');
    expect(JSON.stringify(res.body)).not.toContain('sw-1');
  });

  it('records the alleged perpetrator against the child, for identity protection', async () => {
    const childId = receipt.persons.find((p: any) => p.ref === 'c1').personId;
    const perpetratorId = receipt.persons.find((p: any) => p.ref === 'a1').personId;
    const rows = await t.testDb.db.query<{ related: string }>(
      `SELECT record->>'relatedPersonId' AS related FROM canonical_records WHERE person_id = $1 AND type = 'Relationship' AND record->>'role' = 'alleged-perpetrator'`,
      [childId],
    );
    expect(rows.map((r) => r.related)).toEqual([perpetratorId]);
  });

  it("is in the child's multi-agency chronology for the LA, and not for a hospital", async () => {
    const childId = receipt.persons.find((p: any) => p.ref === 'c1').personId;
    const res = await request(t.gateway.app).get(`/people/${childId}/chronology`).set('Authorization', `Bearer ${la}`);
    expect(res.status).toBe(200);
    const entry = res.body.entries.find((e: any) => e.type === 'PoliceNotification');
    expect(entry).toMatchObject({ date: '2026-11-19T22:40:00Z', what: 'domestic-abuse', owner: 'police:E23000010' });
    expect(entry.record.narrative).toContain('SYNTHETIC-NARRATIVE');
    const ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
    const health = await request(t.gateway.app).get(`/people/${childId}/chronology`).set('Authorization', `Bearer ${ed}`);
    expect(JSON.stringify(health.body)).not.toContain('SYNTHETIC-NARRATIVE');
    expect((health.body.entries ?? []).some((e: any) => e.type === 'PoliceNotification')).toBe(false);
  });

  it('a retry returns the same receipt and stores nothing new', async () => {
    const before = await count('SELECT count(*)::int AS n FROM communications');
    const res = await submit(notification());
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(receipt.id);
    expect(res.body.version).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM communications')).toBe(before);
  });

  it('a changed re-submission becomes version 2, and version 1 is kept', async () => {
    const childId = receipt.persons.find((p: any) => p.ref === 'c1').personId;
    const relationshipsOfChild = async () =>
      (await t.testDb.db.query<{ role: string }>(`SELECT record->>'role' AS role FROM canonical_records WHERE person_id = $1 AND type = 'Relationship' ORDER BY 1`, [childId])).map((r) => r.role);
    expect(await relationshipsOfChild()).toEqual(['alleged-perpetrator', 'household-member', 'parent']);
    // Version 2 no longer names the victim.
    const res = await submit(notification({ riskGrade: { grade: 'medium', dashYesCount: 9 }, persons: notification().persons.slice(0, 2) }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: receipt.id, version: 2, status: 'routed' });
    const versions = await t.testDb.db.query<{ version: number; grade: string }>(
      `SELECT version, record->'riskGrade'->>'grade' AS grade FROM police_notification_versions WHERE notification_id = $1 ORDER BY version`,
      [receipt.id],
    );
    expect(versions).toEqual([
      { version: 1, grade: 'high' },
      { version: 2, grade: 'medium' },
    ]);
    expect(await relationshipsOfChild()).toEqual(['alleged-perpetrator', 'household-member']);
  });
});

describe('idempotency under load', () => {
  it('100 parallel retries of one submission create exactly one notification', async () => {
    const body = notification({ reference: '13/100100/26' });
    const results = await Promise.all(Array.from({ length: 100 }, () => submit(body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(99);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM police_notifications WHERE reference = $1', ['13/100100/26'])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM police_notification_versions v JOIN police_notifications n ON n.id = v.notification_id WHERE n.reference = $1', ['13/100100/26'])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM notification_routes r JOIN police_notifications n ON n.id = r.notification_id WHERE n.reference = $1`, ['13/100100/26'])).toBe(1);
  });
});

describe('Operation Encompass', () => {
  let receipt: any;

  it("sends the child's school a minimised notice before the next school day", async () => {
    const res = await submit(notification({ reference: '13/100200/26', type: 'encompass' }));
    expect(res.status).toBe(201);
    receipt = res.body;
    const toSchool = receipt.routes.find((r: any) => r.kind === 'school');
    expect(toSchool).toMatchObject({ recipient: 'school:100000', personRef: 'c1', beforeSchoolDay: true });
    // Incident Thursday night; the next school day starts Friday morning.
    expect(toSchool.schoolDayStart.slice(0, 10)).toBe('2026-11-20');
    expect(receipt.routes.some((r: any) => r.kind === 'local-authority' && r.recipient === 'la:383')).toBe(true);
  });

  it('the notice holds the child, the reference, when, where, presence and brief circumstances, and nothing else', async () => {
    const res = await inbox('school:100000', school);
    expect(res.status).toBe(200);
    const notices = res.body.entry.map((e: any) => e.resource).filter((c: any) => c.category[0].coding[0].code === 'operation-encompass-notice');
    expect(notices).toHaveLength(1);
    const notice = notices[0];
    const content = attachment(notice);
    expect(content).toEqual({
      child: { name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' },
      force: 'E23000010',
      reference: '13/100200/26',
      date: '2026-11-19',
      time: '22:40',
      location: '1 Example Street, Leeds, LS1 4AP',
      present: true,
      presentWhere: 'upstairs bedroom',
      circumstances: 'Police attended a domestic incident at the home overnight.',
    });
    const whole = JSON.stringify(notice);
    for (const secret of ['SYNTHETIC-NARRATIVE', 'SYNTHETIC-VOICE', 'Drew', 'Harmful', 'Jo', '1985-05-05', 'dashYesCount']) expect(whole).not.toContain(secret);
  });

  it('the school sees only its own inbox; the force sees the notice as routed and read', async () => {
    expect((await inbox('la:383', school)).status).toBe(403);
    const res = await request(t.gateway.app).get(`/notifications/${receipt.id}`).set('Authorization', `Bearer ${police}`);
    expect(res.body.routes.find((r: any) => r.kind === 'school').viewedAt).not.toBeNull();
  });

  it('a notice made available after the school day has begun says so', async () => {
    // Friday 09:30 London time, about an incident on Thursday night.
    t.clock.now = new Date('2026-11-20T09:30:00Z');
    const res = await submit(notification({ reference: '13/100201/26', type: 'encompass' }));
    expect(res.status).toBe(201);
    expect(res.body.routes.find((r: any) => r.kind === 'school').beforeSchoolDay).toBe(false);
    t.clock.now = new Date('2026-11-19T23:00:00Z');
  });
});

describe('the person index after many notifications', () => {
  it("keeps one record of the force's per child known by NHS number, however many notifications name the child", async () => {
    const childId = (await t.testDb.db.query<{ person_id: string }>(`SELECT person_id FROM notification_people np JOIN police_notifications n ON n.id = np.notification_id WHERE n.reference = '13/100001/26' AND 'subject-child' = ANY(np.roles)`))[0]!.person_id;
    expect(await count('SELECT count(*)::int AS n FROM notification_people WHERE person_id = $1', [childId])).toBeGreaterThanOrEqual(4);
    expect(await count(`SELECT count(*)::int AS n FROM person_sources WHERE person_id = $1 AND owner = 'police:E23000010'`, [childId])).toBe(1);
  });
});

describe('a notification that cannot be routed', () => {
  it('goes back to the force’s own inbox for its MASH, never lost', async () => {
    const stranger = testNhsNumber(8200);
    const body = notification({
      reference: '13/100300/26',
      type: 'child-concern',
      riskGrade: undefined,
      location: { description: 'near the bus station', postcode: 'ZZ9 9ZZ' },
      persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: stranger, name: { given: ['Kim'], family: 'Unknown' }, estimatedAge: 12 }],
    });
    const res = await submit(body);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('unroutable');
    expect(res.body.routes).toEqual([expect.objectContaining({ kind: 'unroutable', recipient: 'police:E23000010', personRef: 'c1' })]);
    expect(res.body.warnings[0].diagnostics).toMatch(/not routed/);
    const own = await inbox('police:E23000010', police);
    expect(own.status).toBe(200);
    expect(own.body.entry.map((e: any) => e.resource.category[0].coding[0].code)).toContain('police-notification-unroutable');
  });
});

describe('who may submit and read', () => {
  it('only a police role submits', async () => {
    const res = await submit(notification({ reference: '13/100400/26' }), la);
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_ROLE');
  });

  it('another role is refused before its body is read', async () => {
    const res = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${school}`).set('Content-Type', 'application/xml').send('<not-xml');
    expect(res.status).toBe(403);
  });

  it('a force submits only under its own force code', async () => {
    const res = await submit(notification({ reference: '13/100401/26', force: 'E23000001' }));
    expect(res.status).toBe(403);
    expect(res.body.issue[0].expression).toEqual(['force']);
  });

  it('no token, no submission', async () => {
    const res = await request(t.gateway.app).post('/notifications').set('Content-Type', 'application/json').send(JSON.stringify(notification()));
    expect(res.status).toBe(401);
  });

  it('receipts are for the submitting force only', async () => {
    const listed = await request(t.gateway.app).get('/notifications?since=2026-11-01').set('Authorization', `Bearer ${police}`);
    expect(listed.status).toBe(200);
    expect(listed.body.notifications.length).toBeGreaterThanOrEqual(4);
    const id = listed.body.notifications[0].id;
    expect((await request(t.gateway.app).get(`/notifications/${id}`).set('Authorization', `Bearer ${la}`)).status).toBe(403);
    expect((await request(t.gateway.app).get('/notifications/nope').set('Authorization', `Bearer ${police}`)).status).toBe(404);
    const later = await request(t.gateway.app).get(`/notifications?since=${encodeURIComponent('2026-11-21T00:00:00Z')}`).set('Authorization', `Bearer ${police}`);
    expect(later.body.notifications).toEqual([]);
    expect((await request(t.gateway.app).get('/notifications?since=yesterday').set('Authorization', `Bearer ${police}`)).status).toBe(400);
  });
});

describe('invalid submissions: 422 naming the field, nothing stored', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown force code', { force: 'E23000099' }, 'force', /43 forces/],
    ['missing reference', { reference: undefined }, 'reference', /expected/i],
    ['person without a role', { persons: [{ ...notification().persons[0], roles: [] }] }, 'persons.0.roles', /at least one role/],
    ['bad date', { occurredAt: '2026-02-30T10:00:00Z' }, 'occurredAt', /calendar day|date and time/],
    ['child without date of birth or age estimate', { persons: [{ ...notification().persons[0], birthDate: undefined }] }, 'persons.0.birthDate', /birthDate or an estimatedAge/],
    ['domestic abuse without a risk grade', { riskGrade: undefined }, 'riskGrade', /risk grade/],
    ['an incident in the future', { occurredAt: '2026-11-21T10:00:00Z' }, 'occurredAt', /in the future/],
    ['an unknown field', { colour: 'blue' }, '(body)', /colour/],
  ];

  it.each(cases)('%s', async (_name, overrides, field, message) => {
    const before = await count('SELECT count(*)::int AS n FROM police_notifications');
    const res = await submit(notification({ reference: '13/100500/26', ...overrides }));
    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const issue = res.body.issue.find((i: any) => i.expression?.includes(field));
    expect(issue, JSON.stringify(res.body.issue)).toBeDefined();
    expect(issue.diagnostics).toMatch(message);
    expect(await count('SELECT count(*)::int AS n FROM police_notifications')).toBe(before);
  });

  it('names every bad field at once', async () => {
    const res = await submit(notification({ reference: '', force: 'X', occurredAt: 'yesterday' }));
    expect(res.status).toBe(422);
    const fields = res.body.issue.flatMap((i: any) => i.expression ?? []);
    expect(fields).toEqual(expect.arrayContaining(['force', 'reference', 'occurredAt']));
  });

  it('a body that is not JSON is a 400, a wrong content type a 415', async () => {
    const bad = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/json').send('{"force":');
    expect(bad.status).toBe(400);
    const wrong = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'text/plain').send('hello');
    expect(wrong.status).toBe(415);
  });
});

describe('the XML form', () => {
  const xmlCase = (name: string) => fs.readFileSync(path.join(PACKAGE_ROOT, 'mappings', 'police-notification', '1.0', 'cases', `${name}.input.xml`), 'utf8');
  const expected = (name: string) => JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'mappings', 'police-notification', '1.0', 'cases', `${name}.expected.json`), 'utf8')).submission;
  const submitXml = (xml: string) => request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/xml').send(xml);

  it('is received like the JSON form, and the JSON form of the same notification is a retry of it', async () => {
    t.clock.now = new Date('2026-12-06T09:00:00Z');
    try {
      const res = await submitXml(xmlCase('missing-child'));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ reference: '13/300003/26', type: 'missing', version: 1 });
      // No plan or LA record: the demo routing table knows the child's postcode district.
      expect(res.body.routes[0]).toMatchObject({ recipient: 'la:383', kind: 'local-authority' });
      expect(res.body.routes[0].basis).toMatch(/^postcode/);
      const json = await submit(expected('missing-child'));
      expect([json.status, json.body.id, json.body.version]).toEqual([200, res.body.id, 1]);
    } finally {
      t.clock.now = new Date('2026-11-19T23:00:00Z');
    }
  });

  it('names the field and the XML element of a bad value; nothing stored', async () => {
    const before = await count('SELECT count(*)::int AS n FROM police_notifications');
    const res = await submitXml(xmlCase('domestic-abuse-two-people').replace('<Reference>13/100001/26</Reference>', '<Reference>13/100600/26</Reference>').replace(/<BirthDate>[^<]*<\/BirthDate>/, '<BirthDate>2016-02-30</BirthDate>'));
    expect(res.status).toBe(422);
    const issue = res.body.issue.find((i: any) => i.expression?.[0] === 'persons.0.birthDate');
    expect(issue.expression[1]).toBe('PoliceNotification.Persons.Person[0].BirthDate');
    expect(await count('SELECT count(*)::int AS n FROM police_notifications')).toBe(before);
  });

  it('refuses an external entity with 400, storing nothing', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><PoliceNotification xmlns="https://sgw.example/ns/police-notification/1"><Force>&e;</Force></PoliceNotification>';
    const res = await submitXml(xxe);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('root:');
  });
});

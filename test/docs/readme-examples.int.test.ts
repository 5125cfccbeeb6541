import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

const example = (name: string) => fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'examples', name), 'utf8');
let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway(new Date('2026-11-25T09:00:00Z'));
});
afterAll(async () => t.dispose());

describe('the README walk-through, step by step', () => {
  it('records the example plan, answers A&E, notifies Leeds, and ends the plan', async () => {
    const la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
    const ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
    const post = (p: string, body: string) => request(t.gateway.app).post(p).set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(body);

    const recorded = await post('/fhir', example('cpp-transaction.json'));
    expect(recorded.status).toBe(200);
    expect(recorded.body.entry[1].response.status).toBe('201 Created');

    const q = await request(t.gateway.app).get('/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018').set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');
    expect(q.body.total).toBe(1);

    const inbox = await request(t.gateway.app).get('/fhir/Communication?recipient=la:383').set('Authorization', `Bearer ${la}`);
    expect(inbox.body.total).toBe(1);

    const ended = await post('/fhir/CareTeam', example('cpp-end.json'));
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'inactive', period: { end: '2026-11-20' } });
  });

  it('ingests each agency in its own format: the CIN census child shows in the CP-IS query once linked', async () => {
    const la = await t.token('la:383', 'la-social-worker', 'statutory-return');
    const ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
    const ingest = (token: string, type: string, body: string, query = '') =>
      request(t.gateway.app).post(`/ingest${query}`).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(body);

    const feed = await ingest(ed, 'application/hl7-v2', example('adt-a04.hl7'));
    expect(feed.status).toBe(201);
    expect(feed.body.records.map((r: { type: string }) => r.type)).toEqual(['Person', 'Attendance', 'Relationship']);

    const patient = await ingest(la, 'application/fhir+json', example('patient-with-la-child-id.json'));
    expect(patient.status).toBe(200); // the hospital feed already made this person: the LA adds its child id
    const census = await ingest(la, 'application/xml', example('cin-census.xml'));
    expect(census.status).toBe(201);
    expect(census.body.records.some((r: { type: string }) => r.type === 'ProtectionPlan')).toBe(true);

    const q = await request(t.gateway.app).get('/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026').set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false');
    expect(q.body.total).toBe(1);

    // Sharing between agencies: the chronology without and with a recorded reason, and the DPO's accounting.
    const sw = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
    const p = feed.body.records[0].id as string;
    const owners = (res: request.Response) => [...new Set(res.body.entries.map((e: { owner: string }) => e.owner))].sort();
    const without = await request(t.gateway.app).get(`/people/${p}/chronology`).set('Authorization', `Bearer ${sw}`);
    expect(owners(without)).toEqual(['la:383']);
    const withReason = await request(t.gateway.app).get(`/people/${p}/chronology`).set('Authorization', `Bearer ${sw}`).set('Override-Reason', 'Bruising seen at A&E; strategy discussion today');
    expect(owners(withReason)).toEqual(['la:383', 'ods:RR8']);
    expect(withReason.body.entries.find((e: { type: string }) => e.type === 'Attendance').record.visitNumber).toBeUndefined();
    const dpo = await t.token('ods:RR8', 'auditor', 'audit');
    const disclosures = await request(t.gateway.app).get(`/people/${p}/disclosures`).set('Authorization', `Bearer ${dpo}`);
    expect(disclosures.body.disclosures.some((d: { decision: string; overrideReason?: string }) => d.decision === 'released' && d.overrideReason !== undefined)).toBe(true);
    const events = await request(t.gateway.app).get('/fhir/AuditEvent?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026').set('Authorization', `Bearer ${dpo}`);
    expect(events.body.entry.length).toBeGreaterThan(0);

    // Police notifications: routed to the plan's LA, a minimised Encompass notice to the school.
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    const submitted = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/json').send(example('police-notification.json'));
    expect(submitted.status).toBe(201);
    expect(submitted.body.routes.map((r: { recipient: string; kind: string; basis: string }) => [r.recipient, r.kind, r.basis.split(':')[0]])).toEqual([
      ['la:383', 'local-authority', 'active-plan'],
      ['school:100000', 'school', 'operation-encompass'],
    ]);
    const again = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/json').send(example('police-notification.json'));
    expect([again.status, again.body.id, again.body.version]).toEqual([200, submitted.body.id, 1]);
    const dsl = await t.token('school:100000', 'school-dsl', 'safeguarding-s47');
    const notice = await request(t.gateway.app).get('/fhir/Communication?recipient=school:100000').set('Authorization', `Bearer ${dsl}`);
    expect(notice.body.total).toBe(1);
    expect(JSON.stringify(notice.body)).not.toContain('Synthetic example: officers');
    const alerts = await request(t.gateway.app).get('/alerts?status=open').set('Authorization', `Bearer ${sw}`);
    expect(alerts.body.alerts.map((a: { rule: string }) => a.rule)).toContain('domestic-abuse-high-household-plan');
    const receipt = await request(t.gateway.app).get(`/notifications/${submitted.body.id}`).set('Authorization', `Bearer ${police}`);
    expect(receipt.body.routes.find((r: { kind: string }) => r.kind === 'school').viewedAt).not.toBeNull();

    const upload = await ingest(la, 'text/csv', example('cpis-upload.csv'));
    expect(upload.body.results.map((r: { result: string }) => r.result)).toEqual(['CPR06', 'CPR01']);

    const checked = await request(t.gateway.app).post('/validate').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/xml').send(example('cin-census.xml').replace('<Sex>F</Sex>', '<Sex>1</Sex>'));
    expect(checked.status).toBe(400);
    expect(checked.body.issue[0].details.coding[1].code).toBe('CIN-4180');
  });
});


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
});

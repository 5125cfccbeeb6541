import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam, NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
let ed: string;
const nhs = testNhsNumber(4000);
const query = () =>
  request(t.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'true');

beforeAll(async () => {
  t = await createTestGateway();
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
  const la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
  await request(t.gateway.app).post('/fhir/CareTeam').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(careTeam(nhs)));
});
afterAll(async () => t.dispose());

describe('failures inside the gateway', () => {
  it('an unexpected error is a 500 OperationOutcome quoting the request id, audited, and logged without personal data', async () => {
    await t.testDb.db.query('ALTER TABLE protection_plans RENAME TO protection_plans_away');
    try {
      const res = await query().set('X-Request-ID', 'req-500');
      expect(res.status).toBe(500);
      expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_INTERNAL');
      expect(res.body.issue[0].diagnostics).toContain('req-500');
      const line = t.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unexpected error');
      expect(line).toMatchObject({ reqId: 'req-500', level: 50 });
      expect(JSON.stringify(line)).not.toContain(nhs);
      const [last] = await t.testDb.db.query<{ entry: any }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
      expect(last!.entry).toMatchObject({ requestId: 'req-500', outcome: 'error', status: 500 });
    } finally {
      await t.testDb.db.query('ALTER TABLE protection_plans_away RENAME TO protection_plans');
    }
    expect((await query()).status).toBe(200);
  });

  // Last: closes the database for good.
  it('with the database gone, queries answer 503 with no data and readiness says not ready', async () => {
    expect((await request(t.gateway.app).get('/health/ready')).status).toBe(200);
    await t.testDb.db.close();
    const res = await query();
    expect(res.status).toBe(503);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_DATABASE_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toContain('CareTeam/');
    const ready = await request(t.gateway.app).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not-ready');
    expect((await request(t.gateway.app).get('/health/live')).status).toBe(200);
  });
});

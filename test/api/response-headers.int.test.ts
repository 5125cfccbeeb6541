import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// What every answer says about caching and authentication, FHIR or not.

let t: TestGateway;
let la: string;

beforeAll(async () => {
  t = await createTestGateway();
  la = await t.token('la:383', 'la-social-worker', 'statutory-return');
});
afterAll(async () => t.dispose());

describe('response headers', () => {
  it('a non-FHIR answer with personal data (a CP-IS upload result) is not cacheable, like the FHIR ones', async () => {
    const csv = `nhs_number,nhs_number_status,plan_type,start_date,la_code,local_id\n${testNhsNumber(9100)},01,CPP,2026-09-01,383,HDR-1\n`;
    const res = await request(t.gateway.app).post('/ingest?format=cpis').set('Authorization', `Bearer ${la}`).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('published documents keep their own caching', async () => {
    const res = await request(t.gateway.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
  });

  it('401 without a token: WWW-Authenticate names the scheme and realm and no error code (RFC 6750 §3.1)', async () => {
    const res = await request(t.gateway.app).get('/notifications?since=2026-01-01');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="safeguarding-gateway"');
  });

  it('401 for a token that does not verify: WWW-Authenticate says invalid_token', async () => {
    const res = await request(t.gateway.app).get('/notifications?since=2026-01-01').set('Authorization', 'Bearer not.a.token');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="safeguarding-gateway", error="invalid_token"');
  });
});

import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import { HELMET_OPTIONS } from '../../src/api/security-headers.js';

// The security headers every answer carries (errors included), and CORS closed: no answer
// gives another origin permission to read it, and a preflight from one gets none.

let t: TestGateway;
let ed: string;
let admin: string;
const ORIGIN = 'https://intranet.other-trust.example';

beforeAll(async () => {
  t = await createTestGateway(new Date(), { SGW_MAX_BODY_BYTES: '2048', SGW_RATE_LIMIT_ANONYMOUS_BURST: '50', SGW_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1' });
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
  admin = await t.token('la:383', 'admin', 'audit');
});
afterAll(async () => t.dispose());

function expectSecurityHeaders(res: request.Response, what: string) {
  const h = res.headers;
  expect(h['strict-transport-security'], what).toBe('max-age=31536000; includeSubDomains');
  expect(h['content-security-policy'], what).toBe("default-src 'none';frame-ancestors 'none'");
  expect(h['referrer-policy'], what).toBe('no-referrer');
  expect(h['cross-origin-resource-policy'], what).toBe('same-origin');
  expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['x-frame-options'], what).toBe('DENY');
  expect(h['cache-control'] ?? '', what).toMatch(/no-store|max-age/);
  expect(h['x-powered-by'], what).toBeUndefined();
  // CORS closed: no permission for any origin, on any answer.
  for (const name of Object.keys(h)) expect(name.startsWith('access-control-'), `${what}: ${name}`).toBe(false);
}

describe('security headers and closed CORS, on every kind of answer', () => {
  const cpis = `/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${testNhsNumber(4400)}`;

  it('200: a CP-IS answer, a public document, health', async () => {
    const answered = await request(t.gateway.app).get(cpis).set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false').set('Origin', ORIGIN);
    expect(answered.status).toBe(200);
    expectSecurityHeaders(answered, 'CP-IS 200');
    for (const path of ['/fhir/metadata', '/openapi.json', '/health/live']) {
      const res = await request(t.gateway.app).get(path).set('Origin', ORIGIN);
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res, path);
    }
  });

  it('401, 404, 405, 413 and 400', async () => {
    const cases: [string, request.Test, number][] = [
      ['401', request(t.gateway.app).get(cpis).set('Origin', ORIGIN), 401],
      ['404', request(t.gateway.app).get('/no/such/thing').set('Origin', ORIGIN), 404],
      ['405', request(t.gateway.app).delete('/fhir/CareTeam').set('Origin', ORIGIN), 405],
      ['413', request(t.gateway.app).post('/fhir/CareTeam').set('Authorization', `Bearer ${ed}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'CareTeam', note: 'x'.repeat(4096) })), 413],
      ['400', request(t.gateway.app).get('/fhir/CareTeam?patient:identifier=nonsense').set('Authorization', `Bearer ${ed}`).set('IsUnscheduledAccessEvent', 'false'), 400],
    ];
    for (const [what, req, status] of cases) {
      const res = await req;
      expect(res.status, what).toBe(status);
      expect(res.body.resourceType, what).toBe('OperationOutcome');
      expectSecurityHeaders(res, what);
    }
  });

  it('500', async () => {
    await t.testDb.db.query('ALTER TABLE webhook_outbox RENAME TO webhook_outbox_away');
    try {
      const res = await request(t.gateway.app).get('/webhooks/deliveries').set('Authorization', `Bearer ${admin}`).set('Origin', ORIGIN);
      expect(res.status).toBe(500);
      expectSecurityHeaders(res, '500');
    } finally {
      await t.testDb.db.query('ALTER TABLE webhook_outbox_away RENAME TO webhook_outbox');
    }
  });

  it('a preflight from another origin is given no permission', async () => {
    for (const path of ['/fhir/CareTeam', '/fhir', '/notifications', '/health/live']) {
      const res = await request(t.gateway.app)
        .options(path)
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type');
      // Whatever the status (express answers OPTIONS with the Allow list), no Access-Control-Allow-* header: the browser refuses.
      expectSecurityHeaders(res, `OPTIONS ${path}`);
    }
  });

  it('sends every header helmet itself sends with the same options, with the same values (computed once, not per request)', async () => {
    const reference = express();
    reference.use(helmet(HELMET_OPTIONS));
    reference.get('/', (_req, res) => void res.send('ok'));
    const fromHelmet = (await request(reference).get('/')).headers;
    const answered = (await request(t.gateway.app).get('/health/live')).headers;
    const helmetNames = Object.keys(fromHelmet).filter((n) => !['content-type', 'content-length', 'etag', 'date', 'connection', 'keep-alive'].includes(n));
    expect(helmetNames.length).toBeGreaterThan(10);
    for (const name of helmetNames) expect(answered[name], name).toBe(fromHelmet[name]);
  });
});

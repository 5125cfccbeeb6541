import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t.dispose());

describe('GET /fhir/metadata', () => {
  it('is an R4 CapabilityStatement, served without a token', async () => {
    const res = await request(t.gateway.app).get('/fhir/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(res.body).toMatchObject({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['application/fhir+json'] });
    expect(res.body.rest[0].mode).toBe('server');
  });

  it('lists exactly the resources and interactions that answer, and they all do', async () => {
    const { body } = await request(t.gateway.app).get('/fhir/metadata');
    const listed: string[] = body.rest[0].resource.flatMap((r: any) => r.interaction.map((i: any) => `${r.type}:${i.code}`));
    expect(listed.sort()).toEqual(['AuditEvent:search-type', 'CareTeam:create', 'CareTeam:read', 'CareTeam:search-type', 'Communication:search-type', 'Consent:create', 'Consent:read', 'Consent:search-type', 'Flag:search-type', 'Organization:read']);
    // Each listed interaction reaches its handler: unauthenticated calls get 401, never 404 or 405.
    for (const entry of listed) {
      const [type, code] = entry.split(':');
      const path = code === 'read' ? `/fhir/${type}/some-id` : `/fhir/${type}`;
      const res = code === 'create' ? await request(t.gateway.app).post(path).send({}) : await request(t.gateway.app).get(path);
      expect([entry, res.status]).toEqual([entry, 401]);
    }
    expect(body.rest[0].interaction.map((i: any) => i.code).sort()).toEqual(['batch', 'transaction']);
    expect((await request(t.gateway.app).post('/fhir').send({})).status).toBe(401);
    expect(body.rest[0].operation).toEqual([expect.objectContaining({ name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' })]);
    expect((await request(t.gateway.app).post('/fhir/$validate').send({})).status).toBe(401);
    expect((await request(t.gateway.app).post('/fhir/Patient/$validate').send({})).status).toBe(401);
    const typeOperations: string[] = body.rest[0].resource.flatMap((r: any) => (r.operation ?? []).map((o: any) => `${r.type}/$${o.name}`));
    expect(typeOperations).toEqual(['Patient/$match']);
    expect((await request(t.gateway.app).post('/fhir/Patient/$match').send({})).status).toBe(401);
  });

  it('answers an unknown resource with 404 and an unsupported interaction with 405, as OperationOutcomes', async () => {
    let res = await request(t.gateway.app).get('/fhir/Observation');
    expect(res.status).toBe(404);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_NOT_FOUND');
    res = await request(t.gateway.app).delete('/fhir/CareTeam');
    expect(res.status).toBe(405);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_METHOD_NOT_ALLOWED');
    res = await request(t.gateway.app).post('/fhir/Flag');
    expect(res.status).toBe(405);
    res = await request(t.gateway.app).get('/fhir/Flag/some-id'); // Flag has no read
    expect(res.status).toBe(404);
    res = await request(t.gateway.app).put('/fhir/CareTeam/some-id');
    expect(res.status).toBe(405);
  });
});

describe('operations endpoints', () => {
  it('/health/live and /health/ready answer; ready checks the database', async () => {
    expect((await request(t.gateway.app).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(t.gateway.app).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('gives every response a request id, echoing a well-formed one from the caller', async () => {
    const mine = await request(t.gateway.app).get('/health/live').set('X-Request-ID', 'trace-123');
    expect(mine.headers['x-request-id']).toBe('trace-123');
    const bad = await request(t.gateway.app).get('/health/live').set('X-Request-ID', 'has spaces; and / slashes');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const cpis = await request(t.gateway.app).get('/health/live').set('TraceID', 'cpis-trace-9');
    expect(cpis.headers['x-request-id']).toBe('cpis-trace-9');
  });
});

import Ajv from 'ajv';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICE_FORCE_CODES } from '../../src/model/police-forces.js';
import { NOTIFICATION_TYPES, NotificationSubmissionSchema } from '../../src/model/police-notification.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t.dispose());

const NOTIFICATION = {
  force: 'E23000010',
  reference: '13/100001/26',
  type: 'domestic-abuse',
  occurredAt: '2026-12-04T22:40:00Z',
  location: { lines: ['1 Example Street'], city: 'Leeds', postcode: 'LS1 4AP' },
  persons: [
    { ref: 'c1', roles: ['subject-child'], nhsNumber: '9990000026', name: { given: ['Alex'], family: 'Tester' }, birthDate: '2016-03-01', present: true, presentWhere: 'upstairs', school: '100000' },
    { ref: 'a1', roles: ['alleged-perpetrator', 'household-member'], name: { given: ['Sam'], family: 'Tester' }, birthDate: '1985-05-05' },
  ],
  riskGrade: { grade: 'high', dashYesCount: 15 },
  officer: { collarNumber: '4521' },
  narrative: 'Synthetic narrative.',
  circumstances: 'Police attended a domestic incident at the home.',
  actionsTaken: [{ code: 'referral-to-childrens-social-care' }],
  familyTold: true,
};

/**
 * A validator for the published schema. ajv 6 (the dev dependency eslint also uses) knows draft-07,
 * not 2020-12; the schema uses only keywords the two drafts share, so it is checked as draft-07.
 */
function validator(schema: Record<string, unknown>) {
  const { $schema: _dialect, ...rest } = schema;
  return new Ajv({ allErrors: true }).compile(rest);
}

/** The non-FHIR routes the app mounts, as `METHOD /path/{param}`, read from express's router stack. */
function mountedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const visit = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${String(layer.route.path).replace(/:(\w+)/g, '{$1}').replace(/\\/g, '')}`);
      } else if (layer.handle?.stack) visit(layer.handle.stack);
    }
  };
  visit((app as any).router.stack);
  return routes.filter((r) => !r.split(' ')[1]!.startsWith('/fhir'));
}

describe('GET /schemas/police-notification.json', () => {
  it('is published without a token as a draft 2020-12 schema', async () => {
    const res = await request(t.gateway.app).get('/schemas/police-notification.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/schema+json');
    const schema = JSON.parse(res.text);
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: expect.stringMatching(/\/schemas\/police-notification\.json$/), title: expect.any(String), type: 'object' });
    expect(schema.description).toMatch(/does not express/);
    expect(schema.required).toEqual(expect.arrayContaining(['force', 'reference', 'type', 'occurredAt', 'location', 'persons', 'officer']));
    expect(schema.properties.force.enum).toHaveLength(43);
    expect(schema.properties.force.enum).toEqual(POLICE_FORCE_CODES);
    expect(schema.properties.type.enum).toEqual([...NOTIFICATION_TYPES]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts the example notification and rejects broken ones, as the gateway does', async () => {
    const schema = JSON.parse((await request(t.gateway.app).get('/schemas/police-notification.json')).text);
    const validate = validator(schema);
    expect(NotificationSubmissionSchema.safeParse(NOTIFICATION).success).toBe(true);
    expect(validate(NOTIFICATION), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], nhsNumber: '999 000 0026' }] })).toBe(true);
    // An adult may have an estimated age over 17, and only encompass needs the school.
    const accepted = [
      { ...NOTIFICATION, persons: [NOTIFICATION.persons[0], { ...NOTIFICATION.persons[1], birthDate: undefined, estimatedAge: 40 }] },
      { ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], school: undefined }, NOTIFICATION.persons[1]] },
      { ...NOTIFICATION, type: 'encompass' },
    ];
    for (const body of accepted) {
      const parsed = JSON.parse(JSON.stringify(body));
      expect(NotificationSubmissionSchema.safeParse(parsed).success).toBe(true);
      expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    }

    const broken: [string, unknown][] = [
      ['unknown force', { ...NOTIFICATION, force: 'E23000099' }],
      ['unknown type', { ...NOTIFICATION, type: 'burglary' }],
      ['missing reference', { ...NOTIFICATION, reference: undefined }],
      ['unknown field', { ...NOTIFICATION, colour: 'blue' }],
      ['domestic abuse without a risk grade', { ...NOTIFICATION, riskGrade: undefined }],
      ['no subject child', { ...NOTIFICATION, persons: [NOTIFICATION.persons[1]] }],
      ['officer without collar number or id', { ...NOTIFICATION, officer: { name: 'PC Example' } }],
      ['empty location', { ...NOTIFICATION, location: { city: 'Leeds' } }],
      ['bad postcode', { ...NOTIFICATION, location: { postcode: 'not a postcode' } }],
      ['occurredAt without offset', { ...NOTIFICATION, occurredAt: '2026-12-04T22:40:00' }],
      ['subject child without birth date or age', { ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], birthDate: undefined }, NOTIFICATION.persons[1]] }],
      ['subject child aged 18', { ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], birthDate: undefined, estimatedAge: 18 }, NOTIFICATION.persons[1]] }],
      ['encompass without the school', { ...NOTIFICATION, type: 'encompass', persons: [{ ...NOTIFICATION.persons[0], school: undefined }, NOTIFICATION.persons[1]] }],
      ['encompass without circumstances', { ...NOTIFICATION, type: 'encompass', circumstances: undefined }],
      ['person without roles', { ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], roles: [] }] }],
    ];
    for (const [why, body] of broken) {
      const parsed = JSON.parse(JSON.stringify(body));
      expect([why, NotificationSubmissionSchema.safeParse(parsed).success]).toEqual([why, false]);
      expect([why, validate(parsed)]).toEqual([why, false]);
    }
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document, served without a token', async () => {
    const res = await request(t.gateway.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(res.body.components.securitySchemes.bearerJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(res.body.components.securitySchemes.bearerJwt.description).toMatch(/sub.*agency.*role.*purpose_of_use/);
  });

  it('documents every non-FHIR route the app mounts, and only those', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json')).body;
    const documented: string[] = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const mounted = mountedRoutes(t.gateway.app);
    expect(mounted).toContain('GET /openapi.json');
    expect(mounted).toContain('GET /people/{id}/chronology');
    expect(mounted.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !mounted.includes(r))).toEqual([]);
    expect(documented.some((r) => r.includes(' /fhir'))).toBe(false);
  });

  it('gives every operation its responses, errors as OperationOutcomes, and security where a token is needed', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json')).body;
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, Object.keys(op.responses).length > 0]).toEqual([where, true]);
        expect([where, ids.has(op.operationId)]).toEqual([where, false]);
        ids.add(op.operationId);
        for (const r of Object.values<any>(op.responses)) {
          if (r.$ref) expect(doc.components.responses[r.$ref.split('/').pop()]).toBeDefined();
        }
        const isOpen = path.startsWith('/health') || path === '/openapi.json' || path.startsWith('/schemas/');
        expect([where, op.security.length === 0]).toEqual([where, isOpen]);
        if (!isOpen) expect([where, op.responses['401']]).toEqual([where, { $ref: '#/components/responses/Unauthorized' }]);
      }
    }
    expect(doc.components.responses.Unauthorized.content['application/fhir+json'].schema).toEqual({ $ref: '#/components/schemas/OperationOutcome' });
    // Every local $ref points at something the document holds.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const r of new Set(refs)) {
      const target = r.slice(10, -1).split('/').reduce((node: any, key) => node?.[key], doc);
      expect([r, target !== undefined]).toEqual([r, true]);
    }
  });

  it('describes police submissions and receipts as the notification contract says', async () => {
    const doc = (await request(t.gateway.app).get('/openapi.json')).body;
    const post = doc.paths['/notifications'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/NotificationSubmission' });
    expect(post.requestBody.content['application/xml']).toBeDefined();
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '201', '401', '403', '422']));
    expect(doc.components.schemas.NotificationSubmission.properties.force.enum).toHaveLength(43);
    const receipt = doc.components.schemas.NotificationReceipt;
    expect(receipt.properties.status.enum).toEqual(['routed', 'unroutable']);
    expect(receipt.properties.routes.items.properties.kind.enum).toEqual(['local-authority', 'school', 'unroutable']);
    expect(doc.paths['/notifications'].get.parameters[0]).toMatchObject({ name: 'since' });
    expect(doc.components.schemas.Alert.properties.status.enum).toEqual(['open', 'acknowledged', 'closed']);
    expect(doc.paths['/alerts/{id}/close'].post.requestBody.content['application/json'].schema.required).toEqual(['reason']);
  });
});

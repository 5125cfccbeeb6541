import Ajv from 'ajv';
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
 * A validator for the published schema. ajv 6 (already installed, with eslint) knows draft-07,
 * not 2020-12; the schema uses only keywords the two drafts share, so it is checked as draft-07.
 */
function validator(schema: Record<string, unknown>) {
  const { $schema: _dialect, ...rest } = schema;
  return new Ajv({ allErrors: true }).compile(rest);
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
      ['person without roles', { ...NOTIFICATION, persons: [{ ...NOTIFICATION.persons[0], roles: [] }] }],
    ];
    for (const [why, body] of broken) {
      const parsed = JSON.parse(JSON.stringify(body));
      expect([why, NotificationSubmissionSchema.safeParse(parsed).success]).toEqual([why, false]);
      expect([why, validate(parsed)]).toEqual([why, false]);
    }
  });
});

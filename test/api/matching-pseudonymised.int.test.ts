import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { testNhsNumber } from '../helpers/fixtures.js';
import { adt } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
let laCase: string;
let ed: string;

const LA_CHILD = 'https://sgw.example/fhir/Id/la-child-id/383';

function post(path: string, body: string | object, type: string, token: string) {
  return request(t.gateway.app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(typeof body === 'object' ? JSON.stringify(body) : body);
}

function personOf(res: request.Response) {
  expect([[200, 201].includes(res.status), res.body.issue ?? null]).toEqual([true, null]);
  return res.body.records.find((r: any) => r.type === 'Person');
}

function laPatient(id: string, given: string, family = 'Quillfeather') {
  return {
    resourceType: 'Patient',
    identifier: [{ system: LA_CHILD, value: id }],
    name: [{ use: 'official', family, given: [given] }],
    gender: 'male',
    birthDate: '2016-07-21',
    address: [{ line: ['12 Sample Road'], city: 'Leeds', postalCode: 'LS6 2AB' }],
  };
}

const hospital = (nhs: string, mrn: string, given: string, control: string) =>
  adt({ nhs, mrn, given: given.toUpperCase(), family: 'QUILLFEATHER', sex: 'M', birthDate: '20160721', street: '12 SAMPLE ROAD', postcode: 'LS6 2AB', visit: `V-${control}`, control });

beforeAll(async () => {
  t = await createTestGateway(undefined, { SGW_MATCHING_MODE: 'pseudonymised' });
  laCase = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
  ed = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
});
afterAll(async () => t.dispose());

describe('pseudonymised matching mode', () => {
  it('links the same child from two agencies on pseudonyms alone', async () => {
    const fromLa = await personOf(await post('/ingest', laPatient('PSEUDO1', 'Jack'), 'application/fhir+json', laCase));
    const fromHospital = await personOf(await post('/ingest', hospital(testNhsNumber(6100), 'H6100', 'Jack', 'P-6100'), 'application/hl7-v2', ed));
    expect(fromHospital.id).toBe(fromLa.id);
    expect(fromHospital.match.method).toBe('model');
  });

  it('keeps twins apart', async () => {
    const a = await personOf(await post('/ingest', laPatient('PSEUDO2', 'Oliver', 'Brightwater'), 'application/fhir+json', laCase));
    const b = await personOf(await post('/ingest', adt({ nhs: testNhsNumber(6200), mrn: 'H6200', given: 'OLIVIA', family: 'BRIGHTWATER', sex: 'F', birthDate: '20160721', street: '12 SAMPLE ROAD', postcode: 'LS6 2AB', control: 'P-6200', visit: 'V-6200' }), 'application/hl7-v2', ed));
    expect(b.id).not.toBe(a.id);
  });

  it('keeps no name, date of birth or address in clear in the person index or the records; the matcher’s keys are HMACs', async () => {
    // Exact, case-sensitive, and long or holding characters base64 never has, so random
    // ciphertext cannot contain one by chance.
    const secrets = ['Quillfeather', 'QUILLFEATHER', 'Brightwater', 'BRIGHTWATER', 'OLIVIA', '2016-07-21', '20160721', '12 Sample Road', '12 SAMPLE ROAD', 'LS6 2AB', '"TESTER"'];
    for (const table of ['persons', 'person_sources', 'person_blocking_keys', 'households', 'canonical_records']) {
      const rows = await t.testDb.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
      const text = rows.map((r) => r.row).join('\n');
      expect([table, text.length > 0]).toEqual([table, true]);
      for (const secret of secrets) expect([table, secret, text.includes(secret)]).toEqual([table, secret, false]);
    }
  });

  it('opens an agency’s own attendance and next of kin with its key when it reads them back', async () => {
    const res = await post('/ingest', hospital(testNhsNumber(6300), 'H6300', 'Nell', 'P-6300'), 'application/hl7-v2', ed);
    const records = res.body.records as { type: string; id: string }[];
    const kin = await request(t.gateway.app).get(`/records/${records.find((r) => r.type === 'Relationship')!.id}`).set('Authorization', `Bearer ${ed}`);
    expect(kin.status).toBe(200);
    expect(kin.body.record).toMatchObject({ role: 'mother', relatedName: { family: 'TESTER' }, subjectPersonId: records.find((r) => r.type === 'Person')!.id });
    // Re-sending the same message changes nothing, sealed or not.
    const again = await post('/ingest', hospital(testNhsNumber(6300), 'H6300', 'Nell', 'P-6300'), 'application/hl7-v2', ed);
    expect(again.body.records.map((r: any) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('shows each agency what it sent, opened with its own key, and nothing another agency sealed', async () => {
    const p = await personOf(await post('/ingest', laPatient('PSEUDO1', 'Jack'), 'application/fhir+json', laCase));
    const forLa = await request(t.gateway.app).get(`/people/${p.id}`).set('Authorization', `Bearer ${laCase}`);
    expect(forLa.status).toBe(200);
    expect(forLa.body.person.names[0]).toMatchObject({ family: 'Quillfeather', given: ['Jack'] });
    const forHospital = await request(t.gateway.app).get(`/people/${p.id}`).set('Authorization', `Bearer ${ed}`);
    expect(forHospital.body.person.names[0]).toMatchObject({ family: 'QUILLFEATHER' });
    expect(JSON.stringify(forHospital.body)).not.toContain('Quillfeather');
  });

  it('needs the linkage key and data keys outside development, naming the variable', () => {
    expect(() => loadConfig({ SGW_MATCHING_MODE: 'pseudonymised', SGW_DEV_AUTH: 'off' })).toThrow(/SGW_LINKAGE_KEY/);
    expect(() => loadConfig({ SGW_MATCHING_MODE: 'pseudo' })).toThrow(/SGW_MATCHING_MODE/);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBundle, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// In pseudonymised mode a police notification's names, places and narrative are sealed
// under the force's data key: the tables keep only who sent what kind, when, and which
// people of the index it names. The LA it was routed to still reads it in full.

let t: TestGateway;
const child = testNhsNumber(8600);

beforeAll(async () => {
  t = await createTestGateway(new Date('2026-11-19T23:00:00Z'), { SGW_MATCHING_MODE: 'pseudonymised' });
  const la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
  expect((await request(t.gateway.app).post('/fhir').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(planBundle(child))).status).toBe(200);
});
afterAll(async () => t.dispose());

describe('police notifications in pseudonymised mode', () => {
  it('stores the content sealed and still routes it', async () => {
    const police = await t.token('police:E23000010', 'police-submitter', 'law-enforcement');
    const body = {
      force: 'E23000010',
      reference: '13/200001/26',
      type: 'child-concern',
      occurredAt: '2026-11-19T21:00:00Z',
      location: { lines: ['7 Sealed Street'], postcode: 'LS2 7AA' },
      persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: child, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' }],
      officer: { collarNumber: '77' },
      narrative: 'SEALED-NARRATIVE',
    };
    const res = await request(t.gateway.app).post('/notifications').set('Authorization', `Bearer ${police}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(201);
    expect(res.body.routes[0]).toMatchObject({ recipient: 'la:383', kind: 'local-authority' });
    const rows = await t.testDb.db.query<{ record: unknown; sealed: unknown }>('SELECT record, sealed FROM police_notifications UNION ALL SELECT record, sealed FROM police_notification_versions');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.sealed).not.toBeNull();
      const clear = JSON.stringify(row.record);
      for (const secret of ['SEALED-NARRATIVE', 'Testchild', '2018-05-04', 'Sealed Street', child]) expect(clear).not.toContain(secret);
    }
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgreement } from '../helpers/agreements.js';
import { normalisePurpose } from '../../src/policy/purposes.js';
import type { Requester } from '../../src/policy/authorise.js';
import type { GatewayContext } from '../../src/services/context.js';
import { decideRelease, identityFacts } from '../../src/services/sharing.js';
import { getPersonById } from '../../src/store/people-repo.js';
import { sourcesOfPerson } from '../../src/store/person-index-repo.js';
import { upsertRecords } from '../../src/store/records-repo.js';
import { testNhsNumber } from '../helpers/fixtures.js';
import { adt } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Identity protection: a victim's address is never released to a requester linked to the
// alleged perpetrator's household, whatever an agreement permits. The demo agreements release
// no addresses to health, so this test adds one that does.

let t: TestGateway;
let ctx: GatewayContext;

const addressesToImperial = testAgreement({
  id: 'test-addresses-to-imperial',
  parties: ['ods:RR8', 'ods:RYJ'],
  shares: [{ id: 'people', from: ['ods:RR8'], to: ['ods:RYJ'], roles: ['unscheduled-care'], purposes: ['direct-care'], datasets: { Person: ['names', 'addresses'] } }],
});

const imperial: Requester = { sub: 'dr-ryj', agency: 'ods:RYJ', role: 'unscheduled-care', purposeClaim: 'direct-care', purpose: normalisePurpose('direct-care') };

async function ingestAs(agency: 'ods:RR8' | 'ods:RYJ', o: Parameters<typeof adt>[0]) {
  const token = await t.token(agency, 'unscheduled-care', 'TREAT');
  const res = await request(t.gateway.app).post('/ingest').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/hl7-v2').send(adt(o));
  expect(res.status).toBeLessThan(300);
  return res.body.records.find((r: any) => r.type === 'Person').id as string;
}

async function releaseOfChild(childId: string, requester: Requester) {
  const child = await getPersonById(t.testDb.db, childId);
  const [source] = (await sourcesOfPerson(t.testDb.db, childId)).filter((s) => s.owner === 'ods:RR8');
  return decideRelease(ctx, t.testDb.db, requester, { type: 'Person', record: source!.record, subject: child });
}

let childId: string;
beforeAll(async () => {
  t = await createTestGateway();
  ctx = { ...t.gateway.ctx, agreements: [...t.gateway.ctx.agreements, addressesToImperial] };
  // The child, at Leeds Teaching Hospitals, living at a refuge address.
  childId = await ingestAs('ods:RR8', { nhs: testNhsNumber(7000), mrn: 'H7000', control: 'IP-1', given: 'ROBIN', family: 'REFUGEE', street: '1 SAFE HOUSE ROAD', postcode: 'LS9 9ZZ' });
  // The alleged perpetrator, known to Leeds; his new partner lives with him and is Imperial's patient.
  const perpetratorId = await ingestAs('ods:RR8', { nhs: testNhsNumber(7100), mrn: 'H7100', control: 'IP-2', given: 'DEREK', family: 'HARMER', birthDate: '19800101', sex: 'M', street: '9 OTHER STREET', postcode: 'W2 1NY' });
  await ingestAs('ods:RYJ', { nhs: testNhsNumber(7200), mrn: 'I7200', control: 'IP-3', given: 'PAT', family: 'PARTNER', birthDate: '19850101', street: '9 OTHER STREET', postcode: 'W2 1NY' });
  // Before any alleged perpetrator is recorded, Imperial gets the address the agreement names.
  expect((await releaseOfChild(childId, imperial)).fields).toContain('addresses');
  // Social care records the alleged perpetrator against the child.
  await upsertRecords(t.testDb.db, [
    {
      type: 'Relationship',
      record: {
        id: 'rel-ip-1',
        subjectPersonId: childId,
        owner: 'la:383',
        role: 'alleged-perpetrator',
        relatedPersonId: perpetratorId,
        provenance: { agency: 'la:383', format: 'fhir-r4-json', receivedAt: '2026-11-20T10:00:00Z' },
        securityLabel: 'R',
        lineage: [],
      } as never,
    },
  ]);
});
afterAll(async () => t.dispose());

describe('identity protection', () => {
  it('withholds the child’s address from a health setting that serves the alleged perpetrator’s household, naming why', async () => {
    const d = await releaseOfChild(childId, imperial);
    expect(d.permit).toBe(true);
    expect(d.fields).toEqual(['names']);
    expect(d.redactions.find((r) => r.field === 'addresses')?.why).toMatch(/identity protection/);
  });

  it('keeps it from the whole record read as well: the address is not in the answer', async () => {
    const token = await t.token('ods:RYJ', 'unscheduled-care', 'TREAT', 'dr-ryj');
    // Imperial holds nothing of its own about the child, and the demo agreements release it nothing: 404.
    const res = await request(t.gateway.app).get(`/people/${childId}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('SAFE HOUSE');
  });

  it('does not treat the police, who hold records about the alleged perpetrator to protect the victim, as linked to the household', async () => {
    const [perpetrator] = await t.testDb.db.query<{ id: string }>("SELECT record->>'relatedPersonId' AS id FROM canonical_records WHERE id = 'rel-ip-1'");
    await upsertRecords(t.testDb.db, [
      {
        type: 'Relationship',
        record: { id: 'rel-ip-police', subjectPersonId: perpetrator!.id, owner: 'police:E23000010', role: 'household-member', provenance: { agency: 'police:E23000010', format: 'police-json', receivedAt: '2026-11-20T10:00:00Z' }, securityLabel: 'R', lineage: [] } as never,
      },
    ]);
    const child = await getPersonById(t.testDb.db, childId);
    expect(await identityFacts(t.testDb.db, child, { id: 'police:E23000010', type: 'police' })).toEqual({ protectedPerson: true, requesterLinkedToPerpetrator: false });
    expect(await identityFacts(t.testDb.db, child, { id: 'ods:RYJ', type: 'health' })).toEqual({ protectedPerson: true, requesterLinkedToPerpetrator: true });
    expect(await identityFacts(t.testDb.db, child, { id: 'ods:RR8', type: 'health' })).toEqual({ protectedPerson: true, requesterLinkedToPerpetrator: true });
  });
});

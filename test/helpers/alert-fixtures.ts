import type { PoliceNotification, PersonRole } from '../../src/model/police-notification.js';
import type { PlanKind } from '../../src/model/protection-plan.js';
import type { Queryable } from '../../src/store/db.js';

/**
 * Rows written straight into the tables the alert rules read (persons, plans, households,
 * police notifications), for tests that run before the notifications service exists.
 * Synthetic: ids and codes only, no names.
 */

export async function insertPerson(q: Queryable, id: string): Promise<void> {
  const record = { id, identifiers: [{ system: 'https://sgw.example/fhir/Id/test', value: id }], names: [], addresses: [], owner: 'la:383', provenance: { agency: 'la:383', format: 'config', receivedAt: '2026-01-01T00:00:00Z' } };
  await q.query('INSERT INTO persons (id, record) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, JSON.stringify(record)]);
}

export async function insertPlan(q: Queryable, id: string, personId: string, opts: { kind?: PlanKind; start?: string; end?: string; owner?: string } = {}): Promise<void> {
  const kind = opts.kind ?? 'child-protection-plan';
  const start = opts.start ?? '2026-05-01';
  const owner = opts.owner ?? 'la:383';
  const record = { id, subjectPersonId: personId, kind, period: { start, ...(opts.end ? { end: opts.end } : {}) }, owner, status: 'recorded', sourceIdentifiers: [], provenance: { agency: owner, format: 'config', receivedAt: '2026-05-01T00:00:00Z' }, securityLabel: 'N' };
  await q.query(`INSERT INTO protection_plans (id, person_id, owner, kind, start_date, end_date, status, record) VALUES ($1, $2, $3, $4, $5, $6, 'recorded', $7)`, [id, personId, owner, kind, start, opts.end ?? null, JSON.stringify(record)]);
}

export async function insertHousehold(q: Queryable, id: string, members: string[]): Promise<void> {
  await q.query(`INSERT INTO households (id, key, basis) VALUES ($1, $2, 'uprn')`, [id, `uprn|${id}`]);
  for (const m of members) await q.query('INSERT INTO household_members (household_id, person_id) VALUES ($1, $2)', [id, m]);
}

export interface TestPerson {
  personId: string;
  roles: PersonRole[];
}

/** A stored notification as the notifications service will keep it. */
export function policeNotification(id: string, over: Partial<PoliceNotification> & { people?: TestPerson[] } = {}): PoliceNotification {
  const { people, ...rest } = over;
  return {
    id,
    owner: 'police:E23000010',
    force: 'E23000010',
    reference: `REF-${id}`,
    type: 'child-concern',
    occurredAt: '2026-11-19T22:40:00Z',
    location: { lines: [], postcode: 'LS1 1AA' },
    persons: (people ?? [{ personId: 'child-a', roles: ['subject-child'] }]).map((p, i) => ({ ref: `p${i}`, roles: p.roles, personId: p.personId, name: { given: ['Test'] } })),
    officer: { collarNumber: '1234' },
    actionsTaken: [],
    version: 1,
    provenance: { agency: 'police:E23000010', format: 'police-json', receivedAt: '2026-11-20T09:00:00Z' },
    securityLabel: 'N',
    ...rest,
  };
}

/** Writes a notification and its people as the notifications service does; `routedTo` adds its LA route. */
export async function storeNotification(q: Queryable, n: PoliceNotification, routedTo?: string): Promise<void> {
  await q.query(
    `INSERT INTO police_notifications (id, force, reference, type, owner, version, content_hash, record, status, receipt, received_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 1, 'test', $6, 'routed', '{}', $7, $7)`,
    [n.id, n.force, n.reference, n.type, n.owner, JSON.stringify(n), n.provenance.receivedAt],
  );
  for (const p of n.persons) {
    await q.query('INSERT INTO notification_people (notification_id, person_id, roles, occurred_at) VALUES ($1, $2, $3, $4)', [n.id, p.personId, p.roles, n.occurredAt]);
  }
  if (routedTo) {
    for (const p of n.persons.filter((x) => x.roles.includes('subject-child'))) {
      const comm = `comm-${n.id}-${p.personId}`;
      await q.query(`INSERT INTO communications (id, recipient, category, person_id, created_at, resource) VALUES ($1, $2, 'police-notification', $3, $4, '{}')`, [comm, routedTo, p.personId, n.provenance.receivedAt]);
      await q.query(
        `INSERT INTO notification_routes (notification_id, version, recipient, kind, person_id, basis, communication_id, made_available_at) VALUES ($1, 1, $2, 'local-authority', $3, 'test', $4, $5)`,
        [n.id, routedTo, p.personId, comm, n.provenance.receivedAt],
      );
    }
  }
}

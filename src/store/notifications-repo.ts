import type { PoliceNotification } from '../model/police-notification.js';
import type { Queryable } from './db.js';
import type { RecordSealer } from './records-repo.js';

/**
 * What stays readable of a notification in pseudonymised mode: who sent it, what kind, when,
 * the person-index ids of the people it names, and the actions' codes and times. Names, places and narrative are sealed
 * under the force's data key.
 */
function notificationStub(n: PoliceNotification): Record<string, unknown> {
  return { id: n.id, owner: n.owner, force: n.force, reference: n.reference, type: n.type, occurredAt: n.occurredAt, version: n.version, provenance: n.provenance, securityLabel: n.securityLabel, persons: n.persons.map((p) => ({ ref: p.ref, roles: p.roles, personId: p.personId })),
    // What was done and when (never the detail): time-driven alerts read it, as police protection beyond 72 hours.
    actionsTaken: n.actionsTaken.map(({ detail: _d, ...a }) => a) };
}

function stored(n: PoliceNotification, sealer: RecordSealer | undefined): { record: string; sealed: string | null } {
  if (!sealer) return { record: JSON.stringify(n), sealed: null };
  const subject = n.persons.find((p) => p.roles.includes('subject-child'))?.personId ?? '';
  const { sealed } = sealer.seal({ ...n, subjectPersonId: subject });
  return { record: JSON.stringify(notificationStub(n)), sealed: JSON.stringify(sealed) };
}

/** A stored notification with what the force is told about it. */
export interface StoredNotification {
  id: string;
  force: string;
  reference: string;
  version: number;
  contentHash: string;
  status: 'routed' | 'unroutable';
  record: PoliceNotification;
  receipt: Record<string, unknown>;
  receivedAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  force: string;
  reference: string;
  version: number;
  content_hash: string;
  status: 'routed' | 'unroutable';
  record: PoliceNotification;
  receipt: Record<string, unknown>;
  received_at: Date | string;
  updated_at: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

function fromRow(r: Row): StoredNotification {
  return { id: r.id, force: r.force, reference: r.reference, version: r.version, contentHash: r.content_hash, status: r.status, record: r.record, receipt: r.receipt, receivedAt: iso(r.received_at), updatedAt: iso(r.updated_at) };
}

const COLUMNS = 'id, force, reference, version, content_hash, status, record, receipt, received_at, updated_at';

/**
 * Serialises submissions of one (force, reference) for the rest of the transaction, so a
 * hundred parallel retries find one another instead of racing to insert.
 */
export async function lockNotificationKey(q: Queryable, force: string, reference: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`police-notification|${force}|${reference}`]);
}

export async function notificationByReference(q: Queryable, force: string, reference: string): Promise<StoredNotification | null> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM police_notifications WHERE force = $1 AND reference = $2`, [force, reference]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function notificationById(q: Queryable, id: string): Promise<StoredNotification | null> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM police_notifications WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** A force's notifications changed since a time, oldest change first. */
export async function notificationsOfForce(q: Queryable, force: string, since: string | null, limit: number): Promise<StoredNotification[]> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM police_notifications WHERE force = $1 AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz) ORDER BY updated_at, id LIMIT $3`,
    [force, since, limit],
  );
  return rows.map(fromRow);
}

/**
 * Writes a new notification or its next version, keeping every version in the history
 * table; in pseudonymised mode the content is sealed under the force's data key.
 */
export async function saveNotification(q: Queryable, n: StoredNotification, sealer?: RecordSealer): Promise<void> {
  const { record, sealed } = stored(n.record, sealer);
  await q.query(
    `INSERT INTO police_notifications (id, force, reference, type, owner, version, content_hash, record, sealed, status, receipt, received_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11::jsonb, $12, $13)
     ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, version = EXCLUDED.version, content_hash = EXCLUDED.content_hash, record = EXCLUDED.record,
       sealed = EXCLUDED.sealed, status = EXCLUDED.status, receipt = EXCLUDED.receipt, updated_at = EXCLUDED.updated_at`,
    [n.id, n.force, n.reference, n.record.type, n.record.owner, n.version, n.contentHash, record, sealed, n.status, JSON.stringify(n.receipt), n.receivedAt, n.updatedAt],
  );
  await q.query(
    'INSERT INTO police_notification_versions (notification_id, version, content_hash, record, sealed, received_at) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)',
    [n.id, n.version, n.contentHash, record, sealed, n.updatedAt],
  );
}

/** Replaces the people a notification names (a new version may name others). */
export async function saveNotificationPeople(q: Queryable, notificationId: string, occurredAt: string, people: { personId: string; roles: string[] }[]): Promise<void> {
  await q.query('DELETE FROM notification_people WHERE notification_id = $1', [notificationId]);
  const byPerson = new Map<string, Set<string>>();
  for (const p of people) byPerson.set(p.personId, new Set([...(byPerson.get(p.personId) ?? []), ...p.roles]));
  if (byPerson.size === 0) return;
  await q.query(
    `INSERT INTO notification_people (notification_id, person_id, roles, occurred_at)
     SELECT $1, person_id, string_to_array(roles, ','), $2 FROM unnest($3::text[], $4::text[]) AS t(person_id, roles)`,
    [notificationId, occurredAt, [...byPerson.keys()], [...byPerson.values()].map((r) => [...r].join(','))],
  );
}

export interface NotificationRoute {
  notificationId: string;
  recipient: string;
  kind: 'local-authority' | 'school' | 'unroutable';
  personId: string | null;
  basis: string;
  communicationId: string;
  madeAvailableAt: string;
  schoolDayStart: string | null;
  beforeSchoolDay: boolean | null;
  viewedAt: string | null;
}

/** The routes of one version of a notification. */
export async function insertNotificationRoutes(q: Queryable, version: number, routes: readonly NotificationRoute[]): Promise<void> {
  for (const r of routes) {
    await q.query(
      `INSERT INTO notification_routes (notification_id, version, recipient, kind, person_id, basis, communication_id, made_available_at, school_day_start, before_school_day)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [r.notificationId, version, r.recipient, r.kind, r.personId, r.basis, r.communicationId, r.madeAvailableAt, r.schoolDayStart, r.beforeSchoolDay],
    );
  }
}

/** Every route of a notification, all versions, oldest first. */
export async function routesOf(q: Queryable, notificationId: string): Promise<NotificationRoute[]> {
  const rows = await q.query<{ recipient: string; kind: NotificationRoute['kind']; person_id: string | null; basis: string; communication_id: string; made_available_at: Date | string; school_day_start: Date | string | null; before_school_day: boolean | null; viewed_at: Date | string | null }>(
    `SELECT recipient, kind, person_id, basis, communication_id, made_available_at, school_day_start, before_school_day, viewed_at
       FROM notification_routes WHERE notification_id = $1 ORDER BY made_available_at, recipient, communication_id`,
    [notificationId],
  );
  return rows.map((r) => ({
    notificationId,
    recipient: r.recipient,
    kind: r.kind,
    personId: r.person_id,
    basis: r.basis,
    communicationId: r.communication_id,
    madeAvailableAt: iso(r.made_available_at),
    schoolDayStart: r.school_day_start === null ? null : iso(r.school_day_start),
    beforeSchoolDay: r.before_school_day,
    viewedAt: r.viewed_at === null ? null : iso(r.viewed_at),
  }));
}

/** Records the first time a recipient read routed notices in its inbox. */
export async function markRoutesViewed(q: Queryable, recipient: string, communicationIds: readonly string[], at: string): Promise<void> {
  if (communicationIds.length === 0) return;
  await q.query('UPDATE notification_routes SET viewed_at = $3 WHERE recipient = $1 AND communication_id = ANY($2::text[]) AND viewed_at IS NULL', [recipient, communicationIds, at]);
}

/**
 * The notifications that name a person (in any role), latest versions, as records about
 * that person: newest incident first. Sealed content is opened for the policy to decide on.
 */
export async function notificationsAbout(q: Queryable, personId: string, sealer?: RecordSealer): Promise<(PoliceNotification & { subjectPersonId: string })[]> {
  const rows = await q.query<{ record: PoliceNotification; sealed: unknown }>(
    `SELECT n.record, n.sealed FROM notification_people p JOIN police_notifications n ON n.id = p.notification_id
      WHERE p.person_id = $1 ORDER BY p.occurred_at DESC, n.id LIMIT 200`,
    [personId],
  );
  return rows.map((r) => {
    const stub = { ...r.record, subjectPersonId: personId };
    if (r.sealed === null || r.sealed === undefined || !sealer) return stub;
    return { ...(sealer.open(stub, r.sealed) as unknown as PoliceNotification), subjectPersonId: personId };
  });
}

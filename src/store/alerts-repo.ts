import type { Alert, AlertReason, AlertStatus } from '../model/alert.js';
import { deterministicId } from '../model/ids.js';
import type { Queryable } from './db.js';

interface AlertRow {
  id: string;
  rule_id: string;
  rule_version: number;
  title: string;
  severity: Alert['severity'];
  recipient: string;
  person_id: string;
  household_id: string | null;
  reasons: AlertReason[];
  status: AlertStatus;
  raised_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  closed_at: Date | string | null;
  closed_by: string | null;
  close_reason: string | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function toAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    rule: r.rule_id,
    ruleVersion: r.rule_version,
    title: r.title,
    severity: r.severity,
    recipient: r.recipient,
    personId: r.person_id,
    householdId: r.household_id,
    status: r.status,
    raisedAt: iso(r.raised_at)!,
    reasons: r.reasons,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
    closeReason: r.close_reason,
  };
}

export interface NewAlert {
  rule: string;
  ruleVersion: number;
  title: string;
  severity: Alert['severity'];
  recipient: string;
  personId: string;
  householdId: string | null;
  reasons: AlertReason[];
  dedupeKey: string;
  raisedAt: string;
}

/** The id an alert gets: derived from its dedupe key, so the same trigger names the same alert. */
export function alertId(dedupeKey: string): string {
  return deterministicId('Alert', 'sgw', dedupeKey);
}

/** Stores an alert unless one with its dedupe key exists; returns it when it was new, else null. */
export async function insertAlert(q: Queryable, a: NewAlert): Promise<Alert | null> {
  const rows = await q.query<AlertRow>(
    `INSERT INTO alerts (id, rule_id, rule_version, title, severity, recipient, person_id, household_id, reasons, raised_at, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING *`,
    [alertId(a.dedupeKey), a.rule, a.ruleVersion, a.title, a.severity, a.recipient, a.personId, a.householdId, JSON.stringify(a.reasons), a.raisedAt, a.dedupeKey],
  );
  return rows[0] ? toAlert(rows[0]) : null;
}

/** One alert by id, or null. `forUpdate` locks it for a state change in the caller's transaction. */
export async function getAlert(q: Queryable, id: string, forUpdate = false): Promise<Alert | null> {
  const rows = await q.query<AlertRow>(`SELECT * FROM alerts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? toAlert(rows[0]) : null;
}

/** An agency's alerts, newest first, optionally of one status. */
export async function alertsFor(q: Queryable, recipient: string, options: { status?: AlertStatus | undefined; limit: number }): Promise<Alert[]> {
  const rows = await q.query<AlertRow>(
    `SELECT * FROM alerts WHERE recipient = $1 AND ($2::text IS NULL OR status = $2) ORDER BY raised_at DESC, id LIMIT $3`,
    [recipient, options.status ?? null, options.limit],
  );
  return rows.map(toAlert);
}

/** Marks an alert acknowledged (the caller checked it was open). */
export async function markAcknowledged(q: Queryable, id: string, by: string, at: string): Promise<Alert> {
  const rows = await q.query<AlertRow>(`UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 RETURNING *`, [id, at, by]);
  return toAlert(rows[0]!);
}

/** Marks an alert closed with its reason (the caller checked it was not closed). */
export async function markClosed(q: Queryable, id: string, by: string, at: string, reason: string): Promise<Alert> {
  const rows = await q.query<AlertRow>(`UPDATE alerts SET status = 'closed', closed_at = $2, closed_by = $3, close_reason = $4 WHERE id = $1 RETURNING *`, [id, at, by, reason]);
  return toAlert(rows[0]!);
}

import { canonicalJson } from '../audit/chain.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import type { Queryable } from './db.js';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/**
 * The fields whose change makes a re-sent plan an update rather than a repeat. Canonical
 * JSON, because a plan read back from jsonb has its keys in jsonb's order, not the order
 * they were written in (a source identifier's system and value).
 */
export function substance(p: ProtectionPlan): string {
  return canonicalJson([p.subjectPersonId, p.kind, p.period.start, p.period.end ?? null, p.owner, p.status, p.securityLabel, p.sourceIdentifiers]);
}

export async function getPlan(q: Queryable, id: string): Promise<ProtectionPlan | null> {
  const rows = await q.query<{ record: ProtectionPlan }>('SELECT record FROM protection_plans WHERE id = $1', [id]);
  return rows[0]?.record ?? null;
}

/**
 * Inserts or updates a plan by its deterministic id, so re-sending the same plan never
 * duplicates it. Reports whether anything changed.
 */
export async function upsertPlan(q: Queryable, plan: ProtectionPlan, sourceId?: string): Promise<WriteOutcome> {
  const before = await getPlan(q, plan.id);
  if (before && substance(before) === substance(plan)) return 'unchanged';
  await q.query(
    `INSERT INTO protection_plans (id, person_id, owner, kind, start_date, end_date, status, record, source_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, kind = EXCLUDED.kind, start_date = EXCLUDED.start_date,
       end_date = EXCLUDED.end_date, status = EXCLUDED.status, record = EXCLUDED.record,
       source_id = COALESCE(EXCLUDED.source_id, protection_plans.source_id), updated_at = now()`,
    [plan.id, plan.subjectPersonId, plan.owner, plan.kind, plan.period.start, plan.period.end ?? null, plan.status, JSON.stringify(plan), sourceId ?? null],
  );
  return before ? 'updated' : 'created';
}

/** A plan with its subject's identifier in the given system (the NHS number), or null. */
export async function getPlanWithSubject(q: Queryable, id: string, system: string): Promise<{ plan: ProtectionPlan; nhsNumber: string | null } | null> {
  const rows = await q.query<{ record: ProtectionPlan; value: string | null }>(
    `SELECT pp.record, i.value FROM protection_plans pp
     LEFT JOIN person_identifiers i ON i.person_id = pp.person_id AND i.system = $2
     WHERE pp.id = $1 LIMIT 1`,
    [id, system],
  );
  const row = rows[0];
  return row ? { plan: row.record, nhsNumber: row.value } : null;
}

/** The plans held against a person, newest first. */
export async function plansForPerson(q: Queryable, personId: string): Promise<ProtectionPlan[]> {
  const rows = await q.query<{ record: ProtectionPlan }>('SELECT record FROM protection_plans WHERE person_id = $1 ORDER BY start_date DESC, id LIMIT 500', [personId]);
  return rows.map((r) => r.record);
}

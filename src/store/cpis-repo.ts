import type { AccessRecord } from '../model/access-record.js';
import type { Person } from '../model/person.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { ACCESS_HISTORY_LIMIT } from './access-repo.js';
import type { Queryable } from './db.js';

export interface CpisRecord {
  person: Person;
  plans: ProtectionPlan[];
  accesses: AccessRecord[];
}

interface Row {
  person: Person;
  plans: ProtectionPlan[];
  accesses: { id: string; sub: string; agency: string; role: string; purpose: string; at: string }[];
}

/**
 * Everything a CP-IS answer needs about one identifier, in one statement: the person,
 * their plans (not entered in error; open, or ended on or after `endedSince`) and the 25
 * most recent listed accesses. One round trip keeps the hot path short on both engines.
 */
export async function cpisLookup(q: Queryable, system: string, value: string, endedSince: string): Promise<CpisRecord | null> {
  const rows = await q.query<Row>(
    `SELECT p.record AS person,
       coalesce((SELECT json_agg(pp.record ORDER BY pp.start_date DESC, pp.id) FROM protection_plans pp
                 WHERE pp.person_id = p.id AND pp.status <> 'entered-in-error' AND (pp.end_date IS NULL OR pp.end_date >= $3)), '[]') AS plans,
       coalesce((SELECT json_agg(json_build_object('id', a.id, 'sub', a.accessor_sub, 'agency', a.accessor_agency, 'role', a.accessor_role,
                                                   'purpose', a.purpose, 'at', to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                                 ORDER BY a.at DESC, a.id DESC)
                 FROM (SELECT * FROM access_events WHERE person_id = p.id AND listed ORDER BY at DESC, id DESC LIMIT $4) a), '[]') AS accesses
     FROM person_identifiers i JOIN persons p ON p.id = i.person_id
     WHERE i.system = $1 AND i.value = $2`,
    [system, value, endedSince, ACCESS_HISTORY_LIMIT],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    person: row.person,
    plans: row.plans,
    accesses: row.accesses.map((a) => ({
      id: a.id,
      personId: row.person.id,
      accessor: { sub: a.sub, agency: a.agency, role: a.role },
      purpose: a.purpose,
      unscheduled: true,
      listed: true,
      at: a.at,
    })),
  };
}

import type { AccessRecord } from '../model/access-record.js';
import type { Queryable } from './db.js';

export const ACCESS_HISTORY_LIMIT = 25;
const SAME_USER_WINDOW = '24 hours';

/**
 * Records one CP-IS access, inside the caller's transaction. It is listed in the access
 * history unless the same user at the same agency already accessed the same person in the
 * previous 24 hours.
 */
export async function recordAccess(q: Queryable, access: Omit<AccessRecord, 'listed'>): Promise<AccessRecord> {
  // Serialise check-and-insert per person (until the transaction ends), or simultaneous
  // queries by one user would each see no earlier access and all be listed.
  await q.query("SELECT pg_advisory_xact_lock(hashtext('access:' || $1))", [access.personId]);
  const [prior] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM access_events
     WHERE person_id = $1 AND accessor_agency = $2 AND accessor_sub = $3 AND unscheduled
       AND at > $4::timestamptz - interval '${SAME_USER_WINDOW}' AND at <= $4::timestamptz`,
    [access.personId, access.accessor.agency, access.accessor.sub, access.at],
  );
  const listed = access.unscheduled && (prior?.n ?? 0) === 0;
  await q.query(
    `INSERT INTO access_events (id, person_id, accessor_sub, accessor_agency, accessor_role, purpose, unscheduled, listed, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [access.id, access.personId, access.accessor.sub, access.accessor.agency, access.accessor.role, access.purpose, access.unscheduled, listed, access.at],
  );
  return { ...access, listed };
}

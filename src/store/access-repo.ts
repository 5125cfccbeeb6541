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
  // One call (migration 0017): the per-person lock (until the transaction ends, so that
  // simultaneous queries by one user do not each see no earlier access and all be listed),
  // the count of the same user's accesses in the window, and the insert.
  const [row] = await q.query<{ listed: boolean }>('SELECT sgw_record_access($1, $2, $3, $4, $5, $6, $7, $8, $9::interval) AS listed', [
    access.id,
    access.personId,
    access.accessor.sub,
    access.accessor.agency,
    access.accessor.role,
    access.purpose,
    access.unscheduled,
    access.at,
    SAME_USER_WINDOW,
  ]);
  return { ...access, listed: row?.listed === true };
}

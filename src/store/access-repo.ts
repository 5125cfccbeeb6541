import type { AccessRecord } from '../model/access-record.js';
import type { StoredCommunication } from './communications-repo.js';
import { insertCommunicationsSql } from './communications-repo.js';
import type { Queryable } from './db.js';
import type { QueuedNotice } from './outbox-repo.js';
import { queueNoticesSql } from './outbox-repo.js';

export const ACCESS_HISTORY_LIMIT = 25;
const SAME_USER_WINDOW = '24 hours';

/** What an access sends: Communications to owning local authorities, and the webhook notices that announce them. */
export interface AccessSends {
  communications: StoredCommunication[];
  notices: QueuedNotice[];
  /** When the notices fall due. */
  at: string;
}

/** The access in one call (migration 0017): the per-person lock, the count of the same user's accesses in the window, and the insert. */
const RECORD_ACCESS = 'SELECT sgw_record_access($1, $2, $3, $4, $5, $6, $7, $8, $9::interval) AS listed';

/**
 * The same, with the Communications and their notices written by the same statement: an
 * unscheduled CP-IS query was three round trips into the engine, each costing more than
 * its work (on the embedded database about 100 µs of CPU before any row is written).
 * The WITH clauses' rows are in place when the foreign keys are checked, at the end of the
 * statement; the access's lock and count, which run inside sgw_record_access, see no
 * difference.
 */
const RECORD_ACCESS_AND_SEND = `WITH sent AS (
    ${insertCommunicationsSql(10)}
  ), queued AS (
    ${queueNoticesSql(11, 12)}
  )
  ${RECORD_ACCESS}`;

/**
 * Records one CP-IS access, inside the caller's transaction. It is listed in the access
 * history unless the same user at the same agency already accessed the same person in the
 * previous 24 hours. `sends` (the notifications to the owning local authorities) are
 * written in the same statement.
 */
export async function recordAccess(q: Queryable, access: Omit<AccessRecord, 'listed'>, sends?: AccessSends): Promise<AccessRecord> {
  // The per-person lock lasts until the transaction ends, so that simultaneous queries by one
  // user do not each see no earlier access and all be listed.
  const params: unknown[] = [access.id, access.personId, access.accessor.sub, access.accessor.agency, access.accessor.role, access.purpose, access.unscheduled, access.at, SAME_USER_WINDOW];
  const [row] = sends
    ? await q.query<{ listed: boolean }>(RECORD_ACCESS_AND_SEND, [...params, JSON.stringify(sends.communications), JSON.stringify(sends.notices), sends.at])
    : await q.query<{ listed: boolean }>(RECORD_ACCESS, params);
  return { ...access, listed: row?.listed === true };
}

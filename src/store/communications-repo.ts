import type { Queryable } from './db.js';

export interface StoredCommunication {
  id: string;
  recipient: string;
  category: string;
  personId: string | null;
  createdAt: string;
  resource: fhir4.Communication;
}

/**
 * SQL that adds the Communications given as a JSON array of StoredCommunication in parameter
 * `$rows`: a statement of its own, or a data-modifying WITH clause of a statement that writes
 * more (a CP-IS access with its notifications, src/store/access-repo.ts).
 */
export function insertCommunicationsSql(rows: number): string {
  return `INSERT INTO communications (id, recipient, category, person_id, created_at, resource)
    SELECT c.id, c.recipient, c.category, c."personId", c."createdAt", c.resource
    FROM jsonb_to_recordset($${rows}::jsonb) AS c(id text, recipient text, category text, "personId" text, "createdAt" timestamptz, resource jsonb)`;
}

/** Adds Communications to their recipients' inboxes, in one statement. */
export async function insertCommunications(q: Queryable, communications: StoredCommunication[]): Promise<void> {
  if (communications.length > 0) await q.query(insertCommunicationsSql(1), [JSON.stringify(communications)]);
}

export async function insertCommunication(q: Queryable, c: StoredCommunication): Promise<void> {
  await insertCommunications(q, [c]);
}

/** An agency's inbox, newest first. */
export async function communicationsFor(q: Queryable, recipient: string, options: { limit: number; since?: string }): Promise<fhir4.Communication[]> {
  const rows = await q.query<{ resource: fhir4.Communication }>(
    `SELECT resource FROM communications WHERE recipient = $1 AND ($2::timestamptz IS NULL OR created_at >= $2::timestamptz)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [recipient, options.since ?? null, options.limit],
  );
  // jsonb does not keep key order; FHIR JSON reads best with resourceType first.
  return rows.map(({ resource }) => ({ ...resource, resourceType: 'Communication' as const }));
}

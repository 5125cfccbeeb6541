import type { Queryable } from './db.js';

export interface StoredCommunication {
  id: string;
  recipient: string;
  category: string;
  personId: string | null;
  createdAt: string;
  resource: fhir4.Communication;
}

export async function insertCommunication(q: Queryable, c: StoredCommunication): Promise<void> {
  await q.query('INSERT INTO communications (id, recipient, category, person_id, created_at, resource) VALUES ($1, $2, $3, $4, $5, $6)', [
    c.id,
    c.recipient,
    c.category,
    c.personId,
    c.createdAt,
    JSON.stringify(c.resource),
  ]);
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

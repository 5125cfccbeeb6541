import type { Agency } from '../model/agency.js';
import type { Queryable } from './db.js';

/** Writes the configured agencies into the database so records can refer to them. */
export async function syncAgencies(q: Queryable, agencies: Iterable<Agency>): Promise<void> {
  for (const a of agencies) {
    await q.query(
      `INSERT INTO agencies (id, kind, name, record) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, record = EXCLUDED.record, updated_at = now()`,
      [a.id, a.kind, a.name, JSON.stringify(a)],
    );
  }
}

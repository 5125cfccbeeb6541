import { canonicalJson } from '../audit/chain.js';
import type { Queryable } from './db.js';
import type { WriteOutcome } from './plans-repo.js';

export type StoredRecordType = 'Attendance' | 'CaseEvent' | 'Relationship' | 'Consent';

export interface StoredRecord {
  id: string;
  subjectPersonId: string;
  owner: string;
  provenance: unknown;
  lineage?: unknown;
}

/** What makes a re-sent record a change: everything but where and when it was received. */
function substance(r: StoredRecord): string {
  const { provenance: _p, lineage: _l, ...rest } = r;
  // Key order differs between a JS object and the jsonb it was stored as: compare canonically.
  return canonicalJson(rest);
}

/** Inserts or updates a record by its deterministic id and says which happened, in one statement. */
export async function upsertRecord(q: Queryable, type: StoredRecordType, record: StoredRecord): Promise<WriteOutcome> {
  const rows = await q.query<{ inserted: boolean }>(
    `INSERT INTO canonical_records (id, type, person_id, owner, record, substance) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, record = EXCLUDED.record, substance = EXCLUDED.substance, updated_at = now()
       WHERE canonical_records.substance IS DISTINCT FROM EXCLUDED.substance
     RETURNING (xmax = 0) AS inserted`,
    [record.id, type, record.subjectPersonId, record.owner, JSON.stringify(record), substance(record)],
  );
  const row = rows[0];
  if (!row) return 'unchanged';
  return row.inserted ? 'created' : 'updated';
}

/** One record by id, with its type. */
export async function getRecord(q: Queryable, id: string): Promise<{ type: StoredRecordType; record: StoredRecord } | null> {
  const rows = await q.query<{ type: StoredRecordType; record: StoredRecord }>('SELECT type, record FROM canonical_records WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** The records held about a person, newest first, optionally of one type. */
export async function recordsForPerson(q: Queryable, personId: string, type?: StoredRecordType): Promise<{ type: StoredRecordType; record: StoredRecord }[]> {
  return q.query<{ type: StoredRecordType; record: StoredRecord }>(
    `SELECT type, record FROM canonical_records WHERE person_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY updated_at DESC, id LIMIT 500`,
    [personId, type ?? null],
  );
}

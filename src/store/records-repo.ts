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

/**
 * Seals a record's payload in pseudonymised mode: what goes in `record` (who and where
 * only), the envelope, and a keyed digest of the substance (a plain hash of a short record
 * could be reversed by guessing).
 */
export interface RecordSealer {
  seal(r: StoredRecord): { stub: StoredRecord; sealed: unknown; substance: string };
  open(stub: StoredRecord, sealed: unknown): StoredRecord;
}

/**
 * Upserts many records in one statement (a CIN census holds hundreds of case events).
 * A record sent twice in one batch is written once, as last sent. Returns each id's outcome.
 */
export async function upsertRecords(
  q: Queryable,
  records: { type: StoredRecordType; record: StoredRecord; sourceId?: string | undefined; householdId?: string | undefined }[],
  sealer?: RecordSealer,
): Promise<Map<string, WriteOutcome>> {
  const byId = new Map(records.map((r) => [r.record.id, r]));
  const list = [...byId.values()];
  const outcomes = new Map<string, WriteOutcome>(list.map((r) => [r.record.id, 'unchanged']));
  if (list.length === 0) return outcomes;
  const stored = list.map((r) => (sealer ? sealer.seal(r.record) : { stub: r.record, sealed: null, substance: substance(r.record) }));
  const rows = await q.query<{ id: string; inserted: boolean }>(
    `INSERT INTO canonical_records (id, type, person_id, owner, record, substance, source_id, household_id, sealed)
     SELECT id, type, person_id, owner, record::jsonb, substance, source_id, household_id, sealed::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       AS t(id, type, person_id, owner, record, substance, source_id, household_id, sealed)
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, record = EXCLUDED.record, substance = EXCLUDED.substance, sealed = EXCLUDED.sealed,
       source_id = COALESCE(EXCLUDED.source_id, canonical_records.source_id), household_id = EXCLUDED.household_id, updated_at = now()
       WHERE canonical_records.substance IS DISTINCT FROM EXCLUDED.substance
     RETURNING id, (xmax = 0) AS inserted`,
    [
      list.map((r) => r.record.id),
      list.map((r) => r.type),
      list.map((r) => r.record.subjectPersonId),
      list.map((r) => r.record.owner),
      stored.map((r) => JSON.stringify(r.stub)),
      stored.map((r) => r.substance),
      list.map((r) => r.sourceId ?? null),
      list.map((r) => r.householdId ?? null),
      stored.map((r) => (r.sealed === null ? null : JSON.stringify(r.sealed))),
    ],
  );
  for (const row of rows) outcomes.set(row.id, row.inserted ? 'created' : 'updated');
  return outcomes;
}

const opened = (sealer: RecordSealer | undefined) => (row: { type: StoredRecordType; record: StoredRecord; sealed: unknown }) => ({
  type: row.type,
  record: row.sealed !== null && row.sealed !== undefined && sealer ? sealer.open(row.record, row.sealed) : row.record,
});

/** One record by id, with its type (opened when sealed). */
export async function getRecord(q: Queryable, id: string, sealer?: RecordSealer): Promise<{ type: StoredRecordType; record: StoredRecord } | null> {
  const rows = await q.query<{ type: StoredRecordType; record: StoredRecord; sealed: unknown }>('SELECT type, record, sealed FROM canonical_records WHERE id = $1', [id]);
  return rows[0] ? opened(sealer)(rows[0]) : null;
}

/** The records held about a person, newest first, optionally of one type. */
export async function recordsForPerson(q: Queryable, personId: string, type?: StoredRecordType, sealer?: RecordSealer): Promise<{ type: StoredRecordType; record: StoredRecord }[]> {
  const rows = await q.query<{ type: StoredRecordType; record: StoredRecord; sealed: unknown }>(
    `SELECT type, record, sealed FROM canonical_records WHERE person_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY updated_at DESC, id LIMIT 500`,
    [personId, type ?? null],
  );
  return rows.map(opened(sealer));
}

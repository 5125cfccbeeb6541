/**
 * The person index's tables: source records (each agency's view of a person), their
 * identifiers and blocking keys, the review queue and people's match decisions.
 */
import type { Identifier, Person } from '../model/person.js';
import type { Queryable } from './db.js';

export type LinkKind = 'new' | 'identifier' | 'nhs-number' | 'model' | 'manual';

export interface PersonSource {
  id: string;
  owner: string;
  personId: string;
  record: Person;
  link: LinkKind;
  probability: number | null;
  updatedAt: string;
  /** Pseudonymised mode: what the matcher sees of this record (no clear text). */
  pseudonym?: unknown;
  /** Pseudonymised mode: the full record sealed under the owner's data key. */
  sealed?: unknown;
}

/** A person_sources row as read with SOURCE_COLUMNS. */
export interface SourceRow {
  id: string;
  owner: string;
  person_id: string;
  record: Person;
  link: LinkKind;
  probability: number | null;
  updated_at: Date | string;
  pseudonym: unknown;
  sealed: unknown;
}

export const toSource = (r: SourceRow): PersonSource => ({
  id: r.id,
  owner: r.owner,
  personId: r.person_id,
  record: r.record,
  link: r.link,
  probability: r.probability,
  updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : String(r.updated_at),
  ...(r.pseudonym === null || r.pseudonym === undefined ? {} : { pseudonym: r.pseudonym }),
  ...(r.sealed === null || r.sealed === undefined ? {} : { sealed: r.sealed }),
});

export const SOURCE_COLUMNS = 's.id, s.owner, s.person_id, s.record, s.link, s.probability, s.updated_at, s.pseudonym, s.sealed';

/** The source records holding any of these identifiers. */
export async function sourcesByIdentifiers(q: Queryable, identifiers: readonly Identifier[]): Promise<PersonSource[]> {
  if (identifiers.length === 0) return [];
  const rows = await q.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM person_sources s WHERE s.id IN (
       SELECT i.source_id FROM person_source_identifiers i WHERE (i.system, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[])))`,
    [identifiers.map((i) => i.system), identifiers.map((i) => i.value)],
  );
  return rows.map(toSource);
}

export async function getSource(q: Queryable, id: string): Promise<PersonSource | null> {
  const rows = await q.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM person_sources s WHERE s.id = $1`, [id]);
  return rows[0] ? toSource(rows[0]) : null;
}

/** A person's source records, oldest change first (so folding them gives the newest demographics last). */
export async function sourcesOfPerson(q: Queryable, personId: string): Promise<PersonSource[]> {
  const rows = await q.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM person_sources s WHERE s.person_id = $1 ORDER BY s.updated_at, s.id`, [personId]);
  return rows.map(toSource);
}

/**
 * Inserts or replaces a source record with its identifiers and blocking keys. Its time is
 * the clock's, not the transaction's start: messages committed together in one transaction
 * (a group commit) still order a person's sources by when each was written, as a person's
 * record folds them in that order.
 */
export async function saveSource(q: Queryable, s: Omit<PersonSource, 'updatedAt'>, keys: readonly string[]): Promise<void> {
  await q.query(
    `INSERT INTO person_sources (id, owner, person_id, record, link, probability, pseudonym, sealed, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp())
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, record = EXCLUDED.record, link = EXCLUDED.link,
       probability = EXCLUDED.probability, pseudonym = EXCLUDED.pseudonym, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
    [s.id, s.owner, s.personId, JSON.stringify(s.record), s.link, s.probability, s.pseudonym === undefined ? null : JSON.stringify(s.pseudonym), s.sealed === undefined ? null : JSON.stringify(s.sealed)],
  );
  await q.query('DELETE FROM person_source_identifiers WHERE source_id = $1', [s.id]);
  await q.query(
    `INSERT INTO person_source_identifiers (system, value, source_id)
     SELECT DISTINCT sys, val, $3 FROM unnest($1::text[], $2::text[]) AS t(sys, val)`,
    [s.record.identifiers.map((i) => i.system), s.record.identifiers.map((i) => i.value), s.id],
  );
  await replaceBlockingKeys(q, s.id, keys);
}

export async function replaceBlockingKeys(q: Queryable, sourceId: string, keys: readonly string[]): Promise<void> {
  await q.query('DELETE FROM person_blocking_keys WHERE source_id = $1', [sourceId]);
  if (keys.length > 0) {
    await q.query('INSERT INTO person_blocking_keys (key, source_id) SELECT DISTINCT k, $2 FROM unnest($1::text[]) AS t(k)', [keys, sourceId]);
  }
}

/** Sources with a name in clear that have no blocking keys yet (people indexed before matching existed). */
export async function sourcesWithoutKeys(q: Queryable, limit: number): Promise<PersonSource[]> {
  const rows = await q.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM person_sources s
     WHERE jsonb_array_length(COALESCE(s.record->'names', '[]'::jsonb)) > 0
       AND NOT EXISTS (SELECT 1 FROM person_blocking_keys k WHERE k.source_id = s.id) LIMIT $1`,
    [limit],
  );
  return rows.map(toSource);
}

/**
 * Source records sharing any blocking key; at most `limit`. Records holding another value
 * of an identifier system the incoming person has (another NHS number, another MRN of the
 * same hospital) are certainly someone else and are left out before the limit applies.
 * That check is a subquery per candidate (through the primary key) rather than NOT EXISTS,
 * which the planner turned into a hash of every identifier of those systems in the index:
 * a cost that grew with the index, paid by every incoming person.
 */
export async function candidateSources(q: Queryable, keys: readonly string[], limit: number, identifiers: readonly Identifier[] = []): Promise<PersonSource[]> {
  if (keys.length === 0) return [];
  const rows = await q.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM person_sources s
     WHERE s.id IN (
       SELECT k.source_id FROM person_blocking_keys k
       WHERE k.key = ANY($1::text[])
         AND (SELECT count(*) FROM person_source_identifiers i
              WHERE i.source_id = k.source_id AND i.system = ANY($3::text[])
                AND (i.system, i.value) NOT IN (SELECT * FROM unnest($3::text[], $4::text[]))) = 0
       LIMIT $2)`,
    [keys, limit, identifiers.map((i) => i.system), identifiers.map((i) => i.value)],
  );
  return rows.map(toSource);
}

export interface MatchDecisionRow {
  id: string;
  sourceA: string;
  sourceB: string;
  decision: 'link' | 'not-a-match';
  decidedBy: unknown;
  reason: string;
  at: string;
}

/** People's decisions involving any of these sources. */
export async function decisionsInvolving(q: Queryable, sourceIds: readonly string[]): Promise<MatchDecisionRow[]> {
  if (sourceIds.length === 0) return [];
  const rows = await q.query<{ id: string; source_a: string; source_b: string; decision: 'link' | 'not-a-match'; decided_by: unknown; reason: string; at: Date | string }>(
    'SELECT id, source_a, source_b, decision, decided_by, reason, at FROM match_decisions WHERE source_a = ANY($1::text[]) OR source_b = ANY($1::text[])',
    [sourceIds],
  );
  return rows.map((r) => ({ id: r.id, sourceA: r.source_a, sourceB: r.source_b, decision: r.decision, decidedBy: r.decided_by, reason: r.reason, at: r.at instanceof Date ? r.at.toISOString() : String(r.at) }));
}

/** Records a decision between two sources; a later decision on the same pair replaces the earlier one. */
export async function saveDecision(q: Queryable, d: { id: string; a: string; b: string; decision: 'link' | 'not-a-match'; decidedBy: unknown; reason: string; at: string }): Promise<void> {
  const [a, b] = d.a < d.b ? [d.a, d.b] : [d.b, d.a];
  await q.query(
    `INSERT INTO match_decisions (id, source_a, source_b, decision, decided_by, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (source_a, source_b) DO UPDATE SET decision = EXCLUDED.decision, decided_by = EXCLUDED.decided_by, reason = EXCLUDED.reason, at = EXCLUDED.at`,
    [d.id, a, b, d.decision, JSON.stringify(d.decidedBy), d.reason, d.at],
  );
}

export interface MatchReview {
  id: string;
  sourceId: string;
  candidatePersonId: string;
  probability: number;
  weight: number;
  explanation: unknown;
  status: 'open' | 'linked' | 'not-a-match' | 'withdrawn';
  createdAt: string;
  decidedAt: string | null;
  decidedBy: unknown;
  reason: string | null;
}

interface ReviewRow {
  id: string;
  source_id: string;
  candidate_person_id: string;
  probability: number;
  weight: number;
  explanation: unknown;
  status: MatchReview['status'];
  created_at: Date | string;
  decided_at: Date | string | null;
  decided_by: unknown;
  reason: string | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : String(v));
const toReview = (r: ReviewRow): MatchReview => ({
  id: r.id,
  sourceId: r.source_id,
  candidatePersonId: r.candidate_person_id,
  probability: r.probability,
  weight: r.weight,
  explanation: r.explanation,
  status: r.status,
  createdAt: iso(r.created_at)!,
  decidedAt: iso(r.decided_at),
  decidedBy: r.decided_by,
  reason: r.reason,
});

/** Opens a review for (source, candidate) unless one is already open. */
export async function openReview(q: Queryable, r: { id: string; sourceId: string; candidatePersonId: string; probability: number; weight: number; explanation: unknown; at: string }): Promise<void> {
  await q.query(
    `INSERT INTO match_reviews (id, source_id, candidate_person_id, probability, weight, explanation, status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT DO NOTHING`,
    [r.id, r.sourceId, r.candidatePersonId, r.probability, r.weight, JSON.stringify(r.explanation), r.at],
  );
}

const REVIEW_COLUMNS = 'id, source_id, candidate_person_id, probability, weight, explanation, status, created_at, decided_at, decided_by, reason';

export async function getReview(q: Queryable, id: string): Promise<MatchReview | null> {
  const rows = await q.query<ReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM match_reviews WHERE id = $1`, [id]);
  return rows[0] ? toReview(rows[0]) : null;
}

/** Reviews in a status, oldest first, after an optional cursor (created_at, id). */
export async function listReviews(q: Queryable, status: MatchReview['status'], limit: number, offset: number): Promise<{ total: number; reviews: MatchReview[] }> {
  const rows = await q.query<ReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM match_reviews WHERE status = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [status, limit, offset]);
  const count = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM match_reviews WHERE status = $1', [status]);
  return { total: count[0]?.n ?? 0, reviews: rows.map(toReview) };
}

export async function closeReview(q: Queryable, id: string, status: 'linked' | 'not-a-match' | 'withdrawn', decidedBy: unknown, reason: string | null, at: string): Promise<void> {
  await q.query('UPDATE match_reviews SET status = $2, decided_by = $3, reason = $4, decided_at = $5 WHERE id = $1', [id, status, JSON.stringify(decidedBy), reason, at]);
}

/** Open reviews whose source now sits on its candidate person (linked some other way): nothing left to decide. */
export async function withdrawSettledReviews(q: Queryable, at: string): Promise<void> {
  await q.query(
    `UPDATE match_reviews r SET status = 'withdrawn', decided_at = $1, reason = 'the two records are now on the same person'
     FROM person_sources s WHERE r.status = 'open' AND s.id = r.source_id AND s.person_id = r.candidate_person_id`,
    [at],
  );
}

/** Moves everything held against person `from` to person `to` (a merge), and marks `from` merged. */
export async function mergePersonRows(q: Queryable, from: string, to: string): Promise<void> {
  await q.query('UPDATE person_sources SET person_id = $2, updated_at = updated_at WHERE person_id = $1', [from, to]);
  await q.query('UPDATE person_identifiers SET person_id = $2 WHERE person_id = $1', [from, to]);
  await q.query(`UPDATE protection_plans SET person_id = $2, record = jsonb_set(record, '{subjectPersonId}', to_jsonb($2::text)) WHERE person_id = $1`, [from, to]);
  await q.query(`UPDATE canonical_records SET person_id = $2, record = jsonb_set(record, '{subjectPersonId}', to_jsonb($2::text)) WHERE person_id = $1`, [from, to]);
  await q.query(`UPDATE match_reviews SET candidate_person_id = $2 WHERE candidate_person_id = $1 AND status = 'open'`, [from, to]);
  await q.query('DELETE FROM household_members WHERE person_id = $1', [from]);
  await q.query('UPDATE persons SET merged_into = $2, updated_at = now() WHERE id = $1', [from, to]);
  // Anything that pointed at `from` through an earlier merge now points straight at `to`.
  await q.query('UPDATE persons SET merged_into = $2 WHERE merged_into = $1', [from, to]);
}

/** Moves one source, the identifiers only it holds, and the records it brought, to another person. */
export async function moveSourceRows(q: Queryable, sourceId: string, from: string, to: string): Promise<void> {
  await q.query('UPDATE person_sources SET person_id = $2 WHERE id = $1', [sourceId, to]);
  await q.query(
    `UPDATE person_identifiers pi SET person_id = $3 FROM person_source_identifiers si
     WHERE si.source_id = $1 AND pi.system = si.system AND pi.value = si.value AND pi.person_id = $2`,
    [sourceId, from, to],
  );
  await q.query(`UPDATE protection_plans SET person_id = $2, record = jsonb_set(record, '{subjectPersonId}', to_jsonb($2::text)) WHERE source_id = $1`, [sourceId, to]);
  await q.query(`UPDATE canonical_records SET person_id = $2, record = jsonb_set(record, '{subjectPersonId}', to_jsonb($2::text)) WHERE source_id = $1`, [sourceId, to]);
}

/** The person a (possibly merged) person id now resolves to. */
export async function currentPersonId(q: Queryable, id: string): Promise<string | null> {
  const rows = await q.query<{ id: string; merged_into: string | null }>('SELECT id, merged_into FROM persons WHERE id = $1', [id]);
  const row = rows[0];
  return row ? (row.merged_into ?? row.id) : null;
}

export async function personExists(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM persons WHERE id = $1', [id])).length > 0;
}

/** Replaces a person's stored record (after its sources changed). */
export async function writePerson(q: Queryable, person: Person): Promise<void> {
  await q.query(
    `INSERT INTO persons (id, record) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, merged_into = NULL, updated_at = now()`,
    [person.id, JSON.stringify(person)],
  );
}

/**
 * How many people the index holds (not merged away), for the index-size prior: the
 * planner's estimate once the table is large (counting a million rows for every incoming
 * person would cost more than the match), an exact count while it is small.
 */
export async function peopleInIndex(q: Queryable): Promise<number> {
  const [est] = await q.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'persons'::regclass");
  if (est && est.n >= 10_000) return Math.round(est.n);
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM persons WHERE merged_into IS NULL');
  return row?.n ?? 0;
}

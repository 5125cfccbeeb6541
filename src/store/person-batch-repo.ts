/**
 * The person index read and written for many incoming people at once (a group commit of
 * ingested messages, services/ingest-batch.ts): a few statements a batch instead of a
 * dozen a person.
 */
import type { Identifier, Person } from '../model/person.js';
import type { Queryable } from './db.js';
import type { PersonSource, SourceRow } from './person-index-repo.js';
import { SOURCE_COLUMNS, toSource } from './person-index-repo.js';

/** One incoming person's lookups: its identifiers and blocking keys. */
export interface PersonLookup {
  identifiers: readonly Identifier[];
  keys: readonly string[];
}

/**
 * For each incoming person, in one statement: the source records holding any of its
 * identifiers, and the candidate source records sharing a blocking key (at most `limit`,
 * those holding another value of one of its identifier systems left out first), exactly as
 * sourcesByIdentifiers and candidateSources find them one person at a time; and which of
 * the given person and source ids are taken already.
 */
export async function lookUpPeople(
  q: Queryable,
  people: readonly PersonLookup[],
  limit: number,
  ids: { persons: readonly string[]; sources: readonly string[] },
): Promise<{ found: { bySource: PersonSource[]; candidates: PersonSource[] }[]; taken: Set<string> }> {
  const found = people.map(() => ({ bySource: [] as PersonSource[], candidates: [] as PersonSource[] }));
  const taken = new Set<string>();
  if (people.length === 0) return { found, taken };
  const input = people.map((p, idx) => ({ idx, keys: p.keys, systems: p.identifiers.map((i) => i.system), vals: p.identifiers.map((i) => i.value) }));
  const rows = await q.query<SourceRow & { idx: number; hit: boolean | null }>(
    `SELECT p.idx, true AS hit, ${SOURCE_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS p(idx int, keys text[], systems text[], vals text[])
       JOIN LATERAL (SELECT DISTINCT i.source_id FROM unnest(p.systems, p.vals) AS t(sys, val)
                       JOIN person_source_identifiers i ON i.system = t.sys AND i.value = t.val) h ON true
       JOIN person_sources s ON s.id = h.source_id
     UNION ALL
     SELECT p.idx, false AS hit, ${SOURCE_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS p(idx int, keys text[], systems text[], vals text[])
       JOIN LATERAL (
         SELECT DISTINCT c.source_id FROM (
           SELECT k.source_id FROM person_blocking_keys k
            WHERE k.key = ANY(p.keys)
              AND (SELECT count(*) FROM person_source_identifiers i
                    WHERE i.source_id = k.source_id AND i.system = ANY(p.systems)
                      AND (i.system, i.value) NOT IN (SELECT * FROM unnest(p.systems, p.vals))) = 0
            LIMIT $2) c) c ON true
       JOIN person_sources s ON s.id = c.source_id
     UNION ALL
     SELECT -1, NULL, t.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
       FROM (SELECT id FROM persons WHERE id = ANY($3::text[]) UNION ALL SELECT id FROM person_sources WHERE id = ANY($4::text[])) t`,
    [JSON.stringify(input), limit, ids.persons, ids.sources],
    // A generic plan of this statement took 18 ms a batch of about 18 incoming people on
    // PGlite, against 5 ms planned for the batch in hand.
    { planEachTime: true },
  );
  for (const r of rows) {
    if (r.hit === null) taken.add(r.id);
    else (r.hit ? found[r.idx]!.bySource : found[r.idx]!.candidates).push(toSource(r));
  }
  return { found, taken };
}

/** A person known to the index, with everything the resolve stage reads of it. */
export interface KnownPerson {
  record: Person;
  /** Its source records, oldest change first (as sourcesOfPerson gives them). */
  sources: PersonSource[];
  /** The household it is a member of, if any. */
  householdId: string | null;
}

/** These people's records, source records and households, in one statement. */
export async function knownPeople(q: Queryable, ids: readonly string[]): Promise<Map<string, KnownPerson>> {
  const out = new Map<string, KnownPerson>();
  if (ids.length === 0) return out;
  const rows = await q.query<{ id: string; record: Person; sources: SourceRow[] | null; household_id: string | null }>(
    `SELECT p.id, p.record,
            (SELECT json_agg(json_build_object('id', s.id, 'owner', s.owner, 'person_id', s.person_id, 'record', s.record, 'link', s.link, 'probability', s.probability,
                                               'updated_at', s.updated_at, 'pseudonym', s.pseudonym, 'sealed', s.sealed) ORDER BY s.updated_at, s.id)
               FROM person_sources s WHERE s.person_id = p.id) AS sources,
            (SELECT m.household_id FROM household_members m WHERE m.person_id = p.id LIMIT 1) AS household_id
       FROM persons p WHERE p.id = ANY($1::text[])`,
    [ids],
  );
  for (const r of rows) out.set(r.id, { record: r.record, sources: (r.sources ?? []).map(toSource), householdId: r.household_id });
  return out;
}

/**
 * A person and one source record of theirs as the resolve stage writes them: a new person
 * with its first source, or a known person rebuilt after one of its sources changed.
 */
export interface PersonRows {
  /** A known person: its source's old identifiers and keys and its old household membership are replaced. */
  known: boolean;
  person: { id: string; record: unknown; identifiers: readonly Identifier[] };
  source: { id: string; owner: string; record: { identifiers: readonly Identifier[] }; link: string; probability: number | null; pseudonym: unknown; sealed: unknown };
  keys: readonly string[];
  household: { id: string; key: string; basis: string } | null;
}

/**
 * Writes people and their source records, as saveSource, upsertPerson and assignHousehold
 * do one at a time, in one statement for all of them. For a known person, what its source
 * and household membership held before and no longer hold is removed, and only what is new
 * is added (the parts of one statement must not touch the same row). The caller has checked
 * that no person, source or identifier appears twice among them.
 */
export async function writePeople(q: Queryable, rows: readonly PersonRows[]): Promise<void> {
  if (rows.length === 0) return;
  const known = rows.filter((r) => r.known);
  const ids = rows.flatMap((r) => r.person.identifiers.map((i) => ({ s: i.system, v: i.value, p: r.person.id, st: i.verificationStatus ?? null })));
  const sids = rows.flatMap((r) => [...new Map(r.source.record.identifiers.map((i) => [`${i.system}|${i.value}`, { s: i.system, v: i.value, src: r.source.id }])).values()]);
  const keys = rows.flatMap((r) => [...new Set(r.keys)].map((k) => ({ k, src: r.source.id })));
  const households = [...new Map(rows.flatMap((r) => (r.household ? [[r.household.key, r.household] as const] : []))).values()];
  const members = rows.flatMap((r) => (r.household ? [{ h: r.household.id, p: r.person.id }] : []));
  // A known person's relationships follow it to its household (none for a new person).
  const relationships = known.map((r) => ({ p: r.person.id, h: r.household?.id ?? null }));
  await q.query(
    `WITH p AS (
       INSERT INTO persons (id, record) SELECT id, record FROM jsonb_to_recordset($1::jsonb) AS t(id text, record jsonb)
       ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()),
     pi AS (
       INSERT INTO person_identifiers (system, value, person_id, verification_status) SELECT s, v, p, st FROM jsonb_to_recordset($2::jsonb) AS t(s text, v text, p text, st text)
       ON CONFLICT (system, value) DO UPDATE SET verification_status = EXCLUDED.verification_status),
     s AS (
       INSERT INTO person_sources (id, owner, person_id, record, link, probability, pseudonym, sealed, updated_at)
       SELECT id, owner, person_id, record, link, probability, pseudonym, sealed, clock_timestamp()
         FROM jsonb_to_recordset($3::jsonb) AS t(id text, owner text, person_id text, record jsonb, link text, probability float8, pseudonym jsonb, sealed jsonb)
       ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, record = EXCLUDED.record, link = EXCLUDED.link,
         probability = EXCLUDED.probability, pseudonym = EXCLUDED.pseudonym, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at),
     si AS (
       INSERT INTO person_source_identifiers (system, value, source_id) SELECT s, v, src FROM jsonb_to_recordset($4::jsonb) AS t(s text, v text, src text)
       ON CONFLICT DO NOTHING),
     si_old AS (
       DELETE FROM person_source_identifiers o WHERE o.source_id = ANY($9::text[])
          AND (o.system, o.value, o.source_id) NOT IN (SELECT s, v, src FROM jsonb_to_recordset($4::jsonb) AS t(s text, v text, src text))),
     k AS (
       INSERT INTO person_blocking_keys (key, source_id) SELECT k, src FROM jsonb_to_recordset($5::jsonb) AS t(k text, src text)
       ON CONFLICT DO NOTHING),
     k_old AS (
       DELETE FROM person_blocking_keys o WHERE o.source_id = ANY($9::text[])
          AND (o.key, o.source_id) NOT IN (SELECT k, src FROM jsonb_to_recordset($5::jsonb) AS t(k text, src text))),
     m_old AS (
       -- person_id = ANY($10) as well: the planner takes a JSON document for 100 rows, and
       -- joined household_members by a full scan and a hash (2.6 ms of 6.7 at 3,280 members,
       -- growing with them); an array of known people is looked up by its index.
       DELETE FROM household_members m USING jsonb_to_recordset($8::jsonb) AS t(p text, h text)
        WHERE m.person_id = ANY($10::text[]) AND m.person_id = t.p AND (t.h IS NULL OR m.household_id <> t.h)),
     h AS (
       INSERT INTO households (id, key, basis) SELECT id, key, basis FROM jsonb_to_recordset($6::jsonb) AS t(id text, key text, basis text)
       ON CONFLICT (key) DO NOTHING),
     r AS (
       UPDATE canonical_records c SET household_id = t.h FROM jsonb_to_recordset($8::jsonb) AS t(p text, h text)
        WHERE c.person_id = t.p AND c.type = 'Relationship' AND c.household_id IS DISTINCT FROM t.h)
     INSERT INTO household_members (household_id, person_id) SELECT h, p FROM jsonb_to_recordset($7::jsonb) AS t(h text, p text) ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(rows.map((r) => ({ id: r.person.id, record: r.person.record }))),
      JSON.stringify(ids),
      JSON.stringify(rows.map((r) => ({ id: r.source.id, owner: r.source.owner, person_id: r.person.id, record: r.source.record, link: r.source.link, probability: r.source.probability, pseudonym: r.source.pseudonym ?? null, sealed: r.source.sealed ?? null }))),
      JSON.stringify(sids),
      JSON.stringify(keys),
      JSON.stringify(households),
      JSON.stringify(members),
      JSON.stringify(relationships),
      known.map((r) => r.source.id),
      known.map((r) => r.person.id),
    ],
  );
}

/**
 * Set-at-a-time reads and writes of the person index and plans, for bulk uploads: each
 * function does for many rows, in one statement per table, what the one-row functions
 * of people-repo, person-index-repo, households-repo and plans-repo do for one. The rows
 * given must be distinct by key (the caller keeps the last write of each); the SQL is the
 * same as the one-row functions', so a bulk upload leaves the rows they would.
 */
import type { HouseholdKey } from '../matching/household.js';
import { deterministicId } from '../model/ids.js';
import type { Person } from '../model/person.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import type { Queryable } from './db.js';
import type { PersonSource, SourceRow as StoredSourceRow } from './person-index-repo.js';
import { SOURCE_COLUMNS as COLUMNS, toSource } from './person-index-repo.js';

/** A source record as read, and whether this transaction already wrote it (its updated_at is now()). */
export interface LoadedSource {
  source: PersonSource;
  touched: boolean;
}

/** A source row, and whether this transaction already wrote it. */
type SourceRow = StoredSourceRow & { touched: boolean };

const toLoaded = (r: SourceRow): LoadedSource => ({ source: toSource(r), touched: r.touched });

const SOURCE_COLUMNS = `${COLUMNS}, s.updated_at = now() AS touched`;

/** The ids of the source records holding each of these values of one identifier system. */
export async function sourceIdsByValues(q: Queryable, system: string, values: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (values.length === 0) return out;
  const rows = await q.query<{ value: string; source_id: string }>('SELECT value, source_id FROM person_source_identifiers WHERE system = $1 AND value = ANY($2::text[])', [system, values]);
  for (const r of rows) out.set(r.value, [...(out.get(r.value) ?? []), r.source_id]);
  return out;
}

/** Every source record of these people, each person's oldest change first (as sourcesOfPerson orders them). */
export async function sourcesOfPeople(q: Queryable, personIds: readonly string[]): Promise<Map<string, LoadedSource[]>> {
  const out = new Map<string, LoadedSource[]>();
  if (personIds.length === 0) return out;
  const rows = await q.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM person_sources s WHERE s.person_id = ANY($1::text[]) ORDER BY s.person_id, s.updated_at, s.id`, [personIds]);
  for (const r of rows) out.set(r.person_id, [...(out.get(r.person_id) ?? []), toLoaded(r)]);
  return out;
}

/** The source records with these ids. */
export async function sourcesByIds(q: Queryable, ids: readonly string[]): Promise<LoadedSource[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM person_sources s WHERE s.id = ANY($1::text[])`, [ids]);
  return rows.map(toLoaded);
}

/** People by id (persons rows that exist, including ones merged into another). */
export async function peopleByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, Person>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; record: Person }>('SELECT id, record FROM persons WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.record]));
}

/** For each value of one identifier system that the index holds: the person it points at (person_identifiers). */
export async function identifierOwners(q: Queryable, system: string, values: readonly string[]): Promise<Map<string, string>> {
  if (values.length === 0) return new Map();
  const rows = await q.query<{ value: string; person_id: string }>('SELECT value, person_id FROM person_identifiers WHERE system = $1 AND value = ANY($2::text[])', [system, values]);
  return new Map(rows.map((r) => [r.value, r.person_id]));
}

/** upsertPerson(q, person, null) for each person. */
export async function writePeople(q: Queryable, people: readonly Person[]): Promise<void> {
  if (people.length === 0) return;
  // The records go as one JSON array: PostgreSQL parses it once, where an array of JSON
  // texts is quoted, unquoted and parsed element by element.
  await q.query(
    `INSERT INTO persons (id, record) SELECT r->>'id', r FROM jsonb_array_elements($1::jsonb) AS r
     ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()`,
    [JSON.stringify(people)],
  );
  // The last person to hold an identifier sets its status, as one upsertPerson after another would.
  const ids = new Map<string, { system: string; value: string; personId: string; status: string | null }>();
  for (const p of people) for (const i of p.identifiers) ids.set(`${i.system}|${i.value}`, { system: i.system, value: i.value, personId: p.id, status: i.verificationStatus ?? null });
  const rows = [...ids.values()];
  await q.query(
    `INSERT INTO person_identifiers (system, value, person_id, verification_status)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (system, value) DO UPDATE SET verification_status = EXCLUDED.verification_status`,
    [rows.map((r) => r.system), rows.map((r) => r.value), rows.map((r) => r.personId), rows.map((r) => r.status)],
  );
}

/** saveSource(q, source, keys) for each source. */
export async function writeSources(q: Queryable, sources: readonly { source: Omit<PersonSource, 'updatedAt'>; keys: readonly string[] }[]): Promise<void> {
  if (sources.length === 0) return;
  const s = sources.map((x) => x.source);
  // One JSON array (see writePeople); an absent pseudonym or seal is an absent key, so SQL NULL.
  const rows = s.map((x) => ({ id: x.id, owner: x.owner, personId: x.personId, record: x.record, link: x.link, probability: x.probability, pseudonym: x.pseudonym, sealed: x.sealed }));
  await q.query(
    `INSERT INTO person_sources (id, owner, person_id, record, link, probability, pseudonym, sealed)
     SELECT x->>'id', x->>'owner', x->>'personId', x->'record', x->>'link', (x->>'probability')::float8, x->'pseudonym', x->'sealed'
     FROM jsonb_array_elements($1::jsonb) AS x
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, record = EXCLUDED.record, link = EXCLUDED.link,
       probability = EXCLUDED.probability, pseudonym = EXCLUDED.pseudonym, sealed = EXCLUDED.sealed, updated_at = now()`,
    [JSON.stringify(rows)],
  );
  const ids = s.map((x) => x.id);
  await q.query('DELETE FROM person_source_identifiers WHERE source_id = ANY($1::text[])', [ids]);
  const idents = s.flatMap((x) => x.record.identifiers.map((i) => [i.system, i.value, x.id] as const));
  await q.query(
    `INSERT INTO person_source_identifiers (system, value, source_id)
     SELECT DISTINCT sys, val, src FROM unnest($1::text[], $2::text[], $3::text[]) AS t(sys, val, src)`,
    [idents.map((i) => i[0]), idents.map((i) => i[1]), idents.map((i) => i[2])],
  );
  await q.query('DELETE FROM person_blocking_keys WHERE source_id = ANY($1::text[])', [ids]);
  const keys = sources.flatMap((x) => x.keys.map((k) => [k, x.source.id] as const));
  if (keys.length > 0) {
    await q.query('INSERT INTO person_blocking_keys (key, source_id) SELECT DISTINCT k, src FROM unnest($1::text[], $2::text[]) AS t(k, src)', [keys.map((k) => k[0]), keys.map((k) => k[1])]);
  }
}

/** assignHousehold(q, personId, key) for each person. */
export async function writeHouseholds(q: Queryable, assignments: readonly { personId: string; key: HouseholdKey | null }[]): Promise<void> {
  const none = assignments.filter((a) => a.key === null).map((a) => a.personId);
  if (none.length > 0) {
    await q.query('DELETE FROM household_members WHERE person_id = ANY($1::text[])', [none]);
    await q.query(`UPDATE canonical_records SET household_id = NULL WHERE person_id = ANY($1::text[]) AND type = 'Relationship' AND household_id IS NOT NULL`, [none]);
  }
  const keyed = assignments.filter((a): a is { personId: string; key: HouseholdKey } => a.key !== null).map((a) => ({ personId: a.personId, id: deterministicId('Household', a.key.key), key: a.key }));
  if (keyed.length === 0) return;
  const people = keyed.map((k) => k.personId);
  const households = keyed.map((k) => k.id);
  await q.query('INSERT INTO households (id, key, basis) SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (key) DO NOTHING', [households, keyed.map((k) => k.key.key), keyed.map((k) => k.key.basis)]);
  await q.query('DELETE FROM household_members m USING unnest($1::text[], $2::text[]) AS t(p, h) WHERE m.person_id = t.p AND m.household_id <> t.h', [people, households]);
  await q.query('INSERT INTO household_members (household_id, person_id) SELECT h, p FROM unnest($1::text[], $2::text[]) AS t(p, h) ON CONFLICT DO NOTHING', [people, households]);
  await q.query(
    `UPDATE canonical_records c SET household_id = t.h FROM unnest($1::text[], $2::text[]) AS t(p, h)
     WHERE c.person_id = t.p AND c.type = 'Relationship' AND c.household_id IS DISTINCT FROM t.h`,
    [people, households],
  );
}

/** Plans by id. */
export async function plansByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, ProtectionPlan>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; record: ProtectionPlan }>('SELECT id, record FROM protection_plans WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.record]));
}

/** The write of upsertPlan for each plan (the caller has already decided that each one changed). */
export async function writePlans(q: Queryable, plans: readonly { plan: ProtectionPlan; sourceId: string | undefined }[]): Promise<void> {
  if (plans.length === 0) return;
  // One JSON array (see writePeople); the columns are the record's own fields, as upsertPlan writes them.
  await q.query(
    `INSERT INTO protection_plans (id, person_id, owner, kind, start_date, end_date, status, record, source_id)
     SELECT x->'plan'->>'id', x->'plan'->>'subjectPersonId', x->'plan'->>'owner', x->'plan'->>'kind', (x->'plan'->'period'->>'start')::date,
       (x->'plan'->'period'->>'end')::date, x->'plan'->>'status', x->'plan', x->>'sourceId'
     FROM jsonb_array_elements($1::jsonb) AS x
     ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, kind = EXCLUDED.kind, start_date = EXCLUDED.start_date,
       end_date = EXCLUDED.end_date, status = EXCLUDED.status, record = EXCLUDED.record,
       source_id = COALESCE(EXCLUDED.source_id, protection_plans.source_id), updated_at = now()`,
    [JSON.stringify(plans)],
  );
}

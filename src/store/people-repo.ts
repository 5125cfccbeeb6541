import type { Identifier, Person } from '../model/person.js';
import type { Queryable } from './db.js';

/** Finds the person an identifier (system + value) belongs to. */
export async function findPersonByIdentifier(q: Queryable, system: string, value: string): Promise<Person | null> {
  const rows = await q.query<{ record: Person }>(
    'SELECT p.record FROM person_identifiers i JOIN persons p ON p.id = i.person_id WHERE i.system = $1 AND i.value = $2',
    [system, value],
  );
  return rows[0]?.record ?? null;
}

/** Status 01 (verified) outranks any other; otherwise keep what we had. */
function mergeIdentifiers(existing: Identifier[], incoming: Identifier[]): Identifier[] {
  const out = existing.map((i) => ({ ...i }));
  for (const inc of incoming) {
    const same = out.find((i) => i.system === inc.system && i.value === inc.value);
    if (!same) out.push(inc);
    else if (inc.verificationStatus === '01' || same.verificationStatus === undefined) same.verificationStatus = inc.verificationStatus ?? same.verificationStatus;
  }
  return out;
}

/**
 * A person merged with a newer view of them: identifiers are added (a verified status is
 * never downgraded) and demographics sent this time replace older ones; the id, owner
 * and security label of the existing record stay.
 */
export function mergePersonRecords(existing: Person | null, incoming: Person): Person {
  if (!existing) return incoming;
  return {
    ...existing,
    identifiers: mergeIdentifiers(existing.identifiers, incoming.identifiers),
    names: incoming.names.length > 0 ? incoming.names : existing.names,
    addresses: incoming.addresses.length > 0 ? incoming.addresses : existing.addresses,
    birthDate: incoming.birthDate ?? existing.birthDate,
    expectedBirthDate: incoming.expectedBirthDate ?? existing.expectedBirthDate,
    sex: incoming.sex ?? existing.sex,
    deathDate: incoming.deathDate ?? existing.deathDate,
    ethnicCategory: incoming.ethnicCategory ?? existing.ethnicCategory,
    provenance: incoming.provenance,
  };
}

/** Inserts a person, or merges into the existing one (see mergePersonRecords). */
export async function upsertPerson(q: Queryable, incoming: Person, existing: Person | null): Promise<{ person: Person; created: boolean }> {
  const person = mergePersonRecords(existing, incoming);
  await q.query(
    `INSERT INTO persons (id, record) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()`,
    [person.id, JSON.stringify(person)],
  );
  await q.query(
    `INSERT INTO person_identifiers (system, value, person_id, verification_status)
     SELECT s, v, $3, st FROM unnest($1::text[], $2::text[], $4::text[]) AS t(s, v, st)
     ON CONFLICT (system, value) DO UPDATE SET verification_status = EXCLUDED.verification_status`,
    [person.identifiers.map((i) => i.system), person.identifiers.map((i) => i.value), person.id, person.identifiers.map((i) => i.verificationStatus ?? null)],
  );
  return { person, created: existing === null };
}

/** A person by their index id. */
export async function getPersonById(q: Queryable, id: string): Promise<Person | null> {
  const rows = await q.query<{ record: Person }>('SELECT record FROM persons WHERE id = $1', [id]);
  return rows[0]?.record ?? null;
}

/** The people any of these identifiers belong to (one query, however many identifiers). */
export async function findPeopleByIdentifiers(q: Queryable, identifiers: readonly Identifier[]): Promise<Person[]> {
  if (identifiers.length === 0) return [];
  const rows = await q.query<{ record: Person }>(
    `SELECT DISTINCT ON (p.id) p.record FROM person_identifiers i JOIN persons p ON p.id = i.person_id
     WHERE (i.system, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [identifiers.map((i) => i.system), identifiers.map((i) => i.value)],
  );
  return rows.map((r) => r.record);
}

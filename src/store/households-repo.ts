import type { HouseholdKey } from '../matching/household.js';
import { deterministicId } from '../model/ids.js';
import type { Queryable } from './db.js';

export interface Household {
  id: string;
  basis: 'uprn' | 'address';
  members: string[];
}

/** Puts a person in the household of `key` (and no other), or in none, with the relationships held about them. Returns the household id. */
export async function assignHousehold(q: Queryable, personId: string, key: HouseholdKey | null): Promise<string | null> {
  if (key === null) {
    await q.query('DELETE FROM household_members WHERE person_id = $1', [personId]);
    await q.query(`UPDATE canonical_records SET household_id = NULL WHERE person_id = $1 AND type = 'Relationship' AND household_id IS NOT NULL`, [personId]);
    return null;
  }
  const id = deterministicId('Household', key.key);
  await q.query('INSERT INTO households (id, key, basis) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [id, key.key, key.basis]);
  await q.query('DELETE FROM household_members WHERE person_id = $1 AND household_id <> $2', [personId, id]);
  await q.query('INSERT INTO household_members (household_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, personId]);
  await q.query(`UPDATE canonical_records SET household_id = $2 WHERE person_id = $1 AND type = 'Relationship' AND household_id IS DISTINCT FROM $2`, [personId, id]);
  return id;
}

/** The household a person lives in, with its members (person ids), or null. */
export async function householdOf(q: Queryable, personId: string): Promise<Household | null> {
  const rows = await q.query<{ id: string; basis: Household['basis']; members: string[] }>(
    `SELECT h.id, h.basis, array(SELECT m2.person_id FROM household_members m2 WHERE m2.household_id = h.id ORDER BY m2.person_id) AS members
     FROM household_members m JOIN households h ON h.id = m.household_id WHERE m.person_id = $1 LIMIT 1`,
    [personId],
  );
  return rows[0] ?? null;
}

/**
 * Blocking: the keys under which a record is filed so that only records sharing a key
 * are ever compared. Candidate pairs are the OR of the rules (a pair is a candidate when
 * the two records share any key). The same keys serve the batch linker, the in-memory
 * index and the person index in the database, so what one finds the others find.
 *
 * Each key is '<rule>|<values>'; a rule whose fields a record lacks gives no key.
 */
import { metaphoneCodes } from './comparisons.js';
import type { MatchRecord } from './types.js';

export interface BlockingRule {
  name: string;
  key: (r: MatchRecord) => string | undefined;
}

const year = (r: MatchRecord) => r.birthDate?.slice(0, 4);
const given = (r: MatchRecord) => r.givenNames[0] || undefined;
/** Primary Double Metaphone code ('' for a name with no letters). */
const sound = (s: string | undefined) => (s === undefined ? undefined : metaphoneCodes(s)[0]);

function join(name: string, ...parts: (string | undefined)[]): string | undefined {
  for (const p of parts) if (p === undefined || p === '') return undefined;
  return `${name}|${parts.join('|')}`;
}

/** The gateway's blocking rules, cheapest and most selective first. */
export const BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'dob', key: (r) => join('dob', r.birthDate) },
  { name: 'family-year', key: (r) => join('fy', r.family, year(r)) },
  { name: 'names', key: (r) => join('nm', given(r), r.family) },
  // forename and surname swapped land on the same key
  { name: 'names-any-order', key: (r) => (given(r) && r.family ? join('nx', ...[given(r)!, r.family].sort()) : undefined) },
  { name: 'postcode-year', key: (r) => join('py', r.postcode, year(r)) },
  { name: 'given-postcode', key: (r) => join('gp', given(r), r.postcode) },
  { name: 'family-postcode', key: (r) => join('fp', r.family, r.postcode) },
  { name: 'initials-year', key: (r) => join('iy', given(r)?.[0], r.family?.[0], year(r)) },
  // Added for the batch benchmarks (FEBRL4 pair completeness 0.9852 → 0.9974 without the
  // identifier): a postcode unit alone (a few households), a name with the first three
  // letters of the other (typos late in a name), both names by sound, and the identifier.
  { name: 'postcode', key: (r) => join('pc', r.postcode) },
  { name: 'given-family3', key: (r) => join('g3', given(r), r.family?.slice(0, 3)) },
  { name: 'family-given3', key: (r) => join('f3', r.family, given(r)?.slice(0, 3)) },
  { name: 'names-sound', key: (r) => join('ns', sound(given(r)), sound(r.family)) },
  { name: 'identifier', key: (r) => join('id', r.identifier) },
];

/** Every blocking key of a record, without duplicates, in rule order. */
export function blockingKeys(r: MatchRecord, rules: readonly BlockingRule[] = BLOCKING_RULES): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    const k = rule.key(r);
    if (k !== undefined && !out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The matcher's comparisons (Splink-style levels, best evidence first, the last 'else')
 * and the function that turns a pair of records into a comparison vector. Everything a
 * record contributes (metaphone codes, name tokens, date parts, postcode sector and
 * district, the address token set) is computed once by `prepare`, so `comparePrepared`
 * only compares: no allocation except the result and talisman's Jaro-Winkler work, and
 * the string metrics only run when the cheaper levels above them failed.
 */
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';
import { nicknameTable, sharesGroup } from './nicknames.js';
import type { ComparisonDef, MatchRecord } from './types.js';

export const COMPARISONS: ComparisonDef[] = [
  {
    name: 'givenName',
    levels: ['exact', 'nickname or name token', 'jaro-winkler >= 0.92', 'jaro-winkler >= 0.88', 'double metaphone', 'jaro-winkler >= 0.70', 'else'],
  },
  {
    name: 'surname',
    levels: ['exact', 'given and family swapped', 'name token', 'jaro-winkler >= 0.92', 'double metaphone', 'jaro-winkler >= 0.88', 'else'],
  },
  { name: 'birthDate', levels: ['exact', 'day and month swapped', 'damerau-levenshtein <= 1', 'within a year', 'else'] },
  { name: 'sex', levels: ['exact', 'else'] },
  { name: 'postcode', levels: ['unit', 'sector', 'district', 'else'] },
  { name: 'address', levels: ['jaccard >= 0.8', 'jaccard >= 0.5', 'any token shared', 'else'] },
];

/** Index of each comparison in COMPARISONS and in a comparison vector. */
export const GIVEN = 0;
export const SURNAME = 1;
export const BIRTH_DATE = 2;
export const SEX = 3;
export const POSTCODE = 4;
export const ADDRESS = 5;

/**
 * Given-name levels that mean "the same first name" (exact, nickname or name token,
 * Jaro-Winkler ≥ 0.92): a given-name level at or above this index is a different first name.
 */
export const SAME_FIRST_NAME_LEVELS = 3;

/** The optional identifier comparison (an NHS number column; FEBRL's soc_sec_id in the benchmarks). */
export const IDENTIFIER_COMPARISON: ComparisonDef = { name: 'identifier', levels: ['exact', 'one edit', 'else'] };

export { areNicknames } from './nicknames.js';

/** A MatchRecord with what the comparisons need computed once. Fields are null where the record lacks the value. */
export interface PreparedRecord {
  readonly record: MatchRecord;
  /** First given name. */
  readonly given: string | null;
  /** The first given name's parts when it is hyphenated or double-barrelled ('MARY-JANE' → MARY, JANE), else empty. */
  readonly givenTokens: readonly string[];
  /** Nickname group ids of the first given name (see nicknames.ts); empty when it is not in the list. */
  readonly givenGroups: Int32Array;
  readonly givenDm: readonly [string, string] | null;
  readonly family: string | null;
  /** The surname's parts when it is hyphenated or double-barrelled ('SMITH-JONES' → SMITH, JONES), else empty. */
  readonly familyTokens: readonly string[];
  readonly familyDm: readonly [string, string] | null;
  /** YYYYMMDD. */
  readonly dobDigits: string | null;
  /** year·10000 + month·100 + day; 0 when absent. */
  readonly dobNumber: number;
  readonly sex: 'male' | 'female' | null;
  readonly postcode: string | null;
  /** Outward code + first digit of the inward code ('LS1 1'), for a UK postcode only. */
  readonly postcodeSector: string | null;
  /** Outward code ('LS1'), for a UK postcode only. */
  readonly postcodeDistrict: string | null;
  readonly addressTokens: ReadonlySet<string>;
  readonly identifier: string | null;
}

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UK_STANDARD_POSTCODE_RE = /^([A-Z]{1,2}\d[A-Z\d]?) (\d)[A-Z]{2}$/;

/**
 * Double Metaphone codes, memoised: names repeat (a few thousand first names cover most
 * people), and talisman's encoder is the costliest step of preparing a record (~4 µs).
 * The memo is dropped when it reaches 200,000 names, so memory stays bounded.
 */
const DM_MEMO = new Map<string, readonly [string, string]>();
export function metaphoneCodes(name: string): readonly [string, string] {
  let codes = DM_MEMO.get(name);
  if (codes === undefined) {
    if (DM_MEMO.size >= 200_000) DM_MEMO.clear();
    codes = doubleMetaphone(name);
    DM_MEMO.set(name, codes);
  }
  return codes;
}

function metaphone(name: string): readonly [string, string] | null {
  const codes = metaphoneCodes(name);
  return codes[0] === '' && codes[1] === '' ? null : codes;
}

/** Computes, once per record, everything comparePrepared reads. */
export function prepare(record: MatchRecord): PreparedRecord {
  const given = record.givenNames[0] || null;
  const family = record.family || null;
  const dob = record.birthDate === undefined ? null : ISO_DATE_RE.exec(record.birthDate);
  const postcode = record.postcode || null;
  const uk = postcode === null ? null : UK_STANDARD_POSTCODE_RE.exec(postcode);
  const givenTokens = given === null ? [] : given.split(/[- ]+/).filter((t) => t !== '');
  // Middle names count as tokens too: 'JOHN PAUL' and 'PAUL' share a name token.
  for (const other of record.givenNames.slice(1)) if (other !== '') givenTokens.push(...other.split(/[- ]+/).filter((t) => t !== ''));
  const familyTokens = family === null ? [] : family.split(/[- ]+/).filter((t) => t !== '');
  return {
    record,
    given,
    givenTokens: givenTokens.length > 1 ? givenTokens : [],
    givenGroups: given === null ? EMPTY_GROUPS : nicknameTable().groupsOf(given),
    givenDm: given === null ? null : metaphone(given),
    family,
    familyTokens: familyTokens.length > 1 ? familyTokens : [],
    familyDm: family === null ? null : metaphone(family),
    dobDigits: dob ? `${dob[1]}${dob[2]}${dob[3]}` : null,
    dobNumber: dob ? Number(dob[1]) * 10000 + Number(dob[2]) * 100 + Number(dob[3]) : 0,
    sex: record.sex === 'male' || record.sex === 'female' ? record.sex : null,
    postcode,
    postcodeSector: uk ? `${uk[1]} ${uk[2]}` : null,
    postcodeDistrict: uk ? uk[1]! : null,
    addressTokens: new Set(record.addressTokens),
    identifier: record.identifier || null,
  };
}

const EMPTY_GROUPS = new Int32Array(0);

function metaphoneEqual(a: readonly [string, string] | null, b: readonly [string, string] | null): boolean {
  if (a === null || b === null) return false;
  return a[0] === b[0] || a[0] === b[1] || a[1] === b[0] || a[1] === b[1];
}

/** A token of one hyphenated/double-barrelled first name (or a middle name) is the other's whole first name. */
function nameTokenMatch(a: PreparedRecord, b: PreparedRecord): boolean {
  return a.givenTokens.includes(b.given!) || b.givenTokens.includes(a.given!);
}

/** A part of one double-barrelled surname is the other's whole surname (SMITH-JONES / JONES). */
function surnameTokenMatch(a: PreparedRecord, b: PreparedRecord): boolean {
  return a.familyTokens.includes(b.family!) || b.familyTokens.includes(a.family!);
}

function compareGiven(a: PreparedRecord, b: PreparedRecord): number {
  if (a.given === null || b.given === null) return -1;
  if (a.given === b.given) return 0;
  if (nameTokenMatch(a, b) || sharesGroup(a.givenGroups, b.givenGroups)) return 1;
  const jw = jaroWinkler(a.given, b.given);
  if (jw >= 0.92) return 2;
  if (jw >= 0.88) return 3;
  if (metaphoneEqual(a.givenDm, b.givenDm)) return 4;
  if (jw >= 0.7) return 5;
  return 6;
}

function compareSurname(a: PreparedRecord, b: PreparedRecord): number {
  if (a.family === null || b.family === null) return -1;
  if (a.family === b.family) return 0;
  if (a.family === b.given && b.family === a.given) return 1;
  if (surnameTokenMatch(a, b)) return 2;
  const jw = jaroWinkler(a.family, b.family);
  if (jw >= 0.92) return 3;
  if (metaphoneEqual(a.familyDm, b.familyDm)) return 4;
  if (jw >= 0.88) return 5;
  return 6;
}

function compareBirthDate(a: PreparedRecord, b: PreparedRecord): number {
  if (a.dobDigits === null || b.dobDigits === null) return -1;
  const x = a.dobNumber;
  const y = b.dobNumber;
  if (x === y) return 0;
  const xYear = Math.floor(x / 10000);
  if (xYear === Math.floor(y / 10000) && Math.floor(x / 100) % 100 === y % 100 && x % 100 === Math.floor(y / 100) % 100) return 1;
  if (damerauLevenshtein.limited(1, a.dobDigits, b.dobDigits) <= 1) return 2;
  // year·10000 + MMDD: within one calendar year either way exactly when the numbers differ by ≤ 10000.
  if (Math.abs(x - y) <= 10000) return 3;
  return 4;
}

function compareSex(a: PreparedRecord, b: PreparedRecord): number {
  if (a.sex === null || b.sex === null) return -1;
  return a.sex === b.sex ? 0 : 1;
}

function comparePostcode(a: PreparedRecord, b: PreparedRecord): number {
  if (a.postcode === null || b.postcode === null) return -1;
  if (a.postcode === b.postcode) return 0;
  if (a.postcodeSector !== null && a.postcodeSector === b.postcodeSector) return 1;
  if (a.postcodeDistrict !== null && a.postcodeDistrict === b.postcodeDistrict) return 2;
  return 3;
}

function compareAddress(a: PreparedRecord, b: PreparedRecord): number {
  const sa = a.addressTokens;
  const sb = b.addressTokens;
  if (sa.size === 0 || sb.size === 0) return -1;
  const small = sa.size <= sb.size ? sa : sb;
  const large = small === sa ? sb : sa;
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  if (shared === 0) return 3;
  const jaccard = shared / (sa.size + sb.size - shared);
  if (jaccard >= 0.8) return 0;
  if (jaccard >= 0.5) return 1;
  return 2;
}

function compareIdentifier(a: PreparedRecord, b: PreparedRecord): number {
  if (a.identifier === null || b.identifier === null) return -1;
  if (a.identifier === b.identifier) return 0;
  return damerauLevenshtein.limited(1, a.identifier, b.identifier) <= 1 ? 1 : 2;
}

/** Compares one field of two prepared records: a level index of its comparison, or -1 for null. */
export type CompareField = (a: PreparedRecord, b: PreparedRecord) => number;

/** Every comparison the matcher knows, by name: the gateway's six and the optional identifier. */
export const COMPARISON_LIBRARY: Readonly<Record<string, { def: ComparisonDef; compare: CompareField }>> = {
  givenName: { def: COMPARISONS[GIVEN]!, compare: compareGiven },
  surname: { def: COMPARISONS[SURNAME]!, compare: compareSurname },
  birthDate: { def: COMPARISONS[BIRTH_DATE]!, compare: compareBirthDate },
  sex: { def: COMPARISONS[SEX]!, compare: compareSex },
  postcode: { def: COMPARISONS[POSTCODE]!, compare: comparePostcode },
  address: { def: COMPARISONS[ADDRESS]!, compare: compareAddress },
  identifier: { def: IDENTIFIER_COMPARISON, compare: compareIdentifier },
};

/** A set of comparisons, in order, and the function that fills a comparison vector for them. */
export interface Comparator {
  readonly defs: ComparisonDef[];
  readonly names: readonly string[];
  /** Fills `out` (length ≥ defs.length) with the levels of a pair and returns it. */
  compare<V extends number[] | Int8Array>(a: PreparedRecord, b: PreparedRecord, out: V): V;
}

/**
 * The comparator for comparisons named in order, e.g. a model's
 * `model.comparisons.map((c) => c.name)`. The gateway's six in their order use the
 * hand-inlined comparePrepared; other sets (the six plus 'identifier') loop over the
 * library's functions. An unknown name throws a RangeError naming it and the known ones.
 */
export function comparatorFor(names: readonly string[]): Comparator {
  const entries = names.map((n) => {
    const e = COMPARISON_LIBRARY[n];
    if (e === undefined) throw new RangeError(`unknown comparison '${n}'; the matcher knows ${Object.keys(COMPARISON_LIBRARY).join(', ')}`);
    return e;
  });
  const defs = entries.map((e) => e.def);
  if (names.join(',') === COMPARISONS.map((c) => c.name).join(',')) {
    return { defs, names: [...names], compare: (a, b, out) => comparePrepared(a, b, out) };
  }
  const fns = entries.map((e) => e.compare);
  const n = fns.length;
  return {
    defs,
    names: [...names],
    compare<V extends number[] | Int8Array>(a: PreparedRecord, b: PreparedRecord, out: V): V {
      for (let i = 0; i < n; i++) out[i] = fns[i]!(a, b);
      return out;
    },
  };
}

/**
 * The comparison vector of two prepared records: one level index per comparison, in
 * COMPARISONS order, -1 where either side lacks the field. Pass `out` (length ≥
 * COMPARISONS.length) to reuse a buffer in a hot loop; otherwise a new array is returned.
 */
export function comparePrepared(a: PreparedRecord, b: PreparedRecord): number[];
export function comparePrepared<V extends number[] | Int8Array>(a: PreparedRecord, b: PreparedRecord, out: V): V;
export function comparePrepared(a: PreparedRecord, b: PreparedRecord, out: number[] | Int8Array = new Array<number>(COMPARISONS.length)): number[] | Int8Array {
  out[GIVEN] = compareGiven(a, b);
  out[SURNAME] = compareSurname(a, b);
  out[BIRTH_DATE] = compareBirthDate(a, b);
  out[SEX] = compareSex(a, b);
  out[POSTCODE] = comparePostcode(a, b);
  out[ADDRESS] = compareAddress(a, b);
  return out;
}

/** The comparison vector of two records (prepares both; in a loop, prepare each record once and call comparePrepared). */
export function compareRecords(a: MatchRecord, b: MatchRecord): number[] {
  return comparePrepared(prepare(a), prepare(b));
}

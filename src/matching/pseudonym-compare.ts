/**
 * Matching in pseudonymised mode: comparison levels on the Dice coefficient of each
 * field's Bloom filter (bands, best first), equality of identifier pseudonyms, and
 * blocking on equal blocking pseudonyms. The vectors feed the same Fellegi–Sunter
 * machinery as clear text (estimateU, estimateM, buildModel, compileScorer): only the
 * comparison definitions differ. Nothing here sees or needs clear text.
 */
import { andPopcount, popcount } from './pseudonym-bits.js';
import type { ClkField, Hardening, PseudonymRecord } from './pseudonym.js';
import { CLK_FIELDS } from './pseudonym.js';
import type { ComparisonDef } from './types.js';

/** Dice thresholds per field, highest first; a pair is at the first band it reaches, else at 'else'. */
export type DiceBands = Record<ClkField, readonly number[]>;

/**
 * Default bands. Balancing turns a filter's Dice into 1 − (differing bits)/(bits), so two
 * unrelated balanced filters still score about 0.6–0.75 and the bands sit higher than for
 * unbalanced filters. Chosen from the Dice distributions of FEBRL4's true pairs and of
 * random pairs (bench/matching-pseudonymised.ts); the model learns each band's weight. The top band of each field is in practice 'the same value'.
 */
export function defaultDiceBands(hardening: Hardening): DiceBands {
  if (hardening === 'balance' || hardening === 'xor-fold+balance') {
    return {
      givenName: [0.995, 0.86, 0.8, 0.75],
      surname: [0.995, 0.86, 0.8, 0.75],
      birthDate: [0.995, 0.84, 0.75],
      postcode: [0.995, 0.86, 0.75, 0.7],
      address: [0.95, 0.88, 0.8, 0.7],
    };
  }
  return {
    givenName: [0.995, 0.75, 0.6, 0.45, 0.35],
    surname: [0.995, 0.75, 0.6, 0.45, 0.35],
    birthDate: [0.995, 0.7, 0.5],
    postcode: [0.995, 0.7, 0.55, 0.45],
    address: [0.9, 0.8, 0.65, 0.55],
  };
}

export interface PreparedPseudonym {
  readonly record: PseudonymRecord;
  /** Filters in CLK_FIELDS order; null where the record lacks the field. */
  readonly clk: readonly (Uint32Array | null)[];
  readonly pop: Int32Array;
  readonly sex: 'male' | 'female' | null;
}

export function preparePseudonym(record: PseudonymRecord): PreparedPseudonym {
  const clk = CLK_FIELDS.map((f) => record.clk[f] ?? null);
  const pop = new Int32Array(clk.map((b) => (b ? popcount(b) : 0)));
  const sex = record.sex === 'male' || record.sex === 'female' ? record.sex : null;
  return { record, clk, pop, sex };
}

/** Dice of field index fa of a with field index fb of b, or −1 when either lacks it. */
function diceOf(a: PreparedPseudonym, fa: number, b: PreparedPseudonym, fb: number): number {
  const x = a.clk[fa];
  const y = b.clk[fb];
  if (!x || !y) return -1;
  if (x.length !== y.length) throw new RangeError(`filters of ${x.length * 32} and ${y.length * 32} bits: the records were encoded differently`);
  const total = a.pop[fa]! + b.pop[fb]!;
  return total === 0 ? 0 : (2 * andPopcount(x, y)) / total;
}

function band(d: number, thresholds: readonly number[]): number {
  if (d < 0) return -1;
  for (let k = 0; k < thresholds.length; k++) if (d >= thresholds[k]!) return k;
  return thresholds.length;
}

const GIVEN = CLK_FIELDS.indexOf('givenName');
const SURNAME = CLK_FIELDS.indexOf('surname');
const FIELD_INDEX = Object.fromEntries(CLK_FIELDS.map((f, i) => [f, i])) as Record<ClkField, number>;

export interface PseudonymComparator {
  /** In vector order: identifier, givenName, surname, birthDate, sex, postcode, address. */
  readonly comparisons: ComparisonDef[];
  readonly bands: DiceBands;
  /** The comparison vector of a pair; also counts the Dice coefficients computed (`diceCount`). */
  compare(a: PreparedPseudonym, b: PreparedPseudonym): number[];
  diceCount(): number;
}

/**
 * The comparisons of pseudonymised mode over the given Dice bands. The surname has one
 * extra level after its top band: forename and surname swapped (each side's forename
 * filter in the top given-name band against the other's surname filter, which the shared
 * name key makes comparable).
 */
export function pseudonymComparator(bands: DiceBands): PseudonymComparator {
  const labels = (t: readonly number[]) => [...t.map((x) => `dice >= ${x}`), 'else'];
  const sl = labels(bands.surname);
  const comparisons: ComparisonDef[] = [
    { name: 'identifier', levels: ['same pseudonym', 'else'] },
    { name: 'givenName', levels: labels(bands.givenName) },
    { name: 'surname', levels: [sl[0]!, 'forename and surname swapped', ...sl.slice(1)] },
    { name: 'birthDate', levels: labels(bands.birthDate) },
    { name: 'sex', levels: ['exact', 'else'] },
    { name: 'postcode', levels: labels(bands.postcode) },
    { name: 'address', levels: labels(bands.address) },
  ];
  const swapAt = bands.givenName[0]!;
  let count = 0;

  const identifierLevel = (a: PseudonymRecord, b: PseudonymRecord): number => {
    let shared = false;
    for (const x of a.identifiers) {
      for (const y of b.identifiers) {
        if (x.system !== y.system) continue;
        if (x.pseudonym === y.pseudonym) return 0;
        shared = true;
      }
    }
    return shared ? 1 : -1;
  };

  const compare = (a: PreparedPseudonym, b: PreparedPseudonym): number[] => {
    if (a.record.encoding !== b.record.encoding) throw new RangeError(`records ${a.record.id} and ${b.record.id} come from different encodings (${a.record.encoding}, ${b.record.encoding}) and cannot be compared`);
    const g = diceOf(a, GIVEN, b, GIVEN);
    const s = diceOf(a, SURNAME, b, SURNAME);
    count += (g >= 0 ? 1 : 0) + (s >= 0 ? 1 : 0);
    let surnameLevel = band(s, bands.surname);
    if (surnameLevel > 0) {
      const ab = diceOf(a, GIVEN, b, SURNAME);
      const ba = diceOf(a, SURNAME, b, GIVEN);
      count += 2;
      if (ab >= swapAt && ba >= swapAt) surnameLevel = 1;
      else surnameLevel += 1;
    }
    const v = [identifierLevel(a.record, b.record), band(g, bands.givenName), surnameLevel];
    for (const f of ['birthDate', 'postcode', 'address'] as const) {
      const i = FIELD_INDEX[f];
      const d = diceOf(a, i, b, i);
      if (d >= 0) count++;
      if (f === 'postcode') v.push(a.sex && b.sex ? (a.sex === b.sex ? 0 : 1) : -1);
      v.push(band(d, bands[f]));
    }
    return v;
  };
  return { comparisons, bands, compare, diceCount: () => count };
}

/** The keys a record is filed under: each blocking pseudonym under its rule, and each identifier pseudonym under rule 'identifier'. */
function keysOf(r: PseudonymRecord, rules: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const [rule, key] of Object.entries(r.blocking)) if (!rules || rules.includes(rule)) out.push(`${rule}\u0000${key}`);
  if (!rules || rules.includes('identifier')) for (const i of r.identifiers) out.push(`identifier\u0000${i.system}\u0000${i.pseudonym}`);
  return out;
}

/**
 * Candidate pairs: every (left, right) pair sharing a blocking or identifier pseudonym
 * under any of the rules (all rules, and 'identifier', when none are named), each pair
 * once. With no right side, the pairs within left (i < j), for deduplication.
 */
export function candidatePairs(left: readonly PseudonymRecord[], right?: readonly PseudonymRecord[], rules?: readonly string[]): [number, number][] {
  const other = right ?? left;
  const index = new Map<string, number[]>();
  other.forEach((r, j) => {
    for (const k of keysOf(r, rules)) {
      const list = index.get(k);
      if (list) list.push(j);
      else index.set(k, [j]);
    }
  });
  const pairs: [number, number][] = [];
  const seen = new Set<number>();
  left.forEach((l, i) => {
    seen.clear();
    for (const k of keysOf(l, rules)) {
      for (const j of index.get(k) ?? []) {
        if (seen.has(j) || (right === undefined && j <= i)) continue;
        seen.add(j);
        pairs.push([i, j]);
      }
    }
  });
  return pairs;
}

/** A cheap exact-value digest of a filter (equal filters, equal digests), for term frequencies of exact values. */
export function filterDigest(bits: Uint32Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < bits.length; i++) {
    h1 = Math.imul(h1 ^ bits[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ bits[i]!, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

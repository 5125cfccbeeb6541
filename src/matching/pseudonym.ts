/**
 * Pseudonymised matching records: what an agency sends the matcher instead of names,
 * dates of birth, postcodes and identifiers, so that the matcher can block and score
 * people without ever holding clear text.
 *
 * - Identifiers (NHS number, LA child id, …) become HMAC-SHA-256 pseudonyms namespaced by
 *   identifier system: equal only when system and value are equal.
 * - Blocking keys (the clear-text values records are filed under) become HMAC-SHA-256
 *   pseudonyms too, one per rule, so candidate pairs are found by equality as before.
 * - Names, date of birth, postcode and address become Bloom-filter encodings (CLKs, after
 *   Schnell, Bachteler and Reiher 2009): each token (a bigram of a name, a digit of a date
 *   in its position, …) sets k bits chosen by keyed double hashing; similar values share
 *   tokens and so bits, and the Dice coefficient of two filters measures how alike the
 *   values were. The filters are hardened by balancing and/or XOR folding.
 *
 * Every key comes from the one linkage secret by HKDF-SHA-256 with a distinct label, so
 * the agencies that share that secret produce comparable encodings, and no one without it
 * can compute a pseudonym or a filter for a guessed value. Given name and surname share
 * their key (and nothing else does) so that a forename/surname swap is still visible as a
 * high cross-field Dice.
 */
import crypto from 'node:crypto';
import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';
import { z } from 'zod';
import type { Person } from '../model/person.js';
import { toMatchRecord } from './normalise.js';
import { balance, bitsFromBase64, bitsToBase64, setBit, xorFold } from './pseudonym-bits.js';
import type { MatchRecord } from './types.js';

export const CLK_FIELDS = ['givenName', 'surname', 'birthDate', 'postcode', 'address'] as const;
export type ClkField = (typeof CLK_FIELDS)[number];

/**
 * - 'none': the plain filter (for comparison only; not for use).
 * - 'balance': a filter of L/2 bits with its complement, keyed-permuted: L bits, exactly half set.
 * - 'xor-fold': a filter of 2L bits folded to L.
 * - 'xor-fold+balance': a filter of L bits folded to L/2, then balanced to L.
 */
export const HARDENINGS = ['none', 'balance', 'xor-fold', 'xor-fold+balance'] as const;
export type Hardening = (typeof HARDENINGS)[number];

export const EncodingOptionsSchema = z.object({
  /** Bits of each field's filter as stored and compared; a multiple of 64. */
  length: z.number().int().min(64).max(16384).multipleOf(64),
  hardening: z.enum(HARDENINGS),
  /**
   * How a token's k positions are chosen: 'double' (keyed double hashing, h1 + i·h2 from
   * one HMAC) or 'random' (k independent positions from an HMAC stream, so they carry no
   * arithmetic structure; Schnell's random hashing). Optional for encodings made before it existed.
   */
  hashing: z.enum(['double', 'random']).optional(),
  /** Hash positions set per token, per field. */
  bitsPerToken: z.object(Object.fromEntries(CLK_FIELDS.map((f) => [f, z.number().int().min(1).max(256)])) as Record<ClkField, z.ZodNumber>),
});
export type EncodingOptions = z.infer<typeof EncodingOptionsSchema>;

/**
 * Both hardenings by default: XOR folding against pattern mining, balancing against
 * frequency attacks (Schnell's evaluations; see docs/pseudonymisation.md). On FEBRL4 they
 * cost about one true pair in 2,500 against the plain filter (bench/RESULTS.md).
 */
export const DEFAULT_ENCODING: EncodingOptions = {
  length: 1024,
  hardening: 'xor-fold+balance',
  bitsPerToken: { givenName: 20, surname: 20, birthDate: 16, postcode: 20, address: 8 },
};

/** The system a MatchRecord's bare `identifier` is pseudonymised under when no system is named: the NHS number, the identifier every agency shares. */
export const DEFAULT_IDENTIFIER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

export interface IdentifierInput {
  /** Identifier system URI, e.g. https://fhir.nhs.uk/Id/nhs-number. */
  system: string;
  value: string;
}

export interface IdentifierPseudonym {
  system: string;
  pseudonym: string;
}

/** A person as the pseudonymised matcher sees it: no clear-text name, date, postcode or identifier. */
export interface PseudonymRecord {
  /** The agency's reference for the record; opaque to the matcher (never an identifier: those go in `identifiers`). */
  id: string;
  /** Which encoding (parameters and linkage key) made this record: only records of one encoding compare. */
  encoding: string;
  identifiers: IdentifierPseudonym[];
  /** Blocking rule name → pseudonym of the record's key under that rule. */
  blocking: Record<string, string>;
  /** One hardened Bloom filter per field the record has. */
  clk: Partial<Record<ClkField, Uint32Array>>;
  sex?: 'male' | 'female' | 'other' | 'unknown' | undefined;
}

/** A blocking rule over clear text, applied by whoever encodes; the matcher sees only the HMAC of its key. */
export interface PseudonymBlockingRule {
  name: string;
  key: (r: MatchRecord) => string | undefined;
}

const given = (r: MatchRecord) => r.givenNames[0] || undefined;
const year = (r: MatchRecord) => r.birthDate?.slice(0, 4);
const phonetic = (s: string | undefined) => (s ? doubleMetaphone(s.replace(/[^A-Z]/g, ''))[0] || undefined : undefined);
function parts(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v === undefined || v === '') return undefined;
  return values.join('|');
}

const firstWords = (r: MatchRecord, n: number) => (r.addressTokens.length > 0 ? r.addressTokens.slice(0, n).join(' ') : undefined);
const lastWord = (r: MatchRecord) => r.addressTokens.at(-1);

/**
 * Blocking rules of the pseudonymised mode: the OR of exact keys on pairs of fields, a
 * name with the other name's initial, Double Metaphone codes, the start of the address,
 * and two single fields (date of birth and postcode, which also give EM its training
 * sessions). Every key is a value shared by a group of records, so the matcher can count
 * group sizes: a single-field key shows that field's frequency distribution. There is
 * deliberately no surname-only key, whose frequencies are the easiest to attack (see
 * docs/pseudonymisation.md); on FEBRL4 the rules below keep more true pairs without it.
 */
export const PSEUDONYM_BLOCKING_RULES: readonly PseudonymBlockingRule[] = [
  { name: 'dob', key: (r) => parts(r.birthDate) },
  { name: 'postcode', key: (r) => parts(r.postcode) },
  { name: 'postcode-year', key: (r) => parts(r.postcode, year(r)) },
  { name: 'surname-dob', key: (r) => parts(r.family, r.birthDate) },
  { name: 'given-dob', key: (r) => parts(given(r), r.birthDate) },
  { name: 'names', key: (r) => parts(given(r), r.family) },
  { name: 'names-any-order', key: (r) => (given(r) && r.family ? [given(r)!, r.family].sort().join('|') : undefined) },
  { name: 'surname-postcode', key: (r) => parts(r.family, r.postcode) },
  { name: 'given-postcode', key: (r) => parts(given(r), r.postcode) },
  { name: 'surname-year', key: (r) => parts(r.family, year(r)) },
  { name: 'surname-initial', key: (r) => parts(r.family, given(r)?.[0]) },
  { name: 'given-initial', key: (r) => parts(given(r), r.family?.[0]) },
  { name: 'initials-year', key: (r) => parts(given(r)?.[0], r.family?.[0], year(r)) },
  { name: 'initials-postcode', key: (r) => parts(given(r)?.[0], r.family?.[0], r.postcode) },
  { name: 'metaphones', key: (r) => parts(phonetic(given(r)), phonetic(r.family)) },
  { name: 'metaphones-year', key: (r) => parts(phonetic(given(r)), phonetic(r.family), year(r)) },
  // house number and street: the first three address words
  { name: 'street', key: (r) => parts(firstWords(r, 3)) },
  // surname and town: the last address word
  { name: 'surname-town', key: (r) => parts(r.family, lastWord(r)) },
];

/** Tokens of a name: the bigrams of the name padded with one space each side ('ANN' → ' A', 'AN', 'NN', 'N '). */
export function nameTokens(name: string): string[] {
  const s = ` ${name} `;
  const out = new Set<string>();
  for (let i = 0; i + 2 <= s.length; i++) out.add(s.slice(i, i + 2));
  return [...out];
}

/**
 * Tokens of a YYYY-MM-DD date: each digit with its position (one digit off shares 7 of 8),
 * the year, and day and month as an unordered pair (a day/month swap still shares it and
 * the year).
 */
export function dateTokens(date: string): string[] {
  const digits = date.replace(/-/g, '');
  const out = [...digits].map((d, i) => `${i}:${d}`);
  if (/^\d{8}$/.test(digits)) out.push(`y:${digits.slice(0, 4)}`, `dm:${[digits.slice(4, 6), digits.slice(6, 8)].sort().join('')}`);
  return out;
}

/**
 * Tokens of a postcode (spaces removed): every prefix (so unit, sector, district and area
 * agreement share most tokens: 'LS11AA' with 'LS11BB' shares L, LS, LS1, LS11) and each
 * character with its position (one character off anywhere shares the rest).
 */
export function postcodeTokens(postcode: string): string[] {
  const s = postcode.replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 1; i <= s.length; i++) out.push(`p:${s.slice(0, i)}`);
  for (let i = 0; i < s.length; i++) out.push(`${i}:${s[i]}`);
  return out;
}

/** Tokens of an address: the bigrams of each word, as one set. */
export function addressTokensOf(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) for (const t of nameTokens(w)) out.add(t);
  return [...out];
}

/** The clear-text tokens of each field a record has; computed by the encoder only. */
export function fieldTokens(r: MatchRecord): Partial<Record<ClkField, string[]>> {
  const out: Partial<Record<ClkField, string[]>> = {};
  const g = given(r);
  if (g) out.givenName = nameTokens(g);
  if (r.family) out.surname = nameTokens(r.family);
  if (r.birthDate) out.birthDate = dateTokens(r.birthDate);
  if (r.postcode) out.postcode = postcodeTokens(r.postcode);
  if (r.addressTokens.length > 0) out.address = addressTokensOf(r.addressTokens);
  return out;
}

/** Which key (and balancing permutation) each field's tokens are hashed under: the two name fields share one. */
const KEY_GROUP: Record<ClkField, string> = { givenName: 'name', surname: 'name', birthDate: 'birthDate', postcode: 'postcode', address: 'address' };
const HKDF_SALT = 'sgw-linkage/v1';
const POSITION_CACHE_LIMIT = 200_000;

/** Normalises an identifier value before hashing: whitespace and hyphens removed, upper case ('943 476 5919' → '9434765919'). */
export function normaliseIdentifierValue(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase();
}

export interface Pseudonymiser {
  /** Identifies the parameters and the linkage key (by a key check value, not the key), stamped on every record. */
  readonly encoding: string;
  readonly options: EncodingOptions;
  /** HMAC-SHA-256 pseudonym (base64url) of an identifier, namespaced by its system. */
  identifier(system: string, value: string): string;
  /** HMAC pseudonym (base64url, 128 bits) of one blocking rule's clear-text key. */
  blockingKey(rule: string, key: string): string;
  /** The hardened Bloom filter of one field's tokens. */
  clk(field: ClkField, tokens: readonly string[]): Uint32Array;
  /**
   * A MatchRecord as the matcher may see it. Identifiers are pseudonymised under their
   * systems; when none are given, the record's own `identifier` (if any) is taken as
   * one of `DEFAULT_IDENTIFIER_SYSTEM`.
   */
  record(r: MatchRecord, identifiers?: readonly IdentifierInput[]): PseudonymRecord;
}

/**
 * A pseudonymiser for one linkage secret and encoding. Every agency of a deployment uses
 * the same secret and options, or their records cannot be compared (the `encoding` stamp
 * tells them apart).
 */
export function createPseudonymiser(
  linkageSecret: Uint8Array,
  options: EncodingOptions = DEFAULT_ENCODING,
  blockingRules: readonly PseudonymBlockingRule[] = PSEUDONYM_BLOCKING_RULES,
): Pseudonymiser {
  if (linkageSecret.length < 32) throw new RangeError(`the linkage secret is ${linkageSecret.length} bytes; at least 32 are needed`);
  const opts = EncodingOptionsSchema.parse(options);
  const derive = (info: string, bytes = 32) => Buffer.from(crypto.hkdfSync('sha256', linkageSecret, HKDF_SALT, info, bytes));
  const identifierKey = derive('identifier');
  const blockingKey = derive('blocking');
  const fieldKey = Object.fromEntries(CLK_FIELDS.map((f) => [f, derive(`clk:${KEY_GROUP[f]}`)])) as Record<ClkField, Buffer>;
  const L = opts.length;
  const baseLength = opts.hardening === 'none' || opts.hardening === 'xor-fold+balance' ? L : opts.hardening === 'balance' ? L / 2 : 2 * L;
  const permutations = Object.fromEntries(
    CLK_FIELDS.map((f) => [f, opts.hardening === 'balance' || opts.hardening === 'xor-fold+balance' ? keyedPermutation(derive(`clk-permutation:${KEY_GROUP[f]}`), L) : undefined]),
  ) as Record<ClkField, Uint32Array | undefined>;
  const keyCheck = derive('key-check', 6).toString('base64url');
  const params = crypto.createHash('sha256').update(JSON.stringify([opts, HKDF_SALT, blockingRules.map((r) => r.name)])).digest('base64url').slice(0, 8);
  const encoding = `clk1.${params}.${keyCheck}`;

  // Token → bit positions, per field: tokens (bigrams above all) repeat across records,
  // and the HMAC is most of the cost of encoding. Bounded; lives only in the encoder.
  const positionCache = new Map<string, Uint32Array>();
  const positions = (field: ClkField, token: string): Uint32Array => {
    const cacheKey = `${field}\u0000${token}`;
    let p = positionCache.get(cacheKey);
    if (p) return p;
    const k = opts.bitsPerToken[field];
    p = new Uint32Array(k);
    if (opts.hashing === 'random') {
      // Random hashing: 32-bit words of HMAC(key, counter ‖ token), one position per word.
      for (let block = 0; block * 8 < k; block++) {
        const h = crypto.createHmac('sha256', fieldKey[field]).update(`${block}\u0000${token}`, 'utf8').digest();
        for (let w = 0; w < 8 && block * 8 + w < k; w++) p[block * 8 + w] = h.readUInt32LE(4 * w) % baseLength;
      }
    } else {
      // Keyed double hashing: positions h1 + i·h2 (mod the filter length) from one HMAC.
      const h = crypto.createHmac('sha256', fieldKey[field]).update(token, 'utf8').digest();
      const h1 = h.readUInt32LE(0);
      const h2 = (h.readUInt32LE(4) | 1) >>> 0; // odd (and unsigned: `|` gives a signed int), so with a power-of-two length the k positions are distinct
      for (let i = 0; i < k; i++) p[i] = (h1 + i * h2) % baseLength;
    }
    if (positionCache.size >= POSITION_CACHE_LIMIT) positionCache.clear();
    positionCache.set(cacheKey, p);
    return p;
  };

  const clk = (field: ClkField, tokens: readonly string[]): Uint32Array => {
    let bits: Uint32Array = new Uint32Array(baseLength / 32);
    for (const token of tokens) for (const i of positions(field, token)) setBit(bits, i);
    if (opts.hardening === 'xor-fold' || opts.hardening === 'xor-fold+balance') bits = xorFold(bits);
    const perm = permutations[field];
    if (perm) bits = balance(bits, perm);
    return bits;
  };

  const identifier = (system: string, value: string) =>
    crypto.createHmac('sha256', identifierKey).update(`${system}\u0000${normaliseIdentifierValue(value)}`, 'utf8').digest('base64url');
  const block = (rule: string, key: string) => crypto.createHmac('sha256', blockingKey).update(`${rule}\u0000${key}`, 'utf8').digest().subarray(0, 16).toString('base64url');

  return {
    encoding,
    options: opts,
    identifier,
    blockingKey: block,
    clk,
    record(r, identifiers = r.identifier ? [{ system: DEFAULT_IDENTIFIER_SYSTEM, value: r.identifier }] : []) {
      const blocking: Record<string, string> = {};
      for (const rule of blockingRules) {
        const key = rule.key(r);
        if (key !== undefined) blocking[rule.name] = block(rule.name, key);
      }
      const clks: Partial<Record<ClkField, Uint32Array>> = {};
      for (const [field, tokens] of Object.entries(fieldTokens(r)) as [ClkField, string[]][]) clks[field] = clk(field, tokens);
      return {
        id: r.id,
        encoding,
        identifiers: identifiers.filter((i) => normaliseIdentifierValue(i.value) !== '').map((i) => ({ system: i.system, pseudonym: identifier(i.system, i.value) })),
        blocking,
        clk: clks,
        ...(r.sex !== undefined ? { sex: r.sex } : {}),
      };
    },
  };
}

/**
 * A canonical Person as the pseudonymised matcher sees it: its MatchRecord (official name,
 * birth date, sex, first address) encoded, and every identifier pseudonymised under its
 * own system.
 */
export function pseudonymisePerson(pseudonymiser: Pseudonymiser, person: Person): PseudonymRecord {
  return pseudonymiser.record(toMatchRecord(person), person.identifiers.map((i) => ({ system: i.system, value: i.value })));
}

/** A keyed random permutation of 0..n−1 (Fisher–Yates driven by an AES-256-CTR keystream under `key`). */
function keyedPermutation(key: Buffer, n: number): Uint32Array {
  const stream = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(4 * n));
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = stream.readUInt32LE(4 * i) % (i + 1); // bias below 2^-20 for n ≤ 16384
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

const SEXES = ['male', 'female', 'other', 'unknown'] as const;

/** A PseudonymRecord as one line of JSON (filters as base64). */
export const PseudonymRecordJsonSchema = z.object({
  id: z.string(),
  encoding: z.string().min(1),
  identifiers: z.array(z.object({ system: z.string().min(1), pseudonym: z.string().min(1) })).default([]),
  blocking: z.record(z.string(), z.string()).default({}),
  clk: z.object(Object.fromEntries(CLK_FIELDS.map((f) => [f, z.string().min(1).optional()])) as Record<ClkField, z.ZodOptional<z.ZodString>>).default({}),
  sex: z.enum(SEXES).optional(),
});
export type PseudonymRecordJson = z.infer<typeof PseudonymRecordJsonSchema>;

export function pseudonymRecordToJson(r: PseudonymRecord): PseudonymRecordJson {
  const clk: Partial<Record<ClkField, string>> = {};
  for (const f of CLK_FIELDS) {
    const bits = r.clk[f];
    if (bits) clk[f] = bitsToBase64(bits);
  }
  return { id: r.id, encoding: r.encoding, identifiers: r.identifiers, blocking: r.blocking, clk, ...(r.sex !== undefined ? { sex: r.sex } : {}) };
}

/** Parses one encoded record (e.g. a line of `sgw pseudonymise` output); throws a ZodError or RangeError naming the field. */
export function pseudonymRecordFromJson(value: unknown): PseudonymRecord {
  const j = PseudonymRecordJsonSchema.parse(value);
  const clk: Partial<Record<ClkField, Uint32Array>> = {};
  for (const f of CLK_FIELDS) {
    const text = j.clk[f];
    if (text !== undefined) {
      try {
        clk[f] = bitsFromBase64(text);
      } catch (err) {
        throw new RangeError(`clk.${f}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return { id: j.id, encoding: j.encoding, identifiers: j.identifiers, blocking: j.blocking, clk, ...(j.sex !== undefined ? { sex: j.sex } : {}) };
}

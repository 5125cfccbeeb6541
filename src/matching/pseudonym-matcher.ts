/**
 * The online matcher of pseudonymised mode: what the gateway's resolve stage calls when
 * the person index holds no clear demographics. It encodes an incoming Person (HMAC
 * pseudonyms and hardened Bloom filters, src/matching/pseudonym.ts), gives the blocking
 * keys to file and look candidates up by, and scores the incoming encoding against
 * candidates' stored encodings with the configured Fellegi–Sunter model over Dice bands
 * (src/matching/pseudonym-compare.ts). Candidates are only ever seen as encodings.
 *
 * The same guards as the clear-text matcher (guards.ts) then lower a 'match' to
 * 'possible' when first names, dates of birth or surnames disagree, however strong the
 * rest: see PSEUDONYM_GUARD_BANDS below for how Dice bands stand in for the clear levels.
 *
 * The model file is `config/matching/model-pseudonymised.json`: a MatchModel whose level
 * labels name the Dice bands (`dice >= 0.995`), plus the `encoding` options it was trained
 * for (made by `sgw match train --pseudonymised`; see docs/pseudonymisation.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Person } from '../model/person.js';
import { MatchModelSchema, compileScorer, decide, scoreVector, type Decision, type MatchModel } from './model.js';
import type { EncodingOptions, PseudonymRecord, PseudonymRecordJson } from './pseudonym.js';
import { CLK_FIELDS, DEFAULT_ENCODING, EncodingOptionsSchema, createPseudonymiser, pseudonymRecordFromJson, pseudonymRecordToJson, pseudonymisePerson } from './pseudonym.js';
import type { DiceBands } from './pseudonym-compare.js';
import { defaultDiceBands, preparePseudonym, pseudonymComparator } from './pseudonym-compare.js';
import type { ComparisonVector } from './types.js';

export interface PseudonymCandidateScore {
  id: string;
  probability: number;
  weight: number;
  decision: 'match' | 'possible' | 'no-match';
  /** Why a 'match' by score was lowered to 'possible'. */
  guard?: string;
  /** Each comparison's level (a Dice band, never a value) and weight, for the review queue. */
  explanation: { comparison: string; level: string; weight: number }[];
}

export interface PseudonymMatcher {
  /** The model; the gateway uses `thresholds.match` and `thresholds.possible`. */
  readonly model: MatchModel;
  /** The encoding stamp (parameters and a key check value) every record of this matcher carries. */
  readonly encoding: string;
  /** What is stored per source record (jsonb): HMAC pseudonyms, Bloom filters (base64) and sex; no clear text. */
  encode(person: Person): PseudonymRecordJson;
  /**
   * The keys to file the record under in the blocking-key table, and to look candidates up
   * by: `pb:<rule>|<HMAC of the rule's clear key>` for each blocking rule the record has,
   * and `pi:<identifier pseudonym>` for each identifier (an identifier pseudonym is already
   * namespaced by its system). Identifiers block as they do in clear mode, so a record with
   * the same NHS number but mistyped demographics is still a candidate.
   */
  blockingKeys(p: PseudonymRecordJson): string[];
  /** Scores `incoming` against each candidate; best first. Throws when a record was encoded under another key or parameters. */
  score(incoming: PseudonymRecordJson, candidates: readonly { id: string; pseudonym: PseudonymRecordJson }[]): PseudonymCandidateScore[];
}

/** Comparison order of the pseudonymised model (pseudonymComparator's). */
export const PSEUDONYM_COMPARISONS = ['identifier', 'givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address'] as const;
const GIVEN = PSEUDONYM_COMPARISONS.indexOf('givenName');
const SURNAME = PSEUDONYM_COMPARISONS.indexOf('surname');
const BIRTH_DATE = PSEUDONYM_COMPARISONS.indexOf('birthDate');

/**
 * Band → guard mapping: which levels count as "the same" for the guards of guards.ts.
 * Measured on balanced 1024-bit filters (the default encoding; docs/pseudonymisation.md):
 *
 * - First name: only the top given-name band (Dice ≥ 0.995, in practice the same value),
 *   or the surname's 'forename and surname swapped' level (each side's forename filter is
 *   in the top band against the other's surname filter: the same first name, recorded in
 *   the other field). The second band (≥ 0.86) holds one-letter typos but also ANNA/ANNE
 *   (0.87) and KATE/KATIE (0.90), and OLIVER/OLIVIA sits at 0.82: Dice cannot tell a typo
 *   from a twin's name, and nicknames are invisible, so those wait for a person. This is
 *   stricter than clear text (nickname, JW ≥ 0.92 pass there).
 * - Date of birth: the top two bands (≥ 0.995 exact; ≥ 0.84 one digit off: 0.88–0.90
 *   measured, like clear text's Damerau-Levenshtein ≤ 1). Two digits off (0.80–0.82) and
 *   a day/month swap (0.81) fall in the third band and are not agreement; clear text
 *   accepts the swap, so this is stricter there too.
 * - Surname: anything but the last level ('else': Dice below the lowest band, about where
 *   unrelated balanced filters sit, 0.6–0.75) counts as not wholly different; the swap
 *   level counts as agreeing.
 * - A missing field on either side (level −1) never agrees.
 */
export const PSEUDONYM_GUARD_BANDS = {
  /** givenName levels below this are the same first name. */
  sameFirstNameLevels: 1,
  /** surname level of 'forename and surname swapped' (also the same first name). */
  swappedSurnameLevel: 1,
  /** birthDate levels below this agree. */
  agreeingBirthDateLevels: 2,
} as const;

/** The guards on a pseudonymised comparison vector (PSEUDONYM_COMPARISONS order): only ever lowers 'match' to 'possible'. */
export function guardPseudonymDecision(vector: ComparisonVector, decision: Decision, surnameLevels: number): { decision: Decision; guard?: string } {
  if (decision !== 'match') return { decision };
  const given = vector[GIVEN]!;
  const surname = vector[SURNAME]!;
  const sameFirst = (given >= 0 && given < PSEUDONYM_GUARD_BANDS.sameFirstNameLevels) || surname === PSEUDONYM_GUARD_BANDS.swappedSurnameLevel;
  if (!sameFirst) return { decision: 'possible', guard: 'first names differ or one is missing: never linked automatically (twins and siblings)' };
  const dob = vector[BIRTH_DATE]!;
  if (dob === -1 || dob >= PSEUDONYM_GUARD_BANDS.agreeingBirthDateLevels) return { decision: 'possible', guard: 'dates of birth differ or one is missing: never linked automatically (siblings)' };
  if (surname === -1 || surname === surnameLevels - 1) return { decision: 'possible', guard: 'surnames differ or one is missing: a person must confirm a change of name' };
  return { decision };
}

/** The Dice bands a model was trained on, read back from its level labels ('dice >= 0.995'). */
export function bandsOfModel(model: MatchModel): DiceBands {
  const names = model.comparisons.map((c) => c.name);
  if (names.join(',') !== PSEUDONYM_COMPARISONS.join(',')) {
    throw new Error(`comparisons: the pseudonymised model's comparisons are ${names.join(', ')}; pseudonymised matching compares ${PSEUDONYM_COMPARISONS.join(', ')} (in that order)`);
  }
  const out: Partial<Record<(typeof CLK_FIELDS)[number], number[]>> = {};
  for (const field of CLK_FIELDS) {
    const i = PSEUDONYM_COMPARISONS.indexOf(field);
    const thresholds: number[] = [];
    for (const level of model.comparisons[i]!.levels) {
      const m = /^dice >= (\d*\.?\d+)$/.exec(level.label);
      if (m) thresholds.push(Number(m[1]));
    }
    if (thresholds.length === 0) throw new Error(`comparisons.${i} (${field}): no 'dice >= x' levels; is this a clear-text model?`);
    out[field] = thresholds;
  }
  return out as DiceBands;
}

function sameBands(a: DiceBands, b: DiceBands): boolean {
  return CLK_FIELDS.every((f) => a[f].length === b[f].length && a[f].every((x, k) => x === b[f][k]));
}

/**
 * A matcher for one model, linkage secret and encoding. The model's Dice bands must be
 * those of the encoding's hardening (balanced filters score unrelated values far higher
 * than plain ones), and its levels those pseudonymComparator makes for them.
 */
export function createPseudonymMatcher(model: MatchModel, linkageSecret: Uint8Array, encoding: EncodingOptions = DEFAULT_ENCODING): PseudonymMatcher {
  const parsed = MatchModelSchema.parse(model);
  const options = EncodingOptionsSchema.parse(encoding);
  const bands = bandsOfModel(parsed);
  if (!sameBands(bands, defaultDiceBands(options.hardening))) {
    throw new Error(`the model's Dice bands (from its level labels) are not those of '${options.hardening}' filters: it was trained for another hardening`);
  }
  const comparator = pseudonymComparator(bands);
  comparator.comparisons.forEach((c, i) => {
    const got = parsed.comparisons[i]!.levels.map((l) => l.label);
    if (got.join('|') !== c.levels.join('|')) throw new Error(`comparisons.${i} (${c.name}): levels are ${got.join(', ')}; expected ${c.levels.join(', ')}`);
  });
  const surnameLevels = parsed.comparisons[SURNAME]!.levels.length;
  const encoder = createPseudonymiser(linkageSecret, options);
  const scorer = compileScorer(parsed);

  const parse = (p: PseudonymRecordJson, what: string): PseudonymRecord => {
    const r = pseudonymRecordFromJson(p);
    if (r.encoding !== encoder.encoding) {
      throw new Error(`${what} was encoded as ${r.encoding}; this matcher encodes as ${encoder.encoding} (another linkage key or encoding): re-encode the index`);
    }
    return r;
  };

  return {
    model: parsed,
    encoding: encoder.encoding,
    encode: (person) => pseudonymRecordToJson(pseudonymisePerson(encoder, person)),
    blockingKeys(p) {
      const out = new Set<string>();
      for (const i of p.identifiers ?? []) out.add(`pi:${i.pseudonym}`);
      for (const [rule, key] of Object.entries(p.blocking ?? {})) out.add(`pb:${rule}|${key}`);
      return [...out];
    },
    score(incoming, candidates) {
      const a = preparePseudonym(parse(incoming, 'the incoming record'));
      const out = candidates.map((c): PseudonymCandidateScore => {
        const vector = comparator.compare(a, preparePseudonym(parse(c.pseudonym, `candidate ${c.id}`)));
        const { weight, probability } = scorer(vector);
        const { decision, guard } = guardPseudonymDecision(vector, decide(parsed, probability), surnameLevels);
        const explanation = scoreVector(parsed, vector).contributions.map((x) => ({ comparison: x.comparison, level: x.level, weight: Math.round(x.weight * 1000) / 1000 }));
        return { id: c.id, probability, weight, decision, ...(guard ? { guard } : {}), explanation };
      });
      return out.sort((x, y) => y.weight - x.weight);
    },
  };
}

/** The model file: a MatchModel plus the encoding options it was trained for. */
export const PseudonymModelFileSchema = z.object({ encoding: EncodingOptionsSchema.optional() });

/** The model file's JSON: the model with its encoding options (what `sgw match train --pseudonymised` writes). */
export function pseudonymModelFile(model: MatchModel, encoding: EncodingOptions): MatchModel & { encoding: EncodingOptions } {
  return { ...model, encoding };
}

/**
 * Reads and checks `<configDir>/matching/model-pseudonymised.json`; a bad file throws
 * naming the file and the field. Without an `encoding` field the default encoding is assumed.
 */
export function loadPseudonymMatcher(configDir: string, linkageSecret: Uint8Array): PseudonymMatcher {
  const file = path.join(configDir, 'matching', 'model-pseudonymised.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the pseudonymised match model: ${(err as Error).message}`, { cause: err });
  }
  const parsed = MatchModelSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const enc = PseudonymModelFileSchema.safeParse(raw);
  if (!enc.success) {
    const i = enc.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  try {
    return createPseudonymMatcher(parsed.data, linkageSecret, enc.data.encoding ?? DEFAULT_ENCODING);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The gateway's guards on automatic linking. The model's probability decides; these only
 * ever lower a 'match' to 'possible' (the review queue), never raise anything. Showing one
 * child's plan on another child is a safeguarding incident, so a link without a person's
 * decision needs, besides the score:
 *
 * - the same first name (exact, nickname, a token of a double-barrelled name, or
 *   Jaro-Winkler ≥ 0.92): twins and siblings share everything else;
 * - dates of birth that agree (exact, day and month swapped, or one digit off): a child
 *   and a sibling a year apart share names, surname and address;
 * - a surname on both sides that is not wholly different (a surname change after care
 *   or adoption is real, and a person should see it).
 */
import { BIRTH_DATE, COMPARISONS, GIVEN, SAME_FIRST_NAME_LEVELS, SURNAME } from './comparisons.js';
import type { Decision } from './model.js';
import type { ComparisonVector } from './types.js';

/** Date-of-birth levels that count as agreeing: exact, swapped, one digit off. */
const AGREEING_BIRTH_DATE_LEVELS = 3;
const SURNAME_ELSE = COMPARISONS[SURNAME]!.levels.length - 1;

export interface Guarded {
  decision: Decision;
  /** Why a 'match' by score was lowered to 'possible'. */
  guard?: string;
}

/** Applies the guards to the model's decision for a six-comparison vector (COMPARISONS order). */
export function guardDecision(vector: ComparisonVector, decision: Decision): Guarded {
  if (decision !== 'match') return { decision };
  const given = vector[GIVEN]!;
  if (given === -1 || given >= SAME_FIRST_NAME_LEVELS) return { decision: 'possible', guard: 'first names differ or one is missing: never linked automatically (twins and siblings)' };
  const dob = vector[BIRTH_DATE]!;
  if (dob === -1 || dob >= AGREEING_BIRTH_DATE_LEVELS) return { decision: 'possible', guard: 'dates of birth differ or one is missing: never linked automatically (siblings)' };
  const surname = vector[SURNAME]!;
  if (surname === -1 || surname === SURNAME_ELSE) return { decision: 'possible', guard: 'surnames differ or one is missing: a person must confirm a change of name' };
  return { decision };
}

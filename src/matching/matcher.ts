/**
 * The online matcher the gateway runs at ingest and for Patient/$match: the configured
 * model compiled once, and a function that scores one incoming person against candidate
 * records and says, per candidate, match / possible / no-match, with why.
 *
 * The guards (guards.ts) then lower a 'match' to 'possible' when the first names, the
 * dates of birth or the surnames disagree, however much else agrees: twins and siblings
 * share a surname and an address, and only a person, or an identifier, may link such
 * records. The model can still put them in the review queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COMPARISONS, GIVEN, SURNAME, comparePrepared, prepare, type PreparedRecord } from './comparisons.js';
import { guardDecision } from './guards.js';
import { MatchModelSchema, compileScorer, decide, scoreVector, type Decision, type MatchModel } from './model.js';
import type { MatchRecord } from './types.js';

export interface CandidateScore {
  id: string;
  probability: number;
  weight: number;
  decision: Decision;
  /** Why a 'match' by score was lowered to 'possible'. */
  guard?: string;
  /** Each comparison's level and weight, for the review queue. */
  explanation: { comparison: string; level: string; weight: number }[];
}

export interface Matcher {
  readonly model: MatchModel;
  /** Scores `incoming` against each candidate; best first. */
  score(incoming: MatchRecord, candidates: readonly MatchRecord[]): CandidateScore[];
}

export function createMatcher(model: MatchModel): Matcher {
  const parsed = MatchModelSchema.parse(model);
  const names = parsed.comparisons.map((c) => c.name);
  const expected = COMPARISONS.map((c) => c.name);
  if (names.join(',') !== expected.join(',')) {
    throw new Error(`the match model's comparisons are ${names.join(', ')}; the gateway compares ${expected.join(', ')} (in that order)`);
  }
  parsed.comparisons.forEach((c, i) => {
    if (c.levels.length !== COMPARISONS[i]!.levels.length) {
      throw new Error(`the match model's comparison ${c.name} has ${c.levels.length} levels; the gateway's has ${COMPARISONS[i]!.levels.length}`);
    }
  });
  const scorer = compileScorer(parsed);
  return {
    model: parsed,
    score(incoming, candidates) {
      const a: PreparedRecord = prepare(incoming);
      const out = candidates.map((c): CandidateScore => {
        const vector = comparePrepared(a, prepare(c));
        const { weight, probability } = scorer(vector);
        let { decision, guard } = guardDecision(vector, decide(parsed, probability));
        // With no name on either side to compare (a census child has none), a shared date of
        // birth and sex say too little even for a review: every child born that day would queue.
        if (decision !== 'no-match' && vector[GIVEN] === -1 && vector[SURNAME] === -1) {
          decision = 'no-match';
          guard = 'no name to compare: not even a possible match';
        }
        // The reasons are kept for reviews only: a clear no-match needs none.
        const explanation = decision === 'no-match' ? [] : scoreVector(parsed, vector).contributions.map((x) => ({ comparison: x.comparison, level: x.level, weight: Math.round(x.weight * 1000) / 1000 }));
        return { id: c.id, probability, weight, decision, ...(guard ? { guard } : {}), explanation };
      });
      return out.sort((x, y) => y.weight - x.weight);
    },
  };
}

/** Reads and checks `<configDir>/matching/model.json`; a bad file stops start-up naming the file and the field. */
export function loadMatcher(configDir: string): Matcher {
  const file = path.join(configDir, 'matching', 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the match model: ${(err as Error).message}`, { cause: err });
  }
  const parsed = MatchModelSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  try {
    return createMatcher(parsed.data);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

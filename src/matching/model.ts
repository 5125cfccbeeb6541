/**
 * The person-matching model (Fellegi–Sunter, as Splink implements it) and the pure
 * functions that score a comparison vector with it.
 *
 * Each comparison level has m = P(level | match) and u = P(level | non-match) and
 * contributes a weight of log2(m/u); the prior λ (the probability that two records
 * compared at random are the same person) contributes log2(λ/(1−λ)). A null level (−1:
 * a side lacks the field) is no evidence either way and contributes 0. The match
 * probability is 2^w/(1+2^w). The model is configuration: plain JSON, checked by
 * `MatchModelSchema`.
 */
import { z } from 'zod';
import type { ComparisonVector } from './types.js';

const probability = (what: string) =>
  z
    .number()
    .gt(0, `${what} must be above 0 (a probability of 0 makes a weight of log2(0) = -infinity)`)
    .max(1, `${what} is a probability, at most 1`);

export const MatchLevelSchema = z.object({
  label: z.string().min(1),
  m: probability('m'),
  u: probability('u'),
});

export const MatchComparisonSchema = z
  .object({
    name: z.string().min(1),
    levels: z.array(MatchLevelSchema).min(1),
    /**
     * Term-frequency adjustment on one level (Splink's exact-match TF): when the vector is
     * at `level` and the value's frequency u_tf is known, log2(u_level / max(u_tf, minimumU))
     * is added, so rare values score up and common ones down.
     */
    tf: z
      .object({
        level: z.number().int().min(0),
        minimumU: probability('tf.minimumU'),
      })
      .optional(),
  })
  .refine((c) => c.tf === undefined || c.tf.level < c.levels.length, {
    message: 'tf.level must be one of the comparison’s levels',
    path: ['tf', 'level'],
  });

export const MatchModelSchema = z
  .object({
    version: z.literal(1),
    lambda: z
      .number()
      .gt(0, 'lambda (the prior probability that two random records match) must be above 0')
      .lt(1, 'lambda (the prior probability that two random records match) must be below 1'),
    comparisons: z.array(MatchComparisonSchema).min(1),
    thresholds: z.object({
      match: z.number().min(0).max(1),
      possible: z.number().min(0).max(1),
    }),
  })
  .refine((m) => m.thresholds.possible <= m.thresholds.match, {
    message: 'thresholds.possible must not be above thresholds.match',
    path: ['thresholds', 'possible'],
  });
export type MatchModel = z.infer<typeof MatchModelSchema>;

export interface Contribution {
  comparison: string;
  /** The level's label, 'null' for a null level, or '<label> (term frequency)' for a TF adjustment. */
  level: string;
  weight: number;
}

export interface Score {
  /** log2 of the posterior odds: prior weight plus every contribution. */
  weight: number;
  probability: number;
  /** One entry per comparison in order (null levels with weight 0), plus one after a comparison for each TF adjustment applied. */
  contributions: Contribution[];
}

/**
 * The term-frequency u of the value behind comparison `comparisonIndex` in this pair
 * (e.g. the share of records with given name 'OLIVIA'), or undefined when not known.
 * Only asked for comparisons with `tf` whose vector level is the TF level.
 */
export type TermFrequencyU = (comparisonIndex: number) => number | undefined;

/** The largest double below 1 and the smallest above 0: probabilities stay in (0, 1). */
const MAX_PROBABILITY = 1 - Number.EPSILON / 2;
const MIN_PROBABILITY = Number.MIN_VALUE;

/**
 * 2^w/(1+2^w) without overflow: for w ≥ 0 as 1/(1+2^−w). The result is clamped into the
 * open interval (0, 1): the model never says certainly or certainly not, and beyond
 * w ≈ 53 a double cannot hold the difference from 1 anyway.
 */
export function weightToProbability(weight: number): number {
  if (Number.isNaN(weight)) throw new RangeError('match weight is NaN');
  const p = weight >= 0 ? 1 / (1 + 2 ** -weight) : 2 ** weight / (1 + 2 ** weight);
  return p > MAX_PROBABILITY ? MAX_PROBABILITY : p < MIN_PROBABILITY ? MIN_PROBABILITY : p;
}

/** log2(λ/(1−λ)). */
export function priorWeight(lambda: number): number {
  return Math.log2(lambda / (1 - lambda));
}

/**
 * k in `priorForIndexSize`. An incoming child is at most one indexed person, and is one at
 * all with probability π (the share of incoming people already known), so the prior that
 * one indexed person, compared at random, is them is π/N: k = π ≤ 1. 0.5 is the share in
 * bench/matching-index.ts (half its queries are indexed) and the largest k of 8, 4, 2, 1,
 * 0.5 … with no wrong automatic link on its tuning queries at 1,000,000 people (k = 1 let one
 * person who is not indexed through); see docs/matching.md.
 */
export const INDEX_PRIOR_K = 0.5;

/**
 * The prior for an online lookup into an index of `people` people: the chance that one
 * indexed person, compared at random, is the incoming one, min(model.lambda, k / people).
 * A model's λ is the match rate of random pairs in its training data (historical_50k: about
 * ten records a person, λ·records ≈ 8), so it overstates the prior for a large index of one
 * record a person: at 1,000,000 people and k = 0.5, by log2(1.57e-4 / 5e-7) ≈ 8.3 bits. Small indexes keep
 * the model's λ (it is never raised). Use with `compileScorer(model, { lambda })` or
 * `scoreVector(model, vector, tfU, { lambda })`, or add `priorShift(model, lambda)` to a weight.
 */
export function priorForIndexSize(model: Pick<MatchModel, 'lambda'>, people: number, k: number = INDEX_PRIOR_K): number {
  if (!(people >= 0) || !Number.isFinite(people)) throw new RangeError(`index size ${people} is not a number of people`);
  if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`prior k ${k} must be a positive number`);
  return people <= k ? model.lambda : Math.min(model.lambda, k / people);
}

/** priorWeight(lambda) − priorWeight(model.lambda): what to add to a weight scored with the model's own λ (≤ 0 for a lower prior). */
export function priorShift(model: Pick<MatchModel, 'lambda'>, lambda: number): number {
  checkLambda(lambda);
  return priorWeight(lambda) - priorWeight(model.lambda);
}

/** Scoring options: `lambda` replaces the model's prior (e.g. `priorForIndexSize(model, people)`); the model is unchanged. */
export interface PriorOptions {
  lambda?: number;
}

function checkLambda(lambda: number): void {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`lambda ${lambda} must be a probability strictly between 0 and 1`);
}

function priorOf(model: MatchModel, options: PriorOptions | undefined): number {
  if (options?.lambda === undefined) return priorWeight(model.lambda);
  checkLambda(options.lambda);
  return priorWeight(options.lambda);
}

function checkLevel(model: MatchModel, i: number, level: number): void {
  const n = model.comparisons[i]!.levels.length;
  if (!Number.isInteger(level) || level < -1 || level >= n) {
    throw new RangeError(`comparison ${model.comparisons[i]!.name}: level ${level} is not -1 or a level index below ${n}`);
  }
}

function checkLength(model: MatchModel, vector: ComparisonVector): void {
  if (vector.length !== model.comparisons.length) {
    throw new RangeError(`comparison vector has ${vector.length} levels; the model has ${model.comparisons.length} comparisons`);
  }
}

function tfWeight(uLevel: number, uTf: number, minimumU: number, name: string): number {
  if (!(uTf >= 0 && uTf <= 1)) throw new RangeError(`comparison ${name}: term frequency ${uTf} is not a probability`);
  return Math.log2(uLevel / Math.max(uTf, minimumU));
}

/** Scores one comparison vector, with each comparison's contribution (the explainable path); `options.lambda` replaces the prior. */
export function scoreVector(model: MatchModel, vector: ComparisonVector, tfU?: TermFrequencyU, options?: PriorOptions): Score {
  checkLength(model, vector);
  let weight = priorOf(model, options);
  const contributions: Contribution[] = [];
  model.comparisons.forEach((c, i) => {
    const level = vector[i]!;
    checkLevel(model, i, level);
    if (level === -1) {
      contributions.push({ comparison: c.name, level: 'null', weight: 0 });
      return;
    }
    const l = c.levels[level]!;
    const w = Math.log2(l.m / l.u);
    weight += w;
    contributions.push({ comparison: c.name, level: l.label, weight: w });
    if (c.tf !== undefined && tfU !== undefined && level === c.tf.level) {
      const uTf = tfU(i);
      if (uTf !== undefined) {
        const t = tfWeight(l.u, uTf, c.tf.minimumU, c.name);
        weight += t;
        contributions.push({ comparison: c.name, level: `${l.label} (term frequency)`, weight: t });
      }
    }
  });
  return { weight, probability: weightToProbability(weight), contributions };
}

export type Decision = 'match' | 'possible' | 'no-match';

/** 'match' at or above thresholds.match, 'possible' at or above thresholds.possible, else 'no-match'. */
export function decide(model: MatchModel, probability: number): Decision {
  if (probability >= model.thresholds.match) return 'match';
  if (probability >= model.thresholds.possible) return 'possible';
  return 'no-match';
}

/**
 * The fast path: `scorer(vector)` gives weight and probability, `scorer.weight(vector)`
 * the weight alone without allocating. Same results as `scoreVector` (no contributions).
 */
export type CompiledScorer = ((vector: ComparisonVector, tfU?: TermFrequencyU) => { weight: number; probability: number }) & {
  weight: (vector: ComparisonVector, tfU?: TermFrequencyU) => number;
  probability: (vector: ComparisonVector, tfU?: TermFrequencyU) => number;
};

/**
 * Precomputes every level's weight into one Float64Array: comparison i owns the slots
 * from base[i], the first (weight 0) for the null level −1, then one per level, so a
 * vector scores as prior + Σ W[base[i] + 1 + level]: a loop of additions, with an
 * integer range check per level so a bad level throws instead of reading a neighbour's slot.
 * `options.lambda` replaces the model's prior (see priorForIndexSize).
 */
export function compileScorer(model: MatchModel, options?: PriorOptions): CompiledScorer {
  const parsed = MatchModelSchema.parse(model);
  const n = parsed.comparisons.length;
  const base = new Int32Array(n);
  const counts = new Int32Array(n);
  const tfLevel = new Int32Array(n).fill(-2);
  const tfMinU = new Float64Array(n);
  const tfULevel = new Float64Array(n);
  let size = 0;
  parsed.comparisons.forEach((c, i) => {
    base[i] = size;
    counts[i] = c.levels.length;
    size += c.levels.length + 1;
    if (c.tf !== undefined) {
      tfLevel[i] = c.tf.level;
      tfMinU[i] = c.tf.minimumU;
      tfULevel[i] = c.levels[c.tf.level]!.u;
    }
  });
  const weights = new Float64Array(size);
  parsed.comparisons.forEach((c, i) => c.levels.forEach((l, k) => (weights[base[i]! + 1 + k] = Math.log2(l.m / l.u))));
  const prior = priorOf(parsed, options);
  const names = parsed.comparisons.map((c) => c.name);

  const weight = (vector: ComparisonVector, tfU?: TermFrequencyU): number => {
    if (vector.length !== n) throw new RangeError(`comparison vector has ${vector.length} levels; the model has ${n} comparisons`);
    let w = prior;
    for (let i = 0; i < n; i++) {
      const level = vector[i]!;
      if ((level | 0) !== level || level < -1 || level >= counts[i]!) {
        throw new RangeError(`comparison ${names[i]}: level ${level} is not -1 or a level index below ${counts[i]}`);
      }
      w += weights[base[i]! + 1 + level]!;
      if (tfU !== undefined && level === tfLevel[i]) {
        const uTf = tfU(i);
        if (uTf !== undefined) w += tfWeight(tfULevel[i]!, uTf, tfMinU[i]!, names[i]!);
      }
    }
    return w;
  };
  const probabilityOf = (vector: ComparisonVector, tfU?: TermFrequencyU): number => weightToProbability(weight(vector, tfU));
  const score = (vector: ComparisonVector, tfU?: TermFrequencyU) => {
    const w = weight(vector, tfU);
    return { weight: w, probability: weightToProbability(w) };
  };
  return Object.assign(score, { weight, probability: probabilityOf });
}

/**
 * Unsupervised training of the match model, as Splink does it: u from random pairs
 * (almost all non-matches), then m by expectation–maximisation over the candidate pairs
 * with u held fixed, one session per blocking rule. Pure functions over comparison
 * vectors; the caller makes the pairs.
 */
import { MatchModelSchema, type MatchModel } from './model.js';
import type { ComparisonDef, ComparisonVector } from './types.js';

function checkVector(vector: ComparisonVector, comparisons: readonly ComparisonDef[]): void {
  if (vector.length !== comparisons.length) {
    throw new RangeError(`comparison vector has ${vector.length} levels; there are ${comparisons.length} comparisons`);
  }
  for (let i = 0; i < vector.length; i++) {
    const level = vector[i]!;
    const n = comparisons[i]!.levels.length;
    if (!Number.isInteger(level) || level < -1 || level >= n) {
      throw new RangeError(`comparison ${comparisons[i]!.name}: level ${level} is not -1 or a level index below ${n}`);
    }
  }
}

/**
 * u[i][level] = P(level | non-match), from the level frequencies among random pairs
 * (with λ small, nearly all of them are non-matches). Null levels are not counted.
 *
 * Smoothing: each level gets one pseudo-count, u = (count + 1) / (non-null pairs + levels).
 * A level never seen among the sample (an exact date of birth, a rare exact name among a
 * few thousand pairs) would otherwise get u = 0 and a weight log2(m/0) = +infinity, so
 * one agreeing field would override every disagreement and the model would be refused
 * (u must be above 0). The pseudo-count bounds that weight by the sample size and its
 * bias vanishes as the sample grows (≈ levels/n: under 1e-4 for 6 levels at 100,000
 * pairs). A comparison with no non-null pair at all gets the uniform 1/levels.
 */
export function estimateU(vectorsOfRandomPairs: Iterable<ComparisonVector>, comparisons: ComparisonDef[]): number[][] {
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
  for (const vector of vectorsOfRandomPairs) {
    checkVector(vector, comparisons);
    for (let i = 0; i < vector.length; i++) {
      const level = vector[i]!;
      if (level >= 0) counts[i]![level]!++;
    }
  }
  return counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((n) => (n + 1) / (total + c.length));
  });
}

export interface EstimateMOptions {
  /** Starting λ: the share of the candidate pairs thought to be matches. */
  lambda: number;
  /** Default 100. */
  maxIterations?: number;
  /** Stop when no m and not λ moves by more than this in an iteration. Default 1e-4 (Splink's em_convergence). */
  tolerance?: number;
  /**
   * Comparisons not trained in this session because the candidate pairs were blocked on
   * them (they agree by construction, so they say nothing about match status here). They
   * are left out of the expectation step and their m comes back as it started.
   */
  fixed?: string[];
  /** Starting m per comparison (e.g. from an earlier session); by default each level has three times the next one's share. */
  startM?: number[][];
}

export interface EstimateMResult {
  m: number[][];
  /** λ re-estimated: the expected share of matches among these candidate pairs (not among all pairs). */
  lambda: number;
  iterations: number;
  converged: boolean;
}

/** m never goes below this, so no level's weight is −infinity and the model stays valid. */
export const MIN_M = 1e-6;

function defaultM(levels: number): number[] {
  const raw = Array.from({ length: levels }, (_, k) => 3 ** (levels - 1 - k));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((x) => x / sum);
}

function floorAndNormalise(m: number[]): number[] {
  const floored = m.map((x) => Math.max(x, MIN_M));
  const sum = floored.reduce((a, b) => a + b, 0);
  return floored.map((x) => x / sum);
}

/**
 * m[i][level] = P(level | match) by EM over the candidate pairs with u fixed (Splink's
 * training session). Identical vectors are grouped first, so each iteration costs the
 * number of distinct vectors. E step: each pattern's match probability from the current
 * m, λ and the fixed u over the trained comparisons (a null level contributes nothing).
 * M step: m[i][l] = Σ p over pairs at level l / Σ p over pairs non-null on comparison i;
 * λ = mean p.
 */
export function estimateM(vectors: ComparisonVector[], comparisons: ComparisonDef[], u: number[][], options: EstimateMOptions): EstimateMResult {
  const { lambda: lambda0, maxIterations = 100, tolerance = 1e-4, fixed = [], startM } = options;
  if (!(lambda0 > 0 && lambda0 < 1)) throw new RangeError(`starting lambda ${lambda0} must be between 0 and 1`);
  if (u.length !== comparisons.length) throw new RangeError(`u has ${u.length} comparisons; there are ${comparisons.length}`);
  comparisons.forEach((c, i) => {
    const ui = u[i]!;
    if (ui.length !== c.levels.length || ui.some((x) => !(x > 0 && x <= 1))) {
      throw new RangeError(`u for ${c.name} must have ${c.levels.length} probabilities above 0`);
    }
    const si = startM?.[i];
    if (startM !== undefined && (si === undefined || si.length !== c.levels.length || si.some((x) => !(x > 0 && x <= 1)))) {
      throw new RangeError(`startM for ${c.name} must have ${c.levels.length} probabilities above 0`);
    }
  });
  for (const name of fixed) {
    if (!comparisons.some((c) => c.name === name)) throw new RangeError(`fixed comparison ${name} is not one of the comparisons`);
  }
  const trained = comparisons.map((c) => !fixed.includes(c.name));
  const n = comparisons.length;

  // Group identical vectors: patterns[k] levels, weights[k] how many pairs.
  const groups = new Map<string, { levels: number[]; count: number }>();
  for (const v of vectors) {
    checkVector(v, comparisons);
    const key = v.join(',');
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { levels: [...v], count: 1 });
  }
  const patterns = [...groups.values()];
  const total = vectors.length;
  if (total === 0) throw new RangeError('no candidate pairs to train on');

  let m = comparisons.map((c, i) => (startM ? [...startM[i]!] : defaultM(c.levels.length)));
  let lambda = lambda0;
  const logU = u.map((ui) => ui.map(Math.log));
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    const logM = m.map((mi) => mi.map(Math.log));
    const acc = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
    let pSum = 0;
    const prior = Math.log(lambda / (1 - lambda));
    for (const { levels, count } of patterns) {
      let logit = prior;
      for (let i = 0; i < n; i++) {
        const l = levels[i]!;
        if (l >= 0 && trained[i]) logit += logM[i]![l]! - logU[i]![l]!;
      }
      const p = logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
      const w = p * count;
      pSum += w;
      for (let i = 0; i < n; i++) {
        const l = levels[i]!;
        if (l >= 0 && trained[i]) acc[i]![l]! += w;
      }
    }
    const next = m.map((mi, i) => {
      if (!trained[i]) return mi;
      const sum = acc[i]!.reduce((a, b) => a + b, 0);
      return sum > 0 ? floorAndNormalise(acc[i]!.map((x) => x / sum)) : mi; // all null here: nothing learnt
    });
    // λ stays strictly inside (0, 1) so the next prior is finite.
    const nextLambda = Math.min(Math.max(pSum / total, 1e-12), 1 - 1e-12);
    let change = Math.abs(nextLambda - lambda);
    next.forEach((mi, i) => mi.forEach((x, l) => (change = Math.max(change, Math.abs(x - m[i]![l]!)))));
    m = next;
    lambda = nextLambda;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, lambda, iterations, converged };
}

/** The model from trained parameters, with level labels from the comparison definitions; checked by MatchModelSchema. */
export function buildModel(
  comparisons: ComparisonDef[],
  u: number[][],
  m: number[][],
  lambda: number,
  thresholds: { match: number; possible: number },
  tf?: Record<string, { level: number; minimumU: number }>,
): MatchModel {
  if (u.length !== comparisons.length || m.length !== comparisons.length) {
    throw new RangeError(`m and u need one entry per comparison (${comparisons.length})`);
  }
  for (const name of Object.keys(tf ?? {})) {
    if (!comparisons.some((c) => c.name === name)) throw new RangeError(`tf for ${name}: not one of the comparisons`);
  }
  return MatchModelSchema.parse({
    version: 1,
    lambda,
    comparisons: comparisons.map((c, i) => {
      if (u[i]!.length !== c.levels.length || m[i]!.length !== c.levels.length) {
        throw new RangeError(`comparison ${c.name}: m and u need ${c.levels.length} levels`);
      }
      const t = tf?.[c.name];
      return {
        name: c.name,
        levels: c.levels.map((label, l) => ({ label, m: m[i]![l]!, u: u[i]![l]! })),
        ...(t ? { tf: { level: t.level, minimumU: t.minimumU } } : {}),
      };
    }),
    thresholds,
  });
}

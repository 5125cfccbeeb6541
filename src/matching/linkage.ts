/**
 * Batch linkage and deduplication (the analyst's `sgw link` and the benchmarks): blocking
 * → candidate pairs → comparison vectors → scores; the unsupervised training pipeline that
 * makes a model from a data set; and evaluation against a truth column (pairwise precision,
 * recall and F1, pair completeness of blocking, over-merged clusters).
 *
 * Link mode compares every left record with every right record that shares a blocking key;
 * dedupe mode (no right side) compares each record with the later records sharing a key.
 * Pairs are held in typed arrays (left index, right index), so a few million pairs cost a
 * few tens of MB. Everything here is pure: records in, numbers out; files are the CLI's.
 */
import { BLOCKING_RULES, blockingKeys, type BlockingRule } from './blocking.js';
import { COMPARISONS, comparatorFor, prepare, type Comparator, type PreparedRecord } from './comparisons.js';
import { compileScorer, type MatchModel, type TermFrequencyU } from './model.js';
import { buildModel, estimateM, estimateU } from './training.js';
import type { ComparisonDef, MatchRecord } from './types.js';

/** Pairs of record indexes: left[k] in the left records, right[k] in the right records (the left ones again when deduplicating). */
export interface PairList {
  left: Int32Array;
  right: Int32Array;
  count: number;
}

class PairBuffer {
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  count = 0;
  push(i: number, j: number): void {
    if (this.count === this.left.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    this.left[this.count] = i;
    this.right[this.count] = j;
    this.count++;
  }
  done(): PairList {
    return { left: this.left.subarray(0, this.count), right: this.right.subarray(0, this.count), count: this.count };
  }
}

export interface BlockingOptions {
  rules?: readonly BlockingRule[];
  /** A key shared by more records than this (on the indexed side) makes no pairs: it is too common to be evidence and would flood the run. Default 5,000. */
  maxBlockSize?: number;
}

export interface BlockingResult extends PairList {
  /** Keys skipped because their block was larger than maxBlockSize. */
  skippedBlocks: number;
}

/**
 * Candidate pairs: every pair of records sharing at least one blocking key (the OR of the
 * rules), each pair once. Dedupe mode when `right` is undefined: pairs (i, j) with i < j.
 */
export function candidatePairs(left: readonly MatchRecord[], right: readonly MatchRecord[] | undefined, options: BlockingOptions = {}): BlockingResult {
  const rules = options.rules ?? BLOCKING_RULES;
  const maxBlock = options.maxBlockSize ?? 5000;
  const indexed = right ?? left;
  const index = new Map<string, number[]>();
  for (let j = 0; j < indexed.length; j++) {
    for (const k of blockingKeys(indexed[j]!, rules)) {
      const list = index.get(k);
      if (list === undefined) index.set(k, [j]);
      else list.push(j);
    }
  }
  let skippedBlocks = 0;
  for (const list of index.values()) if (list.length > maxBlock) skippedBlocks++;
  const seen = new Int32Array(indexed.length).fill(-1);
  const out = new PairBuffer();
  for (let i = 0; i < left.length; i++) {
    for (const k of blockingKeys(left[i]!, rules)) {
      const list = index.get(k);
      if (list === undefined || list.length > maxBlock) continue;
      for (const j of list) {
        if (right === undefined && j <= i) continue;
        if (seen[j] === i) continue;
        seen[j] = i;
        out.push(i, j);
      }
    }
  }
  return { ...out.done(), skippedBlocks };
}

/** Share of records carrying each value (e.g. given name 'OLIVIA'), for term-frequency adjustment. */
export type FrequencyTable = ReadonlyMap<string, number>;

/** Frequencies of first given names and surnames over the records (both sides of a link). */
export function termFrequencies(records: Iterable<MatchRecord>): { givenName: FrequencyTable; surname: FrequencyTable } {
  const given = new Map<string, number>();
  const family = new Map<string, number>();
  let g = 0;
  let f = 0;
  for (const r of records) {
    const x = r.givenNames[0];
    if (x) {
      given.set(x, (given.get(x) ?? 0) + 1);
      g++;
    }
    if (r.family) {
      family.set(r.family, (family.get(r.family) ?? 0) + 1);
      f++;
    }
  }
  for (const [k, v] of given) given.set(k, v / g);
  for (const [k, v] of family) family.set(k, v / f);
  return { givenName: given, surname: family };
}

export interface ScoredPairs extends PairList {
  weight: Float64Array;
  probability: Float64Array;
}

export interface ScoreOptions {
  /** Term frequencies for the model's TF levels (by comparison name); without them TF is not applied. */
  frequencies?: Partial<Record<string, FrequencyTable>>;
  /** Called every 100,000 pairs with the number scored so far. */
  onProgress?: (done: number) => void;
}

/** Prepared records and the comparator/scorer for a model: what scoring a pair needs, built once. */
export interface PairScorer {
  readonly comparator: Comparator;
  /** Weight and probability of one pair of prepared records; `vector` is filled with the comparison levels. */
  score(a: PreparedRecord, b: PreparedRecord, vector: Int8Array): number;
}

/**
 * A scorer for one model: the comparator compiled from the model's comparison names, the
 * model's compiled weights, and term-frequency lookups of the exact-match value (the first
 * given name, the surname) on the model's TF levels.
 */
export function pairScorer(model: MatchModel, frequencies: ScoreOptions['frequencies'] = {}): PairScorer {
  const comparator = comparatorFor(model.comparisons.map((c) => c.name));
  const scorer = compileScorer(model);
  const tables = model.comparisons.map((c) => (c.tf ? frequencies[c.name] : undefined));
  const valueOf = model.comparisons.map((c) => (c.name === 'givenName' ? (p: PreparedRecord) => p.given : c.name === 'surname' ? (p: PreparedRecord) => p.family : () => null));
  const anyTf = tables.some((t) => t !== undefined);
  let current: PreparedRecord | null = null;
  const tfU: TermFrequencyU = (i) => {
    const table = tables[i];
    const v = table && current ? valueOf[i]!(current) : null;
    return v === null || v === undefined ? undefined : table!.get(v);
  };
  return {
    comparator,
    score(a, b, vector) {
      comparator.compare(a, b, vector);
      if (!anyTf) return scorer.weight(vector);
      current = a;
      return scorer.weight(vector, tfU);
    },
  };
}

/** Scores every candidate pair with the model (weights and probabilities in typed arrays, in pair order). */
export function scorePairs(model: MatchModel, left: readonly PreparedRecord[], right: readonly PreparedRecord[], pairs: PairList, options: ScoreOptions = {}): ScoredPairs {
  const s = pairScorer(model, options.frequencies);
  const vector = new Int8Array(model.comparisons.length);
  const weight = new Float64Array(pairs.count);
  const probability = new Float64Array(pairs.count);
  for (let k = 0; k < pairs.count; k++) {
    const w = s.score(left[pairs.left[k]!]!, right[pairs.right[k]!]!, vector);
    weight[k] = w;
    probability[k] = w >= 0 ? 1 / (1 + 2 ** -w) : 2 ** w / (1 + 2 ** w);
    if (options.onProgress && k % 100_000 === 99_999) options.onProgress(k + 1);
  }
  return { ...pairs, weight, probability };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sample, so a trained model is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One EM session: pairs blocked on `key` train every comparison except `fixed` (which the blocking makes agree). */
export interface TrainingSession {
  name: string;
  key: (r: MatchRecord) => string | undefined;
  fixed: string[];
}

/** The default sessions (as Splink's examples train): blocked on date of birth, then on first name + surname. */
export const DEFAULT_SESSIONS: readonly TrainingSession[] = [
  { name: 'birth date', key: (r) => r.birthDate, fixed: ['birthDate'] },
  { name: 'first name and surname', key: (r) => (r.givenNames[0] && r.family ? `${r.givenNames[0]}|${r.family}` : undefined), fixed: ['givenName', 'surname'] },
];

export interface TrainOptions {
  /** Comparison names, in order; default the gateway's six. */
  comparisons?: readonly string[];
  /** Random pairs for u. Default 1,000,000 (fewer when the data set has fewer pairs). */
  randomPairs?: number;
  seed?: number;
  sessions?: readonly TrainingSession[];
  /** Term-frequency adjustment on exact first-name and surname agreement. Default true. */
  tf?: boolean;
  blocking?: BlockingOptions;
  thresholds?: { match: number; possible: number };
  /**
   * m and u for comparisons this data set cannot train (a field it never has: historical_50k
   * has no address) are copied from this model's comparison of the same name and levels.
   * Without it such a comparison gets m = u (weight 0).
   */
  fillFrom?: MatchModel;
  /** Progress messages (no personal data): 'u', 'session <name>', 'lambda'. */
  onStep?: (step: string) => void;
}

export interface TrainingReport {
  records: { left: number; right: number | null };
  randomPairs: number;
  sessions: { name: string; pairs: number; iterations: number; converged: boolean }[];
  candidatePairs: number;
  lambda: number;
  /** Expected number of matching pairs in the data set under the trained model. */
  expectedMatches: number;
  /** Comparisons the data set could not train (always empty); filled from `fillFrom` or given weight 0. */
  untrained: string[];
  /** Of those, the ones copied from `fillFrom`. */
  filled: string[];
}

export interface TrainResult {
  model: MatchModel;
  report: TrainingReport;
}

function sessionPairs(left: readonly MatchRecord[], right: readonly MatchRecord[] | undefined, key: TrainingSession['key'], maxBlock: number): PairList {
  return candidatePairs(left, right, { rules: [{ name: 'session', key }], maxBlockSize: maxBlock });
}

function vectorsOf(pairs: PairList, L: readonly PreparedRecord[], R: readonly PreparedRecord[], comparator: Comparator): number[][] {
  const out: number[][] = new Array<number[]>(pairs.count);
  for (let k = 0; k < pairs.count; k++) out[k] = comparator.compare(L[pairs.left[k]!]!, R[pairs.right[k]!]!, new Array<number>(comparator.defs.length));
  return out;
}

/**
 * Trains a model from a data set without labels, as Splink does:
 *   1. u from random pairs (almost all non-matches), level frequencies with one pseudo-count;
 *   2. m by EM with u fixed, one session per training blocking rule, each comparison's m the
 *      mean over the sessions that trained it;
 *   3. λ, the prior that two random records match, as the fixed point of
 *      λ = Σ P(match | pair; λ) / (all pairs) over the candidate pairs;
 *   4. term-frequency adjustment on exact first-name and surname agreement.
 * Thresholds are `options.thresholds` (default match 0.99, possible 0.5); choose them on
 * labelled data with chooseThresholds.
 */
export function trainModel(left: readonly MatchRecord[], right: readonly MatchRecord[] | undefined, options: TrainOptions = {}): TrainResult {
  const names = options.comparisons ?? COMPARISONS.map((c) => c.name);
  const comparator = comparatorFor(names);
  const defs: ComparisonDef[] = comparator.defs;
  const step = options.onStep ?? (() => {});
  const maxBlock = options.blocking?.maxBlockSize ?? 5000;
  if (left.length < 2 || (right !== undefined && right.length < 1)) throw new RangeError('training needs at least two records');
  const L = left.map(prepare);
  const R = right === undefined ? L : right.map(prepare);
  const totalPairs = right === undefined ? (left.length * (left.length - 1)) / 2 : left.length * right.length;

  // 1. u from random pairs.
  step('u');
  const rand = seededRandom(options.seed ?? 42);
  const nRandom = Math.max(1, Math.min(options.randomPairs ?? 1_000_000, Math.floor(totalPairs)));
  const randomVectors: number[][] = [];
  for (let k = 0; k < nRandom; k++) {
    const i = Math.floor(rand() * L.length);
    let j = Math.floor(rand() * R.length);
    if (right === undefined && j === i) j = (j + 1) % R.length;
    randomVectors.push(comparator.compare(L[i]!, R[j]!, new Array<number>(defs.length)));
  }
  const u = estimateU(randomVectors, defs);

  // 2. m by EM, one session per training rule.
  const sessions = options.sessions ?? DEFAULT_SESSIONS;
  const mSum = defs.map((c) => new Array<number>(c.levels.length).fill(0));
  const mCount = defs.map(() => 0);
  const sessionReports: TrainingReport['sessions'] = [];
  for (const s of sessions) {
    step(`session ${s.name}`);
    const pairs = sessionPairs(left, right, s.key, maxBlock);
    if (pairs.count === 0) {
      sessionReports.push({ name: s.name, pairs: 0, iterations: 0, converged: false });
      continue;
    }
    const fixed = s.fixed.filter((f) => names.includes(f));
    const vectors = vectorsOf(pairs, L, R, comparator);
    // Starting λ: the share of session pairs that agree exactly on first name and surname, floored.
    const gi = names.indexOf('givenName');
    const si = names.indexOf('surname');
    const agreeing = gi >= 0 && si >= 0 && !fixed.includes('givenName') ? vectors.filter((v) => v[gi] === 0 && v[si] === 0).length : 0;
    const lambda0 = Math.min(0.5, Math.max(0.01, agreeing / vectors.length));
    const em = estimateM(vectors, defs, u, { lambda: lambda0, fixed });
    sessionReports.push({ name: s.name, pairs: pairs.count, iterations: em.iterations, converged: em.converged });
    defs.forEach((c, i) => {
      if (fixed.includes(c.name)) return;
      if (!vectors.some((v) => v[i]! >= 0)) return; // all null in this session: nothing learnt
      em.m[i]!.forEach((x, l) => (mSum[i]![l]! += x));
      mCount[i]!++;
    });
  }
  // A comparison no session could train (the field is always empty in this data set) gets
  // m = u: weight 0 at every level, no evidence either way; see TrainOptions.fillFrom.
  const untrained: string[] = [];
  const m = defs.map((c, i) => {
    if (mCount[i] === 0) {
      untrained.push(c.name);
      return [...u[i]!];
    }
    return mSum[i]!.map((x) => x / mCount[i]!);
  });
  const fill = options.fillFrom;
  if (fill) {
    for (const name of untrained) {
      const source = fill.comparisons.find((c) => c.name === name);
      const i = names.indexOf(name);
      if (!source || source.levels.map((l) => l.label).join('|') !== defs[i]!.levels.join('|')) {
        throw new RangeError(`comparison ${name} cannot be trained on this data set and the fill-from model has no ${name} comparison with the levels ${defs[i]!.levels.join(', ')}`);
      }
      m[i] = source.levels.map((l) => l.m);
      u[i] = source.levels.map((l) => l.u);
    }
  }

  // 3. λ by fixed point over the candidate pairs.
  step('lambda');
  const blocked = candidatePairs(left, right, options.blocking);
  const all = [...left, ...(right ?? [])];
  const frequencies = options.tf === false ? {} : termFrequencies(all);
  const tf = options.tf === false ? undefined : Object.fromEntries(['givenName', 'surname'].filter((n) => names.includes(n)).map((n) => [n, { level: 0, minimumU: 0.001 }]));
  const provisional = buildModel(defs, u, m, 0.5, { match: 0.99, possible: 0.5 }, tf);
  // Weights without the prior (λ = 0.5 gives a prior weight of 0).
  const w = scorePairs(provisional, L, R, blocked, { frequencies }).weight;
  let lambda = Math.min(0.5, Math.max(1 / totalPairs, Math.min(left.length, right?.length ?? left.length) / totalPairs));
  let expected = 0;
  for (let iter = 0; iter < 50; iter++) {
    const prior = Math.log2(lambda / (1 - lambda));
    expected = 0;
    for (let k = 0; k < w.length; k++) {
      const x = prior + w[k]!;
      expected += x >= 0 ? 1 / (1 + 2 ** -x) : 2 ** x / (1 + 2 ** x);
    }
    const next = Math.min(0.5, Math.max(1e-12, expected / totalPairs));
    const done = Math.abs(next - lambda) / lambda < 1e-4;
    lambda = next;
    if (done) break;
  }
  const model = buildModel(defs, u, m, lambda, options.thresholds ?? { match: 0.99, possible: 0.5 }, tf);
  return {
    model,
    report: {
      records: { left: left.length, right: right?.length ?? null },
      randomPairs: nRandom,
      sessions: sessionReports,
      candidatePairs: blocked.count,
      lambda,
      expectedMatches: expected,
      untrained,
      filled: fill ? untrained : [],
    },
  };
}

// ---------------------------------------------------------------------------------------
// Evaluation against a truth column.

/** Which part of the data a record belongs to, by a fixed hash of its true entity: 70% train, 15% tune, 15% test. */
export type Split = 'train' | 'tune' | 'test';

/** FNV-1a of the entity, so the split is the same on every machine and run. */
export function splitOf(entity: string): Split {
  let h = 0x811c9dc5;
  for (let i = 0; i < entity.length; i++) h = Math.imul(h ^ entity.charCodeAt(i), 0x01000193);
  const bucket = (h >>> 0) % 100;
  return bucket < 70 ? 'train' : bucket < 85 ? 'tune' : 'test';
}

export interface Truth {
  /** True entity of each left record ('' = unknown: never a true match). */
  left: readonly string[];
  /** True entity of each right record; undefined when deduplicating. */
  right?: readonly string[] | undefined;
}

export interface Evaluation {
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** True pairs among the candidate pairs / all true pairs. */
  pairCompleteness: number;
  truePairs: number;
  /** Connected components of the pairs at or above the threshold that hold records of two or more true entities. */
  overMergedClusters: number;
  /** Components with two or more records. */
  clusters: number;
}

function keep(entity: string, split: Split | undefined): boolean {
  return split === undefined || splitOf(entity) === split;
}

/** All true pairs among the records of a split: Σ nL(e)·nR(e) when linking, Σ n(e)(n(e)−1)/2 when deduplicating. */
export function countTruePairs(truth: Truth, split?: Split): number {
  const count = (xs: readonly string[]) => {
    const c = new Map<string, number>();
    for (const e of xs) if (e !== '' && keep(e, split)) c.set(e, (c.get(e) ?? 0) + 1);
    return c;
  };
  const l = count(truth.left);
  if (truth.right === undefined) {
    let n = 0;
    for (const v of l.values()) n += (v * (v - 1)) / 2;
    return n;
  }
  const r = count(truth.right);
  let n = 0;
  for (const [e, v] of l) n += v * (r.get(e) ?? 0);
  return n;
}

function pairIn(truth: Truth, i: number, j: number, split: Split | undefined): { inSplit: boolean; match: boolean } {
  const a = truth.left[i]!;
  const b = (truth.right ?? truth.left)[j]!;
  return { inSplit: keep(a, split) && keep(b, split), match: a !== '' && a === b };
}

function unionFind(n: number) {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  return {
    find,
    union(a: number, b: number) {
      const x = find(a);
      const y = find(b);
      if (x !== y) parent[x] = y;
    },
  };
}

/**
 * Counts clusters (connected components of the pairs at or above `threshold`, as Splink's
 * cluster_pairwise_predictions_at_threshold makes them) and the over-merged ones: a
 * component holding records of two or more true entities, i.e. two people made one.
 */
export function clusterCounts(scored: ScoredPairs, truth: Truth, threshold: number, split?: Split): { clusters: number; overMerged: number } {
  const nL = truth.left.length;
  const n = truth.right === undefined ? nL : nL + truth.right.length;
  const uf = unionFind(n);
  const touched = new Uint8Array(n);
  for (let k = 0; k < scored.count; k++) {
    if (scored.probability[k]! < threshold) continue;
    const i = scored.left[k]!;
    const j = scored.right[k]!;
    if (!pairIn(truth, i, j, split).inSplit) continue;
    const b = truth.right === undefined ? j : nL + j;
    uf.union(i, b);
    touched[i] = 1;
    touched[b] = 1;
  }
  const entityOf = (x: number) => (x < nL ? truth.left[x]! : truth.right![x - nL]!);
  const first = new Map<number, string>();
  const mixed = new Set<number>();
  let clusters = 0;
  for (let x = 0; x < n; x++) {
    if (!touched[x]) continue;
    const root = uf.find(x);
    const e = entityOf(x) || `unknown:${x}`;
    const f = first.get(root);
    if (f === undefined) {
      first.set(root, e);
      clusters++;
    } else if (f !== e) mixed.add(root);
  }
  return { clusters, overMerged: mixed.size };
}

/** Pairwise precision, recall and F1 at a threshold, pair completeness and over-merged clusters; restricted to one split when given. */
export function evaluate(scored: ScoredPairs, truth: Truth, threshold: number, split?: Split): Evaluation {
  let tp = 0;
  let fp = 0;
  let blockedTrue = 0;
  for (let k = 0; k < scored.count; k++) {
    const { inSplit, match } = pairIn(truth, scored.left[k]!, scored.right[k]!, split);
    if (!inSplit) continue;
    if (match) blockedTrue++;
    if (scored.probability[k]! < threshold) continue;
    if (match) tp++;
    else fp++;
  }
  const truePairs = countTruePairs(truth, split);
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  const { clusters, overMerged } = clusterCounts(scored, truth, threshold, split);
  return {
    threshold,
    tp,
    fp,
    fn: truePairs - tp,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    pairCompleteness: truePairs === 0 ? 1 : blockedTrue / truePairs,
    truePairs,
    overMergedClusters: overMerged,
    clusters,
  };
}

export interface ThresholdChoice {
  /** Lowest threshold (a midpoint between two observed scores) that keeps precision at or above the target with the most recall. */
  match: number;
  /** The threshold of the best F1, or `match` if that is higher. */
  possible: number;
  bestF1: { threshold: number; f1: number };
}

/**
 * Chooses thresholds on labelled pairs of one split (the tuning split; never the test
 * split): sweeps the scores from the top, and takes for `match` the point with the most
 * true pairs whose precision is at least `targetPrecision`, and for `possible` the point of
 * best F1 (at most `match`). Thresholds sit halfway (in weight) between the last score kept
 * and the next one down, so the same scores just above are kept elsewhere too.
 */
export function chooseThresholds(scored: ScoredPairs, truth: Truth, split: Split | undefined, targetPrecision = 0.999): ThresholdChoice {
  const idx: number[] = [];
  const labels: boolean[] = [];
  for (let k = 0; k < scored.count; k++) {
    const p = pairIn(truth, scored.left[k]!, scored.right[k]!, split);
    if (!p.inSplit) continue;
    idx.push(k);
  }
  idx.sort((a, b) => scored.weight[b]! - scored.weight[a]!);
  for (const k of idx) labels.push(pairIn(truth, scored.left[k]!, scored.right[k]!, split).match);
  const truePairs = countTruePairs(truth, split);
  let tp = 0;
  let fp = 0;
  let bestStrict = -1;
  let bestStrictTp = -1;
  let bestF1 = -1;
  let bestF1At = -1;
  for (let r = 0; r < idx.length; r++) {
    if (labels[r]) tp++;
    else fp++;
    // Only cut between distinct weights.
    if (r + 1 < idx.length && scored.weight[idx[r + 1]!] === scored.weight[idx[r]!]) continue;
    const precision = tp / (tp + fp);
    const recall = truePairs === 0 ? 1 : tp / truePairs;
    const f1 = (2 * precision * recall) / (precision + recall || 1);
    if (precision >= targetPrecision && tp > bestStrictTp) {
      bestStrictTp = tp;
      bestStrict = r;
    }
    if (f1 > bestF1) {
      bestF1 = f1;
      bestF1At = r;
    }
  }
  const cutAfter = (r: number): number => {
    if (r < 0) return 1 - Number.EPSILON;
    const w = scored.weight[idx[r]!]!;
    const next = r + 1 < idx.length ? scored.weight[idx[r + 1]!]! : w - 2;
    const mid = (w + next) / 2;
    return mid >= 0 ? 1 / (1 + 2 ** -mid) : 2 ** mid / (1 + 2 ** mid);
  };
  const match = cutAfter(bestStrict);
  const f1Threshold = cutAfter(bestF1At);
  return { match, possible: Math.min(match, f1Threshold), bestF1: { threshold: f1Threshold, f1: bestF1 } };
}

/** The best F1 over every threshold on one split (for reporting; the threshold is chosen with the truth visible, so it is an upper bound). */
export function bestF1(scored: ScoredPairs, truth: Truth, split?: Split): { threshold: number; f1: number } {
  return chooseThresholds(scored, truth, split).bestF1;
}

/** The model with new thresholds (checked: possible ≤ match). */
export function withThresholds(model: MatchModel, thresholds: { match: number; possible: number }): MatchModel {
  return { ...model, thresholds: { match: thresholds.match, possible: Math.min(thresholds.possible, thresholds.match) } };
}

/** Prepares records once (what scorePairs takes). */
export function prepareAll(records: readonly MatchRecord[]): PreparedRecord[] {
  return records.map(prepare);
}

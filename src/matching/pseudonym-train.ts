/**
 * Training a pseudonymised match model from encoded records only (no clear text, no
 * linkage secret): candidate pairs from equal blocking and identifier pseudonyms, u from
 * random pairs, m by EM in two sessions (pairs blocked on date of birth train everything
 * but date of birth; pairs blocked on postcode train date of birth), λ from the EM, and,
 * when the truth is given, thresholds chosen on the tuning split (linkage.ts's fixed hash
 * of the true entity: 70% train, 15% tune, 15% test) with the test split's figures.
 *
 * Used by `sgw match train --pseudonymised` and bench/matching-pseudonymised.ts; the
 * model it returns is what createPseudonymMatcher scores with.
 */
import type { Evaluation, ScoredPairs, ThresholdChoice, Truth } from './linkage.js';
import { chooseThresholds, evaluate, seededRandom, withThresholds } from './linkage.js';
import { compileScorer, type MatchModel } from './model.js';
import type { EncodingOptions, PseudonymRecord } from './pseudonym.js';
import { DEFAULT_ENCODING } from './pseudonym.js';
import type { PreparedPseudonym } from './pseudonym-compare.js';
import { candidatePairs, defaultDiceBands, filterDigest, preparePseudonym, pseudonymComparator } from './pseudonym-compare.js';
import { buildModel, estimateM, estimateU } from './training.js';

export interface PseudonymTrainOptions {
  /** The encoding the records were made with: its hardening picks the Dice bands. Default DEFAULT_ENCODING. */
  encoding?: EncodingOptions;
  /** Random pairs for u. Default 200,000. */
  randomPairs?: number;
  /** Seed of the random pairs. Default 42. */
  seed?: number;
  /**
   * Term-frequency adjustment on the top name bands (frequencies of equal filters). Off by
   * default: the gateway's online matcher has no frequency table, and the thresholds must
   * be chosen on the scores it will compute.
   */
  termFrequency?: boolean;
  /** True entity per record: thresholds chosen on the tuning split, figures on the test split. */
  truth?: Truth;
  /** Precision the match threshold keeps on the tuning split. Default 0.999. */
  targetPrecision?: number;
  /** Thresholds when no truth is given. Default match 0.99, possible 0.5. */
  thresholds?: { match: number; possible: number };
  onStep?: (step: string) => void;
}

export interface PseudonymTrainReport {
  records: { left: number; right: number | null };
  candidatePairs: number;
  randomPairs: number;
  sessions: { name: string; pairs: number; iterations: number; converged: boolean }[];
  /** Matches expected among all pairs (from the date-of-birth session's λ and P(same date of birth | match)). */
  expectedMatches: number;
  lambda: number;
  /** Comparisons no record pair had on both sides: weight 0 (m = u) at every level. */
  untrained: string[];
}

export interface PseudonymTrainResult {
  model: MatchModel;
  report: PseudonymTrainReport;
  /** Every candidate pair with its weight and probability under the model (as the online matcher scores them when termFrequency is off). */
  scored: ScoredPairs;
  /** With truth: the thresholds chosen on the tuning split and the test split's figures at them. */
  evaluation?: { choice: ThresholdChoice; test: { match: Evaluation; possible: Evaluation }; tune: { match: Evaluation } };
  /** Dice coefficients computed while scoring the candidate pairs, and the seconds it took. */
  timing: { compareSeconds: number; dice: number };
}

/**
 * Trains on `left` linked with `right`, or on `left` deduplicated when `right` is absent.
 * All records must come from one encoding.
 */
export function trainPseudonymModel(left: readonly PseudonymRecord[], right: readonly PseudonymRecord[] | undefined, options: PseudonymTrainOptions = {}): PseudonymTrainResult {
  const { encoding = DEFAULT_ENCODING, randomPairs = 200_000, seed = 42, termFrequency = false, truth, targetPrecision = 0.999, onStep = () => {} } = options;
  if (left.length < 2 || (right !== undefined && right.length === 0)) throw new RangeError('too few records to train on');
  const stamp = left[0]!.encoding;
  for (const r of [...left, ...(right ?? [])]) if (r.encoding !== stamp) throw new RangeError(`record ${r.id} is of encoding ${r.encoding}, not ${stamp}: train on records of one encoding`);
  if (truth && (truth.left.length !== left.length || (right !== undefined && truth.right?.length !== right.length))) throw new RangeError('the truth needs one entity per record');

  const L = left.map(preparePseudonym);
  const R = right ? right.map(preparePseudonym) : L;
  const comparator = pseudonymComparator(defaultDiceBands(encoding.hardening));
  const { comparisons } = comparator;
  const pairs = candidatePairs(left, right);
  onStep(`${pairs.length.toLocaleString('en-GB')} candidate pairs`);

  const rand = seededRandom(seed);
  const randomVectors: number[][] = [];
  while (randomVectors.length < randomPairs) {
    const i = Math.floor(rand() * L.length);
    const j = Math.floor(rand() * R.length);
    if (!right && i === j) continue;
    randomVectors.push(comparator.compare(L[i]!, R[j]!));
  }
  const u = estimateU(randomVectors, comparisons);
  onStep(`u from ${randomPairs.toLocaleString('en-GB')} random pairs`);

  const diceBefore = comparator.diceCount();
  const t0 = performance.now();
  const vectors = pairs.map(([i, j]) => comparator.compare(L[i]!, R[j]!));
  const compareSeconds = (performance.now() - t0) / 1000;
  const dice = comparator.diceCount() - diceBefore;

  const nPairs = right ? left.length * right.length : (left.length * (left.length - 1)) / 2;
  const guess = right ? Math.min(left.length, right.length) : left.length / 2;
  const session = (rule: string, fixed: string) => {
    const v = candidatePairs(left, right, [rule]).map(([i, j]) => comparator.compare(L[i]!, R[j]!));
    if (v.length === 0) throw new RangeError(`no pairs share a '${rule}' pseudonym: nothing to train on`);
    const em = estimateM(v, comparisons, u, { lambda: Math.min(0.5, guess / v.length), fixed: [fixed] });
    onStep(`EM blocked on ${rule}: ${v.length.toLocaleString('en-GB')} pairs, ${em.iterations} iterations${em.converged ? '' : ' (not converged)'}`);
    return { em, pairs: v.length };
  };
  const byDob = session('dob', 'birthDate');
  const byPostcode = session('postcode', 'postcode');
  const DOB = comparisons.findIndex((c) => c.name === 'birthDate');
  // A comparison no random pair has on both sides (e.g. identifier, when the data set has
  // none) is untrained: m = u, weight 0 at every level (no evidence), as in clear text.
  const untrained = comparisons.filter((_, k) => randomVectors.every((v) => v[k]! < 0)).map((c) => c.name);
  const m = comparisons.map((c, k) => (untrained.includes(c.name) ? [...u[k]!] : k === DOB ? byPostcode.em.m[k]! : byDob.em.m[k]!));
  if (untrained.length > 0) onStep(`not in these records, so weight 0 at every level: ${untrained.join(', ')}`);
  // Matches among the dob-blocked pairs, over the share of matches that have the same date of birth.
  const expectedMatches = Math.min(nPairs / 2, Math.max(1, (byDob.em.lambda * byDob.pairs) / Math.max(m[DOB]![0]!, 1e-6)));
  const lambda = expectedMatches / nPairs;

  const tf = termFrequency ? { givenName: { level: 0, minimumU: 0.001 }, surname: { level: 0, minimumU: 0.001 } } : undefined;
  let model = buildModel(comparisons, u, m, lambda, options.thresholds ?? { match: 0.99, possible: 0.5 }, tf);

  // Scores of every candidate pair (frequencies of equal filters only when asked for).
  const frequency = (field: 'givenName' | 'surname') => {
    const counts = new Map<string, number>();
    const digest = new Map<PreparedPseudonym, string>();
    let total = 0;
    for (const p of right ? [...L, ...R] : L) {
      const bits = p.record.clk[field];
      if (!bits) continue;
      const d = filterDigest(bits);
      digest.set(p, d);
      counts.set(d, (counts.get(d) ?? 0) + 1);
      total++;
    }
    return (p: PreparedPseudonym) => {
      const d = digest.get(p);
      return d === undefined ? undefined : counts.get(d)! / total;
    };
  };
  const score = compileScorer(model);
  const GIVEN = comparisons.findIndex((c) => c.name === 'givenName');
  const SURNAME = comparisons.findIndex((c) => c.name === 'surname');
  const gf = termFrequency ? frequency('givenName') : undefined;
  const sf = termFrequency ? frequency('surname') : undefined;
  const scored: ScoredPairs = { left: new Int32Array(pairs.length), right: new Int32Array(pairs.length), count: pairs.length, weight: new Float64Array(pairs.length), probability: new Float64Array(pairs.length) };
  pairs.forEach(([i, j], k) => {
    const l = L[i]!;
    const s = gf && sf ? score(vectors[k]!, (c) => (c === GIVEN ? gf(l) : c === SURNAME ? sf(l) : undefined)) : score(vectors[k]!);
    scored.left[k] = i;
    scored.right[k] = j;
    scored.weight[k] = s.weight;
    scored.probability[k] = s.probability;
  });

  let evaluation: PseudonymTrainResult['evaluation'];
  if (truth) {
    const choice = chooseThresholds(scored, truth, 'tune', targetPrecision);
    model = withThresholds(model, choice);
    evaluation = {
      choice,
      tune: { match: evaluate(scored, truth, model.thresholds.match, 'tune') },
      test: { match: evaluate(scored, truth, model.thresholds.match, 'test'), possible: evaluate(scored, truth, model.thresholds.possible, 'test') },
    };
    onStep(`thresholds on the tuning split: match p ≥ ${model.thresholds.match.toPrecision(6)}, possible p ≥ ${model.thresholds.possible.toPrecision(6)}`);
  }

  return {
    model,
    report: {
      records: { left: left.length, right: right ? right.length : null },
      candidatePairs: pairs.length,
      randomPairs,
      sessions: [
        { name: 'dob', pairs: byDob.pairs, iterations: byDob.em.iterations, converged: byDob.em.converged },
        { name: 'postcode', pairs: byPostcode.pairs, iterations: byPostcode.em.iterations, converged: byPostcode.em.converged },
      ],
      expectedMatches,
      lambda,
      untrained,
    },
    scored,
    ...(evaluation ? { evaluation } : {}),
    timing: { compareSeconds, dice },
  };
}

// FEBRL4 linkage in pseudonymised mode (B6 of the matching brief): both files are encoded
// (HMAC blocking pseudonyms, hardened per-field Bloom filters) and from then on the
// matcher works on the encodings alone: trainPseudonymModel (src/matching/pseudonym-train.ts,
// what `sgw match train --pseudonymised` runs) blocks on equal pseudonyms, takes u from
// random pairs and m by EM, and chooses thresholds on the tuning split (15% of true
// entities by linkage.ts's fixed hash, as bench/matching.ts does); figures are on the test
// split. No term-frequency adjustment: the gateway's online matcher has none, so these
// are the scores it computes. Rows: each hardening (the deployment default first), random
// hashing, soc_sec_id as an identifier, the guards of the online matcher, and the
// dev-key model applied to records encoded under another key.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { devKeySet } from '../src/crypto/keys.js';
import type { Evaluation, ScoredPairs, Truth } from '../src/matching/linkage.js';
import { evaluate } from '../src/matching/linkage.js';
import { compileScorer, decide } from '../src/matching/model.js';
import { FEBRL_COLUMNS, matchRecordFromRow } from '../src/matching/normalise.js';
import type { EncodingOptions, Hardening, PseudonymRecord } from '../src/matching/pseudonym.js';
import { DEFAULT_ENCODING, HARDENINGS, PSEUDONYM_BLOCKING_RULES, createPseudonymiser } from '../src/matching/pseudonym.js';
import { candidatePairs, defaultDiceBands, preparePseudonym, pseudonymComparator } from '../src/matching/pseudonym-compare.js';
import { guardPseudonymDecision } from '../src/matching/pseudonym-matcher.js';
import type { PseudonymTrainResult } from '../src/matching/pseudonym-train.js';
import { trainPseudonymModel } from '../src/matching/pseudonym-train.js';
import type { MatchRecord } from '../src/matching/types.js';
import { record } from './lib.js';

const DIR = path.resolve(import.meta.dirname, '../../shared/benchmarks/febrl');
if (!fs.existsSync(DIR)) {
  console.log(`${DIR} is not present; nothing to measure`);
  process.exit(0);
}

function load(file: string, withId = false): MatchRecord[] {
  const rows = parse<Record<string, string>>(fs.readFileSync(path.join(DIR, file)), { columns: true, trim: true, skip_empty_lines: true });
  // B1 in pseudonymised form: soc_sec_id (standing in for an NHS number) as an HMAC'd identifier.
  return rows.map((row) => ({ ...matchRecordFromRow(row, FEBRL_COLUMNS), ...(withId ? { identifier: row.soc_sec_id?.trim() || undefined } : {}) }));
}
const clear = { plain: [load('dataset4a.csv'), load('dataset4b.csv')], withId: [load('dataset4a.csv', true), load('dataset4b.csv', true)] };
// The development linkage key (what `sgw match train --pseudonymised --dev-key` uses; the data are synthetic).
const DEV = devKeySet().linkageSecret;
const OTHER = crypto.createHash('sha256').update('sgw bench: another deployment key').digest();
const entity = (r: MatchRecord) => /^rec-(\d+)/.exec(r.id)![1]!;

interface Result {
  label: string;
  encodePerSecond: number;
  train: PseudonymTrainResult;
  match: Evaluation;
  possible: Evaluation;
  seconds: number;
}

function encode(secret: Uint8Array, options: EncodingOptions, withId: boolean): { left: PseudonymRecord[]; right: PseudonymRecord[]; perSecond: number; truth: Truth } {
  const encoder = createPseudonymiser(secret, options);
  const [lc, rc] = withId ? clear.withId : clear.plain;
  const t = performance.now();
  const left = lc!.map((r) => encoder.record(r));
  const right = rc!.map((r) => encoder.record(r));
  return { left, right, perSecond: (left.length + right.length) / ((performance.now() - t) / 1000), truth: { left: lc!.map(entity), right: rc!.map(entity) } };
}

function run(hardening: Hardening, variant: { identifier?: boolean; randomHashing?: boolean } = {}): Result {
  const { identifier = false, randomHashing = false } = variant;
  const t0 = performance.now();
  const options: EncodingOptions = { ...DEFAULT_ENCODING, hardening, ...(randomHashing ? { hashing: 'random' as const } : {}) };
  const { left, right, perSecond, truth } = encode(DEV, options, identifier);
  // From here on: encodings only (the truth is used to choose thresholds and to score the result).
  const train = trainPseudonymModel(left, right, { encoding: options, truth });
  return {
    label: `${hardening}${hardening === DEFAULT_ENCODING.hardening && !randomHashing ? ' (default)' : ''}${randomHashing ? ', random hashing' : ''}${identifier ? ', soc_sec_id as identifier' : ''}`,
    encodePerSecond: perSecond,
    train,
    match: train.evaluation!.test.match,
    possible: train.evaluation!.test.possible,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Test-split figures of the default model after the online matcher's guards (a guarded pair is 'possible', not 'match'). */
function guarded(r: Result, secret: Uint8Array): { match: Evaluation; lowered: number; loweredTrue: number } {
  const { left, right, truth } = encode(secret, DEFAULT_ENCODING, false);
  const model = r.train.model;
  const comparator = pseudonymComparator(defaultDiceBands(DEFAULT_ENCODING.hardening));
  const surnameLevels = model.comparisons[2]!.levels.length;
  const L = left.map(preparePseudonym);
  const R = right.map(preparePseudonym);
  const pairs = candidatePairs(left, right);
  const score = compileScorer(model);
  const scored: ScoredPairs = { left: new Int32Array(pairs.length), right: new Int32Array(pairs.length), count: pairs.length, weight: new Float64Array(pairs.length), probability: new Float64Array(pairs.length) };
  let lowered = 0;
  let loweredTrue = 0;
  pairs.forEach(([i, j], k) => {
    const v = comparator.compare(L[i]!, R[j]!);
    const s = score(v);
    const g = guardPseudonymDecision(v, decide(model, s.probability), surnameLevels);
    scored.left[k] = i;
    scored.right[k] = j;
    scored.weight[k] = s.weight;
    // A guarded pair is kept below the match threshold (it goes to the review queue).
    scored.probability[k] = g.guard ? Math.min(s.probability, model.thresholds.match / 2) : s.probability;
    if (g.guard) {
      lowered++;
      if (truth.left[i] === truth.right![j]) loweredTrue++;
    }
  });
  return { match: evaluate(scored, truth, model.thresholds.match, 'test'), lowered, loweredTrue };
}

const order: Hardening[] = [DEFAULT_ENCODING.hardening, ...HARDENINGS.filter((h) => h !== DEFAULT_ENCODING.hardening)];
const only = process.argv[2] as Hardening | undefined;
const results = only
  ? [run(only)]
  : [...order.map((h) => run(h)), run(DEFAULT_ENCODING.hardening, { randomHashing: true }), run(DEFAULT_ENCODING.hardening, { identifier: true })];
const main = results[0]!;
const withGuards = guarded(main, DEV);
// The claim that a model does not depend on the key: the dev-key model and thresholds, records encoded under another key.
const otherKey = guarded(main, OTHER);
const unguardedOther = (() => {
  const { left, right, truth } = encode(OTHER, DEFAULT_ENCODING, false);
  const retrained = trainPseudonymModel(left, right, { encoding: DEFAULT_ENCODING, truth });
  return retrained;
})();

const f = (x: number) => x.toFixed(4);
const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const row = (label: string, threshold: string, e: Evaluation, extra = '| | | |') => `| ${label} | ${threshold} | ${f(e.precision)} | ${f(e.recall)} | ${f(e.f1)} | ${e.tp} | ${e.fp} | ${e.overMergedClusters} ${extra}`;
const lines = [
  `\`node --import tsx bench/matching-pseudonymised.ts\` (\`npm run bench:matching:pseudonymised\`): FEBRL4 (5,000 × 5,000 records, 5,000 true pairs), no id column, both files encoded with the development linkage key before matching: HMAC-SHA-256 blocking pseudonyms (${PSEUDONYM_BLOCKING_RULES.length} rules) and one ${DEFAULT_ENCODING.length}-bit Bloom filter per field; the matcher sees only the encodings. trainPseudonymModel (as \`sgw match train --pseudonymised\`): u from 200,000 random pairs, m by EM, λ from EM, no term frequencies (the online matcher has none); thresholds chosen on the tuning split (15% of true entities by a fixed hash; match: most recall at precision ≥ 0.999 there), figures on the **test split** (${main.match.truePairs} true pairs).`,
  '',
  `Blocking on pseudonyms: ${n(main.train.report.candidatePairs)} candidate pairs, pair completeness ${f(main.match.pairCompleteness)} on the test split. λ ${main.train.report.lambda.toExponential(3)} (${n(main.train.report.expectedMatches)} expected matches, 5,000 true).`,
  '',
  '| encoding | threshold (tuning split) | precision | recall | F1 | TP | FP | over-merged | encoding records/s | pairs compared/s | run s |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.flatMap((r) => [
    row(r.label, `match p ≥ ${r.match.threshold.toPrecision(4)}`, r.match, `| ${n(r.encodePerSecond)} | ${n(r.train.report.candidatePairs / r.train.timing.compareSeconds)} | ${r.seconds.toFixed(1)} |`),
    row(r.label, `possible p ≥ ${r.possible.threshold.toPrecision(4)}`, r.possible),
  ]),
  row(`${main.label}, with the online matcher's guards`, `match p ≥ ${main.match.threshold.toPrecision(4)}`, withGuards.match),
  row(`${main.label}: dev-key model on records encoded under another key, with guards`, `match p ≥ ${main.match.threshold.toPrecision(4)}`, otherKey.match),
  row(`${main.label}: retrained under the other key (for comparison)`, `match p ≥ ${unguardedOther.model.thresholds.match.toPrecision(4)}`, unguardedOther.evaluation!.test.match),
  '',
  `Guards (all splits): ${withGuards.lowered} candidate pairs at or above the match threshold lowered to 'possible' with the dev key, ${withGuards.loweredTrue} of them true pairs; under the other key ${otherKey.lowered} (${otherKey.loweredTrue} true). Max |Δm| between the dev-key and other-key models: ${f(Math.max(...main.train.model.comparisons.flatMap((c, i) => c.levels.map((l, k) => Math.abs(l.m - unguardedOther.model.comparisons[i]!.levels[k]!.m)))))}; max |Δu|: ${f(Math.max(...main.train.model.comparisons.flatMap((c, i) => c.levels.map((l, k) => Math.abs(l.u - unguardedOther.model.comparisons[i]!.levels[k]!.u)))))}.`,
  'Encoding rate counts tokenising, HMAC blocking keys and hardened filters for all five fields (one core); pairs compared/s counts full comparison vectors (five Dice, plus two for the swap check when surnames differ).',
];
console.log(lines.join('\n'));
if (!only) record('matching (FEBRL4, pseudonymised)', lines);

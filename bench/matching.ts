// Batch matching benchmarks of the matching issue (shared/domain/matching.md §7): FEBRL4
// with and without the identifier column, FEBRL3 deduplication and historical_50k, each
// trained in the run without labels (src/matching/linkage.ts trainModel), thresholds chosen
// on the tuning split (15% of true entities by a fixed hash) and figures on the test split
// (another 15%); plus blocking pair completeness, over-merged clusters and speed.
// `npm run bench:matching` (also in `npm run bench`). Exits 0 without the shared data.
import fs from 'node:fs';
import path from 'node:path';
import { loadColumnMap, comparisonsFor, readDataset } from '../src/cli/link.js';
import {
  candidatePairs,
  chooseThresholds,
  evaluate,
  prepareAll,
  scorePairs,
  termFrequencies,
  trainModel,
  withThresholds,
  type Evaluation,
  type Truth,
} from '../src/matching/linkage.js';
import { record } from './lib.js';

const SHARED = path.resolve(import.meta.dirname, '../../shared/benchmarks');
const COLUMNS = path.resolve(import.meta.dirname, '../config/matching/columns');
if (!fs.existsSync(path.join(SHARED, 'febrl'))) {
  console.log(`${SHARED}/febrl is not present; nothing to measure`);
  process.exit(0);
}

interface Run {
  name: string;
  left: string;
  right?: string;
  columns: string;
  truth: string;
  pattern?: RegExp;
}

const FEBRL = path.join(SHARED, 'febrl');
const RUNS: Run[] = [
  { name: 'B1 FEBRL4 with id (soc_sec_id)', left: `${FEBRL}/dataset4a.csv`, right: `${FEBRL}/dataset4b.csv`, columns: 'febrl-with-id.yaml', truth: 'rec_id', pattern: /rec-(\d+)/ },
  { name: 'B2 FEBRL4 without id', left: `${FEBRL}/dataset4a.csv`, right: `${FEBRL}/dataset4b.csv`, columns: 'febrl.yaml', truth: 'rec_id', pattern: /rec-(\d+)/ },
  { name: 'B3 FEBRL3 dedupe (with id)', left: `${FEBRL}/dataset3.csv`, columns: 'febrl-with-id.yaml', truth: 'rec_id', pattern: /rec-(\d+)/ },
  { name: 'B4 historical_50k dedupe', left: path.join(SHARED, 'splink_historical_50k/historical_figures_with_errors_50k.parquet'), columns: 'historical-50k.yaml', truth: 'cluster' },
];

interface Outcome {
  run: Run;
  seconds: number;
  candidatePairs: number;
  pairCompleteness: number;
  lambda: number;
  thresholds: { match: number; possible: number };
  atMatch: Evaluation;
  atPossible: Evaluation;
  bestTestF1: number;
  scoredPerSecond: number;
  comparisons: number;
}

async function runOne(run: Run): Promise<Outcome> {
  const t0 = performance.now();
  const map = loadColumnMap(path.join(COLUMNS, run.columns));
  const left = await readDataset(run.left, map, run.truth, run.pattern);
  const right = run.right ? await readDataset(run.right, map, run.truth, run.pattern) : undefined;
  const { model: trained, report } = trainModel(left.records, right?.records, { comparisons: comparisonsFor(map) });
  const pairs = candidatePairs(left.records, right?.records);
  const L = prepareAll(left.records);
  const R = right ? prepareAll(right.records) : L;
  const frequencies = termFrequencies([...left.records, ...(right?.records ?? [])]);
  const tScore = performance.now();
  const scored = scorePairs(trained, L, R, pairs, { frequencies });
  const scoreSeconds = (performance.now() - tScore) / 1000;
  const truth: Truth = { left: left.truth!, right: right?.truth };
  const choice = chooseThresholds(scored, truth, 'tune', 0.999);
  const model = withThresholds(trained, choice);
  const atMatch = evaluate(scored, truth, model.thresholds.match, 'test');
  const atPossible = evaluate(scored, truth, model.thresholds.possible, 'test');
  const bestTestF1 = chooseThresholds(scored, truth, 'test').bestF1.f1;
  const seconds = (performance.now() - t0) / 1000;
  return {
    run,
    seconds,
    candidatePairs: pairs.count,
    pairCompleteness: evaluate(scored, truth, 1).pairCompleteness,
    lambda: report.lambda,
    thresholds: model.thresholds,
    atMatch,
    atPossible,
    bestTestF1,
    scoredPerSecond: pairs.count / scoreSeconds,
    comparisons: model.comparisons.length,
  };
}

/** Scoring throughput on one core: FEBRL4 candidate pairs scored (compare + weights + TF) again and again for ≥ 2 s. */
async function throughput(): Promise<{ perSecond: number; pairs: number }> {
  const map = loadColumnMap(path.join(COLUMNS, 'febrl.yaml'));
  const left = await readDataset(`${FEBRL}/dataset4a.csv`, map);
  const right = await readDataset(`${FEBRL}/dataset4b.csv`, map);
  const { model } = trainModel(left.records, right.records, { randomPairs: 100_000 });
  const pairs = candidatePairs(left.records, right.records);
  const L = prepareAll(left.records);
  const R = prepareAll(right.records);
  const frequencies = termFrequencies([...left.records, ...right.records]);
  scorePairs(model, L, R, pairs, { frequencies }); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    scorePairs(model, L, R, pairs, { frequencies });
    n += pairs.count;
  }
  return { perSecond: n / ((performance.now() - t0) / 1000), pairs: n };
}

const outcomes: Outcome[] = [];
for (const run of RUNS) {
  if (!fs.existsSync(run.left)) {
    console.log(`${run.left} is not present; ${run.name} skipped`);
    continue;
  }
  outcomes.push(await runOne(run));
}
// FEBRL4 end to end (read, train, block, score, choose thresholds, evaluate): median of 3.
const e2e = [outcomes.find((o) => o.run.name.startsWith('B2'))!.seconds];
for (let k = 0; k < 2; k++) e2e.push((await runOne(RUNS[1]!)).seconds);
e2e.sort((a, b) => a - b);
const speed = await throughput();

const f = (x: number) => x.toFixed(4);
const lines = [
  '`npm run bench:matching` (bench/matching.ts, in `npm run bench`). Each model trained in the run without labels (u from 1,000,000 random pairs, m by EM blocked on date of birth and on first name + surname, λ by fixed point, TF on exact names); records split by a fixed hash of their true entity into train 70% / tune 15% / test 15%; thresholds chosen on the tuning split (match: most recall at precision ≥ 0.999; possible: best F1), figures on the **test split**. Pair completeness over all records. Over-merged: connected components at the threshold holding two or more true entities.',
  '',
  '| data set | comparisons | candidate pairs | pair completeness | match threshold | P | R | F1 | over-merged | possible threshold | P | R | F1 | over-merged | best F1 (test, truth visible) | run s |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...outcomes.map(
    (o) =>
      `| ${o.run.name} | ${o.comparisons} | ${o.candidatePairs.toLocaleString('en-GB')} | ${f(o.pairCompleteness)} | ${o.thresholds.match.toPrecision(4)} | ${f(o.atMatch.precision)} | ${f(o.atMatch.recall)} | ${f(o.atMatch.f1)} | ${o.atMatch.overMergedClusters} | ${o.thresholds.possible.toPrecision(4)} | ${f(o.atPossible.precision)} | ${f(o.atPossible.recall)} | ${f(o.atPossible.f1)} | ${o.atPossible.overMergedClusters} | ${f(o.bestTestF1)} | ${o.seconds.toFixed(2)} |`,
  ),
  '',
  `Test split sizes (true pairs): ${outcomes.map((o) => `${o.run.name.split(' ')[0]} ${o.atMatch.truePairs.toLocaleString('en-GB')}`).join(', ')}.`,
  '',
  `Speed (one core): FEBRL4 without id end to end ${e2e[1]!.toFixed(2)} s (median of 3: ${e2e.map((x) => x.toFixed(2)).join(', ')}; read both files, train, block, score, choose thresholds, evaluate); scoring (compare six fields + weights + TF) ${Math.round(speed.perSecond).toLocaleString('en-GB')} pairs/s over ${speed.pairs.toLocaleString('en-GB')} pairs.`,
];
console.log(lines.join('\n'));
record('matching (FEBRL4 with and without id, FEBRL3, historical_50k)', lines);

// The online matcher at scale: 1,000,000 synthetic UK-like people in the in-memory index
// (src/matching/memory-index.ts), then single-record lookups of corrupted duplicates of
// indexed people and of people not indexed. Reports build time, index bytes per person
// beyond the raw fields, lookup p50/p95/p99, and the automatic links (right and wrong) and
// reviews of (a) the model alone, (b) with the gateway's guards, (c) with the guards and
// the prior for the index's size (what MemoryIndex.lookup does by default). k of that prior
// is checked on a tuning set of queries (other seeds) before the test queries are counted.
// The people are generated here with a seeded PRNG: synthetic only.
// `node --import tsx bench/matching-index.ts [people]` (default 1,000,000; in `npm run bench`).
import fs from 'node:fs';
import path from 'node:path';
import { guardDecision } from '../src/matching/guards.js';
import { seededRandom } from '../src/matching/linkage.js';
import { MemoryIndex, type IndexMatch } from '../src/matching/memory-index.js';
import { INDEX_PRIOR_K, MatchModelSchema, priorForIndexSize, priorWeight, type Decision } from '../src/matching/model.js';
import type { MatchRecord } from '../src/matching/types.js';
import { record } from './lib.js';
import { corrupt, syntheticPeople } from './matching-synthetic.js';

const PEOPLE = Number(process.argv[2] ?? 1_000_000);
const QUERIES = 3000;
const model = MatchModelSchema.parse(JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../config/matching/model.json'), 'utf8')));

const heap = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const h0 = heap();
const tGen = performance.now();
const people: MatchRecord[] = syntheticPeople(PEOPLE, 7);
const genSeconds = (performance.now() - tGen) / 1000;
const h1 = heap();
const tBuild = performance.now();
const index = MemoryIndex.build(people, model);
const buildSeconds = (performance.now() - tBuild) / 1000;
const h2 = heap();
const mem = index.memory();

// Queries: corrupted duplicates of indexed people (should find them), and new people (should
// not). Two sets from different seeds: 'test' (the figures) and 'tune' (the check of k).
function queries(dupSeed: number, strangerSeed: number) {
  const rand = seededRandom(dupSeed);
  const rows = Array.from({ length: QUERIES }, () => Math.floor(rand() * PEOPLE));
  const duplicates = rows.map((row, k) => corrupt(people[row]!, rand, `dup-${k}`));
  const strangers = syntheticPeople(QUERIES, strangerSeed).map((p, k) => ({ ...p, id: `new-${k}` }));
  return { rows, duplicates, strangers };
}
const test = queries(99, 12345);
const tune = queries(2024, 777);
const { rows: dupRows, duplicates, strangers } = test;

function timeLookups(qs: MatchRecord[]) {
  const times: number[] = [];
  const results = qs.map((q) => {
    const t = performance.now();
    const r = index.lookup(q);
    times.push(performance.now() - t);
    return r;
  });
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  return { results, p50: pct(50), p95: pct(95), p99: pct(99), max: times.at(-1)! };
}
// Warm up the JIT on a few lookups before timing. The timed lookups are the index's defaults:
// guards on, prior for the index's size — configuration (c).
for (const q of duplicates.slice(0, 200)) index.lookup(q);
const dup = timeLookups(duplicates);
const strange = timeLookups(strangers);

/** A lookup's outcome: the automatic link (the best candidate decided 'match'), else whether any candidate is for review. */
interface Outcome {
  link: number | undefined;
  review: boolean;
  /** The candidates' rows with their decisions, to find the original among them. */
  rows: number[];
}
const outcome = (found: { row: number; decision: Decision }[]): Outcome => {
  const link = found.find((m) => m.decision === 'match')?.row;
  return { link, review: link === undefined && found.some((m) => m.decision === 'possible'), rows: found.map((m) => m.row) };
};
const unguarded = (m: IndexMatch): Decision => (m.guard === undefined ? m.decision : 'match');

interface Tally {
  right: number;
  wrong: number;
  review: number;
  originalReturned: number;
  strangerLinks: number;
  strangerReviews: number;
}
function tally(dups: Outcome[], strangerOutcomes: Outcome[], rows: number[]): Tally {
  return {
    right: dups.filter((o, k) => o.link === rows[k]).length,
    wrong: dups.filter((o, k) => o.link !== undefined && o.link !== rows[k]).length,
    review: dups.filter((o) => o.review).length,
    originalReturned: dups.filter((o, k) => o.rows.includes(rows[k]!)).length,
    strangerLinks: strangerOutcomes.filter((o) => o.link !== undefined).length,
    strangerReviews: strangerOutcomes.filter((o) => o.review).length,
  };
}

// (a) and (b): one lookup at the model's λ with the guards on; (a) undoes the guards' lowering.
const atModelPrior = (qs: MatchRecord[]) => qs.map((q) => index.lookup(q, { prior: 'model' }));
const testModel = { dups: atModelPrior(duplicates), strangers: atModelPrior(strangers) };
const a = tally(
  testModel.dups.map((f) => outcome(f.map((m) => ({ row: m.row, decision: unguarded(m) })))),
  testModel.strangers.map((f) => outcome(f.map((m) => ({ row: m.row, decision: unguarded(m) })))),
  dupRows,
);
const b = tally(testModel.dups.map(outcome), testModel.strangers.map(outcome), dupRows);
const c = tally(dup.results.map(outcome), strange.results.map(outcome), dupRows);
// (c′): (c)'s automatic links, with the review band at the model's λ (a person still sees what (b) would queue).
const cReviewAtModel = {
  dups: dup.results.map((f, k) => f.some((m) => m.decision === 'match') || !testModel.dups[k]!.some((m) => m.decision !== 'no-match') ? 0 : 1).reduce((x: number, y) => x + y, 0),
  strangers: strange.results.map((f, k) => f.some((m) => m.decision === 'match') || !testModel.strangers[k]!.some((m) => m.decision !== 'no-match') ? 0 : 1).reduce((x: number, y) => x + y, 0),
};

// The check of k on the tuning queries: the guarded candidates at the model's λ, re-decided
// at λ = min(model λ, k/N) by shifting their weights (a lower prior only lowers weights).
const matchCut = Math.log2(model.thresholds.match / (1 - model.thresholds.match));
const tuneModel = { dups: atModelPrior(tune.duplicates), strangers: atModelPrior(tune.strangers) };
/** How near the best candidate passing the guards of a person not indexed came to the match cut, in bits (negative: below it). */
function closestStranger(found: IndexMatch[][], shift: number): number {
  let best = -Infinity;
  for (const f of found) for (const m of f) if (guardDecision(m.levels, 'match').decision === 'match') best = Math.max(best, m.weight + shift - matchCut);
  return best;
}
const K_GRID = [8, 4, 2, 1, 0.5, 0.25, 0.125];
const sweep = K_GRID.map((k) => {
  const shift = priorWeight(priorForIndexSize(model, index.size, k)) - priorWeight(model.lambda);
  const linkOf = (f: IndexMatch[]) => f.find((m) => m.decision === 'match' && m.weight + shift >= matchCut)?.row;
  const dupLinks = tuneModel.dups.map(linkOf);
  return {
    k,
    right: dupLinks.filter((l, q) => l === tune.rows[q]).length,
    wrong: dupLinks.filter((l, q) => l !== undefined && l !== tune.rows[q]).length + tuneModel.strangers.map(linkOf).filter((l) => l !== undefined).length,
    closest: closestStranger(tuneModel.strangers, shift),
  };
});
// The same margin on the test queries at the default k, and the duplicates whose candidates
// hold another person decided 'match' below the original (linked to nobody else only because
// the original scored higher).
const testClosest = closestStranger(testModel.strangers, priorWeight(index.lambda()) - priorWeight(model.lambda));
const wrongBelow = dup.results.filter((f, k) => f.some((m) => m.decision === 'match' && m.row !== dupRows[k])).length;

const mb = (x: number) => (x / 2 ** 20).toFixed(0);
const ms = (x: number) => x.toFixed(2);
const pc = (x: number) => `${x} (${((100 * x) / QUERIES).toFixed(1)}%)`;
const lambdaEff = index.lambda();
const bits = (x: number) => (x === -Infinity ? 'none' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)} bits`);
const lines = [
  `\`node --expose-gc --import tsx bench/matching-index.ts\` (in \`npm run bench\`): ${PEOPLE.toLocaleString('en-GB')} synthetic UK-like people (seeded generator in bench/matching-synthetic.ts: names with nicknames and double-barrelled forms, dates of birth 2006–2025, sex, UK-format postcodes, addresses from 42 street names × 10 suffixes a town, independent of the postcode; siblings and twins share surname and address, twins never share a first name) in the in-memory index with the default model (config/matching/model.json, λ = ${model.lambda.toExponential(2)}).`,
  '',
  `Generated in ${genSeconds.toFixed(1)} s; index built in ${buildSeconds.toFixed(1)} s: ${mem.distinctKeys.toLocaleString('en-GB')} distinct blocking keys, ${mem.postings.toLocaleString('en-GB')} postings; index structure ${mb(mem.indexBytes)} MiB = **${mem.bytesPerRecord.toFixed(0)} bytes a person** beyond the raw fields${globalThis.gc ? ` (heap and array buffers: raw records ${mb(h1 - h0)} MiB, index +${mb(h2 - h1)} MiB = ${((h2 - h1) / PEOPLE).toFixed(0)} bytes a person)` : ''}.`,
  '',
  `| single-record lookup (defaults: guards, prior for the index's size) | queries | p50 ms | p95 ms | p99 ms | max ms |`,
  '|---|---:|---:|---:|---:|---:|',
  `| corrupted duplicate of an indexed person | ${QUERIES} | ${ms(dup.p50)} | ${ms(dup.p95)} | ${ms(dup.p99)} | ${ms(dup.max)} |`,
  `| person not in the index | ${QUERIES} | ${ms(strange.p50)} | ${ms(strange.p95)} | ${ms(strange.p99)} | ${ms(strange.max)} |`,
  '',
  `Automatic links ('match') and reviews ('possible', no 'match'), test queries (${QUERIES} duplicates, ${QUERIES} people not indexed). An automatic link is the best candidate decided 'match'. **Wrong automatic links** are a not-indexed person linked, or a duplicate linked to someone else.`,
  '',
  '| configuration | duplicates: linked to the original | **duplicates: linked to another person** | duplicates: review | original among the candidates | **not indexed: linked** | not indexed: review |',
  '|---|---:|---:|---:|---:|---:|---:|',
  `| (a) model alone (λ ${model.lambda.toExponential(2)}) | ${pc(a.right)} | **${a.wrong}** | ${a.review} | ${a.originalReturned} | **${a.strangerLinks}** | ${a.strangerReviews} |`,
  `| (b) + guards (guards.ts) | ${pc(b.right)} | **${b.wrong}** | ${b.review} | ${b.originalReturned} | **${b.strangerLinks}** | ${b.strangerReviews} |`,
  `| (c) + guards + prior for the index's size (λ = min(λ, ${INDEX_PRIOR_K}/N) = ${lambdaEff.toExponential(2)}) | ${pc(c.right)} | **${c.wrong}** | ${c.review} | ${c.originalReturned} | **${c.strangerLinks}** | ${c.strangerReviews} |`,
  `| (c′) as (c), review band at the model's λ | ${pc(c.right)} | **${c.wrong}** | ${cReviewAtModel.dups} | ${b.originalReturned} | **${c.strangerLinks}** | ${cReviewAtModel.strangers} |`,
  '',
  `At (c), test queries: the best candidate passing the guards of a person not indexed is ${bits(testClosest)} from the match cut; ${wrongBelow} duplicates have another person decided 'match' among their candidates (below the original, so not linked).`,
  '',
  `k of the prior checked on tuning queries (other seeds, ${QUERIES} + ${QUERIES}), guards on; the default k is ${INDEX_PRIOR_K}:`,
  '',
  '| k | λ at N | duplicates linked to the original | wrong automatic links | best not-indexed candidate vs the match cut |',
  '|---:|---:|---:|---:|---:|',
  ...sweep.map((s) => `| ${s.k} | ${priorForIndexSize(model, index.size, s.k).toExponential(2)} | ${s.right} | ${s.wrong} | ${bits(s.closest)} |`),
];
console.log(lines.join('\n'));
if (PEOPLE >= 1_000_000) record('matching (1,000,000 people in the in-memory index)', lines);

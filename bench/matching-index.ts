// The online matcher at scale: 1,000,000 synthetic UK-like people in the in-memory index
// (src/matching/memory-index.ts), then single-record lookups of corrupted duplicates of
// indexed people and of people not indexed. Reports build time, index bytes per person
// beyond the raw fields, lookup p50/p95/p99 and how often the duplicate's original is the
// top 'match'. The people are generated here with a seeded PRNG: synthetic only.
// `node --import tsx bench/matching-index.ts [people]` (default 1,000,000; in `npm run bench`).
import fs from 'node:fs';
import path from 'node:path';
import { MemoryIndex } from '../src/matching/memory-index.js';
import { MatchModelSchema } from '../src/matching/model.js';
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

// Queries: corrupted duplicates of indexed people (should find them), and new people (should not).
const rand = (() => {
  let a = 99;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();
const dupRows = Array.from({ length: QUERIES }, () => Math.floor(rand() * PEOPLE));
const duplicates = dupRows.map((row, k) => corrupt(people[row]!, rand, `dup-${k}`));
const strangers = syntheticPeople(QUERIES, 12345).map((p, k) => ({ ...p, id: `new-${k}` }));

function timeLookups(queries: MatchRecord[]) {
  const times: number[] = [];
  const results = queries.map((q) => {
    const t = performance.now();
    const r = index.lookup(q, { limit: 5 });
    times.push(performance.now() - t);
    return r;
  });
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  return { results, p50: pct(50), p95: pct(95), p99: pct(99), max: times.at(-1)! };
}
// Warm up the JIT on a few lookups before timing.
for (const q of duplicates.slice(0, 200)) index.lookup(q);
const dup = timeLookups(duplicates);
const strange = timeLookups(strangers);
const foundTop = dup.results.filter((r, k) => r[0]?.row === dupRows[k] && r[0]?.decision === 'match').length;
const foundAny = dup.results.filter((r, k) => r.some((m) => m.row === dupRows[k])).length;
const wrongMatch = dup.results.filter((r, k) => r[0] !== undefined && r[0].decision === 'match' && r[0].row !== dupRows[k] && r[0].id !== people[dupRows[k]!]!.id).length;
const strangerMatches = strange.results.filter((r) => r[0]?.decision === 'match').length;

const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const ms = (x: number) => x.toFixed(2);
const lines = [
  `\`node --expose-gc --import tsx bench/matching-index.ts\` (in \`npm run bench\`): ${PEOPLE.toLocaleString('en-GB')} synthetic UK-like people (seeded generator in bench/matching-synthetic.ts: names with nicknames and double-barrelled forms, dates of birth 2006–2025, sex, UK-format postcodes, addresses; siblings and twins share surname and address) in the in-memory index with the default model (config/matching/model.json).`,
  '',
  `Generated in ${genSeconds.toFixed(1)} s; index built in ${buildSeconds.toFixed(1)} s: ${mem.distinctKeys.toLocaleString('en-GB')} distinct blocking keys, ${mem.postings.toLocaleString('en-GB')} postings; index structure ${mb(mem.indexBytes)} MiB = **${mem.bytesPerRecord.toFixed(0)} bytes a person** beyond the raw fields${globalThis.gc ? ` (heap and array buffers: raw records ${mb(h1 - h0)} MiB, index +${mb(h2 - h1)} MiB = ${((h2 - h1) / PEOPLE).toFixed(0)} bytes a person)` : ''}.`,
  '',
  '| single-record lookup | queries | p50 ms | p95 ms | p99 ms | max ms | outcome |',
  '|---|---:|---:|---:|---:|---:|---|',
  `| corrupted duplicate of an indexed person | ${QUERIES} | ${ms(dup.p50)} | ${ms(dup.p95)} | ${ms(dup.p99)} | ${ms(dup.max)} | original is the top 'match' for ${foundTop} (${((100 * foundTop) / QUERIES).toFixed(1)}%), among the candidates returned for ${foundAny}; another person the top 'match' for ${wrongMatch} |`,
  `| person not in the index | ${QUERIES} | ${ms(strange.p50)} | ${ms(strange.p95)} | ${ms(strange.p99)} | ${ms(strange.max)} | a 'match' for ${strangerMatches} |`,
];
console.log(lines.join('\n'));
if (PEOPLE >= 1_000_000) record('matching (1,000,000 people in the in-memory index)', lines);

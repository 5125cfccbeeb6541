// CP-IS query throughput and latency, with token check, sharing rules and durable audit,
// over 100,000 people of whom a tenth are on a plan, side by side in one run with:
//  - the ceiling: a bare express 5 handler returning a body of the same size;
//  - the peer: Medplum's published 2026 self-hosted benchmark, per vCPU (established FHIR
//    servers cannot be built here: HAPI needs Maven Central, Medplum's server is not on npm).
// Load comes from this process (autocannon) on loopback; each server runs in its own process.
// Also reported: the server's CPU time per answer (from /proc), which a shared, noisy
// machine disturbs less than requests per second.
import type { GatewayInfo, LoadResult } from './lib.js';
import { benchNhsNumbers, loadWithCpu, machine, memoryMiB, record, startTarget } from './lib.js';
import os from 'node:os';

// Each cell is measured in BENCH_ROUNDS rounds of BENCH_SECONDS, the order reversed every other
// round, so that a shared machine's slow minute falls on the ceiling and the gateway alike;
// a ratio is the mean of the rounds' ratios, each taken from cells measured side by side.
const duration = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);

/**
 * Medplum, "Self-Hosted Performance Benchmarks" (medplum.com/blog/medplum-performance-test-2026):
 * scenario 3, authenticated read-only with database access, 20,796.67 requests per second,
 * average 34 ms, on 15 Fargate servers of 4 vCPU (the 16-vCPU database not counted).
 */
const MEDPLUM = { rps: 20_797, vcpus: 15 * 4 };
const MEDPLUM_PER_VCPU = MEDPLUM.rps / MEDPLUM.vcpus;

const gw = await startTarget<GatewayInfo>('gateway.ts');
const { info } = gw;
let i = 0;
const nextPath = () => `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${info.onPlan[i++ % info.onPlan.length]}`;

// Size the ceiling's body like a real answer.
const sample = await fetch(`http://127.0.0.1:${info.port}${nextPath()}`, { headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } });
const bodyBytes = (await sample.text()).length;
const ceiling = await startTarget<{ port: number }>('ceiling.ts', { BENCH_BODY_BYTES: String(Math.max(0, bodyBytes - 60)) });

const cpis = (token: string, unscheduled: boolean, connections: number, seconds = duration, path = nextPath) =>
  loadWithCpu(gw.pid, {
    url: `http://127.0.0.1:${info.port}`,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path(), headers: { Authorization: `Bearer ${token}`, IsUnscheduledAccessEvent: String(unscheduled) } }) }],
  });
// A&E mostly asks about a child for the first time: the in-memory index has not seen them, so
// the answer reads the database. Every other child of the population, in a scattered order
// (a stride coprime with the count), a tenth of them on a plan; none asked twice while they last.
const askedBefore = new Set([...info.onPlan, ...info.offPlan]);
const neverAsked = benchNhsNumbers(0, info.people).filter((n) => !askedBefore.has(n));
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
let stride = 7919;
while (gcd(stride, neverAsked.length) !== 1) stride += 2;
let firstAsked = 0;
const firstPath = () => `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${neverAsked[(firstAsked++ * stride) % neverAsked.length]}`;
const bare = (connections: number, seconds = duration) => loadWithCpu(ceiling.pid, { url: `http://127.0.0.1:${ceiling.info.port}/fhir/CareTeam`, connections, duration: seconds });

// Warm both (JIT, the index, the first audit batches) before measuring.
await bare(10, 3);
await cpis(info.tokens.scheduled, false, 10, 3);

const cores = os.cpus().length;
const rows: string[] = [
  `| scenario | connections | req/s | p50 ms | p99 ms | p99.9 ms | errors | non-2xx | server CPU µs/answer | % of ceiling (req/s; rounds) | ceiling/this CPU per answer | per core vs Medplum's ${Math.round(MEDPLUM_PER_VCPU)}/vCPU |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const summary: string[] = [];
type Cell = LoadResult & { cpuPerRequest: number };
/** The rounds of one cell as one: mean req/s and CPU, the worst round's latencies, errors summed. */
function combine(cells: Cell[]): Cell {
  const mean = (f: (c: Cell) => number) => cells.reduce((sum, c) => sum + f(c), 0) / cells.length;
  const worst = (f: (c: Cell) => number) => Math.max(...cells.map(f));
  return {
    rps: mean((c) => c.rps),
    p50: worst((c) => c.p50),
    p99: worst((c) => c.p99),
    p999: worst((c) => c.p999),
    errors: cells.reduce((n, c) => n + c.errors, 0),
    non2xx: cells.reduce((n, c) => n + c.non2xx, 0),
    bytesPerResponse: cells[0]?.bytesPerResponse ?? 0,
    cpuPerRequest: Math.round(mean((c) => c.cpuPerRequest)),
  };
}
for (const connections of connectionsList) {
  const measured = { base: [] as Cell[], silent: [] as Cell[], first: [] as Cell[], unscheduled: [] as Cell[] };
  const runs = {
    base: () => bare(connections),
    silent: () => cpis(info.tokens.scheduled, false, connections),
    first: () => cpis(info.tokens.scheduled, false, connections, duration, firstPath),
    unscheduled: () => cpis(info.tokens.unscheduled, true, connections),
  };
  for (let r = 0; r < rounds; r++) {
    const order = (['base', 'silent', 'first', 'unscheduled'] as const).slice();
    if (r % 2 === 1) order.reverse();
    for (const cell of order) measured[cell].push(await runs[cell]());
  }
  const base = combine(measured.base);
  const silent = combine(measured.silent);
  const unscheduled = combine(measured.unscheduled);
  const first = combine(measured.first);
  /** The mean over rounds of this cell's req/s as a share of the ceiling's in the same round, and each round's. */
  const share = (cells: Cell[]) => {
    const each = cells.map((c, k) => (100 * c.rps) / measured.base[k]!.rps);
    return { mean: each.reduce((a, b) => a + b, 0) / each.length, each: each.map((x) => Math.round(x)).join('/') };
  };
  const row = (name: string, r: Cell, cells: Cell[] | null) => {
    const ratio = cells ? share(cells) : null;
    return `| ${name} | ${connections} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.p999} | ${r.errors} | ${r.non2xx} | ${r.cpuPerRequest} | ${ratio ? `${Math.round(ratio.mean)}% (${ratio.each})` : '100%'} | ${cells ? (base.cpuPerRequest / r.cpuPerRequest).toFixed(2) : '1.00'} | ${cells ? `${(r.rps / cores / MEDPLUM_PER_VCPU).toFixed(1)}×` : ''} |`;
  };
  rows.push(row('bare express ceiling', base, null), row('CP-IS silent read (audit)', silent, measured.silent), row('CP-IS silent read, first question about each child', first, measured.first), row('CP-IS unscheduled (access + LA notice + audit)', unscheduled, measured.unscheduled));
  summary.push(
    `${connections} connection${connections === 1 ? '' : 's'}: CP-IS silent read ${Math.round(silent.rps)} req/s = ${Math.round(share(measured.silent).mean)}% of the ceiling (${Math.round(base.rps)} req/s; target 60%), p99 ${silent.p99} ms (target < 10 ms at 10), ${(silent.rps / cores / MEDPLUM_PER_VCPU).toFixed(1)}× Medplum per core (target 4×); first questions ${Math.round(first.rps)} req/s = ${Math.round(share(measured.first).mean)}%, p99 ${first.p99} ms`,
  );
}
const memory = memoryMiB(gw.pid);
await Promise.all([gw.stop(), ceiling.stop()]);

const lines = [
  `\`npm run bench\` (bench/cpis-query.ts), ${info.database}, ${info.people.toLocaleString('en-GB')} people (${(info.people / 10).toLocaleString('en-GB')} on a plan; queries spread over ${info.onPlan.length} of them), ${rounds} rounds of ${duration} s per cell after a warm-up, the order reversed every other round (req/s and CPU the mean of the rounds, latencies the worst round's, % of ceiling the mean of each round's ratio, rounds in brackets), response ${bodyBytes} bytes; gateway resident memory at the end ${memory.rss} MiB (peak ${memory.peak} MiB).`,
  `The first-question row asks about ${Math.min(firstAsked, neverAsked.length).toLocaleString('en-GB')} children never asked about before, each once${firstAsked > neverAsked.length ? ` (then ${(firstAsked - neverAsked.length).toLocaleString('en-GB')} again: the population ran out)` : ''}; the other rows cycle over the ${info.onPlan.length} children above, so their answers come from the in-memory index.`,
  `Per core = req/s ÷ ${cores} cores (the load generator's core counted against us); Medplum: ${MEDPLUM.rps.toLocaleString('en-GB')} req/s on ${MEDPLUM.vcpus} vCPU = ${Math.round(MEDPLUM_PER_VCPU)} per vCPU.`,
  '',
  ...rows,
  '',
  ...summary.map((s) => `- ${s}`),
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`CP-IS query vs bare express and Medplum (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

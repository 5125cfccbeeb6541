// Soak: the CP-IS query at the 10-connection load for BENCH_SOAK_SECONDS (default 600),
// sampling the gateway's resident memory every 5 s. A question in ten is about a child on a
// plan, the rest about children with none (so the in-memory index fills to its working set
// early). Memory is flat when the last minute's mean is within ±10% of the second minute's
// (the first is warm-up: JIT, the index, the audit batches). Stops by itself.
import autocannon from 'autocannon';
import type { GatewayInfo } from './lib.js';
import { machine, memoryMiB, record, startTarget } from './lib.js';

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const connections = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 10);
const SAMPLE_MS = 5_000;

const gw = await startTarget<GatewayInfo>('gateway.ts');
const { info } = gw;
let i = 0;
const nextPath = () => {
  const n = i++;
  const nhs = n % 10 === 0 ? info.onPlan[(n / 10) % info.onPlan.length] : info.offPlan[n % info.offPlan.length];
  return `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${nhs}`;
};

const samples: { at: number; rss: number }[] = [];
const started = Date.now();
const timer = setInterval(() => samples.push({ at: (Date.now() - started) / 1000, rss: memoryMiB(gw.pid).rss }), SAMPLE_MS);
const r = await autocannon({
  url: `http://127.0.0.1:${info.port}`,
  connections,
  duration: seconds,
  requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } }) }],
});
clearInterval(timer);
const peak = memoryMiB(gw.pid).peak;
await gw.stop();

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const window = (from: number, to: number) => mean(samples.filter((s) => s.at > from && s.at <= to).map((s) => s.rss));
const second = window(60, 120);
const last = window(seconds - 60, seconds);
const change = (last - second) / second;
const byMinute: string[] = [];
for (let m = 0; m * 60 < seconds; m++) byMinute.push(`${Math.round(window(m * 60, (m + 1) * 60))}`);
const lines = [
  `\`node --import tsx bench/soak.ts\` (in \`npm run bench\`), ${info.database}, ${info.people.toLocaleString('en-GB')} people, CP-IS silent reads (1 in 10 about a child on a plan) at ${connections} connections for ${seconds} s, resident memory sampled every ${SAMPLE_MS / 1000} s.`,
  '',
  '| requests | req/s | p50 ms | p99 ms | p99.9 ms | errors | non-2xx | RSS minute 2 (MiB) | RSS last minute (MiB) | change | peak (MiB) |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  `| ${r.requests.total} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.p99_9} | ${r.errors + r.timeouts} | ${r.non2xx} | ${Math.round(second)} | ${Math.round(last)} | ${(100 * change).toFixed(1)}% | ${peak} |`,
  '',
  `Mean RSS by minute (MiB): ${byMinute.join(', ')}. Target: the last minute within ±10% of the second: ${Math.abs(change) <= 0.1 ? 'holds' : 'does not hold'}.`,
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`soak, memory over ${Math.round(seconds / 60)} minutes (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);
if (r.errors + r.timeouts + r.non2xx > 0) process.exitCode = 1;

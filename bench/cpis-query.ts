// CP-IS query throughput and latency, with token check, sharing rules and durable audit,
// over 100,000 people of whom a tenth are on a plan, side by side in one run with:
//  - the ceiling: a bare express 5 handler returning a body of the same size;
//  - the peer: Medplum's published 2026 self-hosted benchmark, per vCPU (established FHIR
//    servers cannot be built here: HAPI needs Maven Central, Medplum's server is not on npm).
// Load comes from this process (autocannon) on loopback; each server runs in its own process.
// Also reported: the server's CPU time per answer (from /proc), which a shared, noisy
// machine disturbs less than requests per second.
import type { GatewayInfo, LoadResult } from './lib.js';
import { loadWithCpu, machine, memoryMiB, record, startTarget } from './lib.js';
import os from 'node:os';

const duration = Number(process.env.BENCH_SECONDS ?? 8);
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

const cpis = (token: string, unscheduled: boolean, connections: number, seconds = duration) =>
  loadWithCpu(gw.pid, {
    url: `http://127.0.0.1:${info.port}`,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${token}`, IsUnscheduledAccessEvent: String(unscheduled) } }) }],
  });
const bare = (connections: number, seconds = duration) => loadWithCpu(ceiling.pid, { url: `http://127.0.0.1:${ceiling.info.port}/fhir/CareTeam`, connections, duration: seconds });

// Warm both (JIT, the index, the first audit batches) before measuring.
await bare(10, 3);
await cpis(info.tokens.scheduled, false, 10, 3);

const cores = os.cpus().length;
const rows: string[] = [
  `| scenario | connections | req/s | p50 ms | p99 ms | p99.9 ms | errors | non-2xx | server CPU µs/answer | % of ceiling (req/s) | ceiling/this CPU per answer | per core vs Medplum's ${Math.round(MEDPLUM_PER_VCPU)}/vCPU |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const summary: string[] = [];
for (const connections of connectionsList) {
  const base = await bare(connections);
  const silent = await cpis(info.tokens.scheduled, false, connections);
  const unscheduled = await cpis(info.tokens.unscheduled, true, connections);
  const row = (name: string, r: LoadResult & { cpuPerRequest: number }, isBase: boolean) =>
    `| ${name} | ${connections} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.p999} | ${r.errors} | ${r.non2xx} | ${r.cpuPerRequest} | ${isBase ? '100%' : `${Math.round((100 * r.rps) / base.rps)}%`} | ${isBase ? '1.00' : (base.cpuPerRequest / r.cpuPerRequest).toFixed(2)} | ${isBase ? '' : `${(r.rps / cores / MEDPLUM_PER_VCPU).toFixed(1)}×`} |`;
  rows.push(row('bare express ceiling', base, true), row('CP-IS silent read (audit)', silent, false), row('CP-IS unscheduled (access + LA notice + audit)', unscheduled, false));
  summary.push(
    `${connections} connection${connections === 1 ? '' : 's'}: CP-IS silent read ${Math.round(silent.rps)} req/s = ${Math.round((100 * silent.rps) / base.rps)}% of the ceiling's ${Math.round(base.rps)} (target 60%), p99 ${silent.p99} ms (target < 10 ms at 10), ${(silent.rps / cores / MEDPLUM_PER_VCPU).toFixed(1)}× Medplum per core (target 4×)`,
  );
}
const memory = memoryMiB(gw.pid);
await Promise.all([gw.stop(), ceiling.stop()]);

const lines = [
  `\`npm run bench\` (bench/cpis-query.ts), ${info.database}, ${info.people.toLocaleString('en-GB')} people (${(info.people / 10).toLocaleString('en-GB')} on a plan; queries spread over ${info.onPlan.length} of them), ${duration} s per cell after a warm-up, response ${bodyBytes} bytes; gateway resident memory at the end ${memory.rss} MiB (peak ${memory.peak} MiB).`,
  `Per core = req/s ÷ ${cores} cores (the load generator's core counted against us); Medplum: ${MEDPLUM.rps.toLocaleString('en-GB')} req/s on ${MEDPLUM.vcpus} vCPU = ${Math.round(MEDPLUM_PER_VCPU)} per vCPU.`,
  '',
  ...rows,
  '',
  ...summary.map((s) => `- ${s}`),
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`CP-IS query vs bare express and Medplum (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

// CP-IS query throughput and latency, with token check, sharing rule and durable audit,
// side by side with a bare express handler returning a body of the same size (the ceiling),
// measured in one run. Load comes from this process; the servers run in their own.
import type { GatewayInfo } from './lib.js';
import { load, machine, record, startTarget } from './lib.js';

const duration = Number(process.env.BENCH_SECONDS ?? 5);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);

const gw = await startTarget<GatewayInfo>('gateway.ts');
const { info } = gw;
let i = 0;
const nextPath = () => `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${info.onPlan[i++ % info.onPlan.length]}`;

// Size the ceiling's body like a real answer.
const sample = await fetch(`http://127.0.0.1:${info.port}${nextPath()}`, { headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } });
const bodyBytes = (await sample.text()).length;
const ceiling = await startTarget<{ port: number }>('ceiling.ts', { BENCH_BODY_BYTES: String(Math.max(0, bodyBytes - 60)) });

const rows: string[] = ['| scenario | connections | req/s | p50 ms | p99 ms | p99.9 ms | errors | non-2xx | % of ceiling |', '|---|---|---|---|---|---|---|---|---|'];
for (const connections of connectionsList) {
  const base = await load({ url: `http://127.0.0.1:${ceiling.info.port}/fhir/CareTeam`, connections, duration });
  const silent = await load({
    url: `http://127.0.0.1:${info.port}`,
    connections,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } }) }],
  });
  const unscheduled = await load({
    url: `http://127.0.0.1:${info.port}`,
    connections,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${info.tokens.unscheduled}`, IsUnscheduledAccessEvent: 'true' } }) }],
  });
  const pct = (r: { rps: number }) => `${Math.round((100 * r.rps) / base.rps)}%`;
  for (const [name, r] of [
    ['bare express ceiling', base],
    ['CP-IS silent read (audit)', silent],
    ['CP-IS unscheduled (access + LA notice + audit)', unscheduled],
  ] as const) {
    rows.push(`| ${name} | ${connections} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.p999} | ${r.errors} | ${r.non2xx} | ${name.startsWith('bare') ? '100%' : pct(r)} |`);
  }
}
await Promise.all([gw.stop(), ceiling.stop()]);

const lines = [`\`npm run bench\` (bench/cpis-query.ts), ${info.database}, ${info.people} people (${info.people / 10} on a plan), ${duration} s per cell, response ${bodyBytes} bytes.`, '', ...rows];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`CP-IS query vs bare express (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

// What the durable audit costs the CP-IS hot path: silent CP-IS reads (one audit entry each,
// through the group-commit writer) against three gateways started side by side, the same
// in all but their audit writer — the product's (hash chain + Merkle tree), the writer of
// before the tree (bench/servers/audit-before.ts), and a no-op sink (BENCH_AUDIT in
// bench/servers/gateway.ts). Rounds alternate the order so no gateway always runs first;
// the figure is the mean of the rounds.
// Target: with audit, at least 70% of the throughput without.
import type { GatewayInfo, LoadResult } from './lib.js';
import { load, machine, record, startTarget } from './lib.js';

const duration = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);
const MODES = ['off', 'on', 'before'] as const;
type Mode = (typeof MODES)[number];

const targets = await Promise.all(MODES.map((mode) => startTarget<GatewayInfo>('gateway.ts', { BENCH_AUDIT: mode })));
const byMode = new Map(MODES.map((m, i) => [m, targets[i]!.info]));

async function silentReads(info: GatewayInfo, connections: number): Promise<LoadResult> {
  let i = 0;
  const nextPath = () => `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${info.onPlan[i++ % info.onPlan.length]}`;
  return load({
    url: `http://127.0.0.1:${info.port}`,
    connections,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } }) }],
  });
}

// Warm each gateway (JIT, caches, first transactions) before measuring.
for (const mode of MODES) await silentReads(byMode.get(mode)!, 10);

const label: Record<Mode, string> = { off: 'audit writes off (no-op sink)', before: 'audit on, before: chain only, writer of 52ed257', on: 'audit on, now: chain + Merkle tree' };
const rows = ['| connections | audit | req/s (mean of rounds) | each round | p50 ms | p99 ms | errors | non-2xx | vs audit off |', '|---|---|---:|---|---:|---:|---:|---:|---:|'];
const summary: string[] = [];
for (const connections of connectionsList) {
  const results = new Map<Mode, LoadResult[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) results.get(mode)!.push(await silentReads(byMode.get(mode)!, connections));
  }
  const mean = (m: Mode) => results.get(m)!.reduce((s, x) => s + x.rps, 0) / rounds;
  const off = mean('off');
  for (const mode of MODES) {
    const rs = results.get(mode)!;
    const last = rs[rs.length - 1]!;
    const errors = rs.reduce((s, x) => s + x.errors, 0);
    const non2xx = rs.reduce((s, x) => s + x.non2xx, 0);
    rows.push(`| ${connections} | ${label[mode]} | ${Math.round(mean(mode))} | ${rs.map((x) => Math.round(x.rps)).join(' / ')} | ${last.p50} | ${last.p99} | ${errors} | ${non2xx} | ${mode === 'off' ? '1.00' : (mean(mode) / off).toFixed(2)} |`);
  }
  summary.push(`${connections} connection${connections === 1 ? '' : 's'}: with audit ${(mean('on') / off).toFixed(2)} of without (before the tree: ${(mean('before') / off).toFixed(2)}; now vs before: ${(mean('on') / mean('before')).toFixed(2)})`);
}
await Promise.all(targets.map((t) => t.stop()));

const info = byMode.get('on')!;
const lines = [
  `\`node --import tsx bench/audit.ts\` (in \`npm run bench\`), ${info.database}, ${info.people} people (${info.people / 10} on a plan), CP-IS silent reads (one audit entry each, group commit), ${rounds} rounds of ${duration} s per cell, order alternating; p50/p99 of the last round. Target: with audit ≥ 0.70 of without.`,
  '',
  ...rows,
  '',
  ...summary.map((s) => `- ${s}`),
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`audit cost on the CP-IS query (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

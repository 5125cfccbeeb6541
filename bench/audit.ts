// What the durable audit costs the CP-IS hot path: silent CP-IS reads (one audit entry each,
// through the group-commit writer) against three gateways started side by side, the same
// in all but their audit writer — the product's (hash chain + Merkle tree), the writer of
// before the tree (bench/servers/audit-before.ts), and a no-op sink (BENCH_AUDIT in
// bench/servers/gateway.ts). Rounds alternate the order so no gateway always runs first;
// the figure is the mean of the rounds. The bare-express ceiling (bench/servers/ceiling.ts,
// its body sized like an answer) runs in the same rounds, so each mode is also a share of
// it: the no-op sink's share is what the rest of the path leaves for the audit to spend.
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
const onInfo = byMode.get('on')!;
const sample = await fetch(`http://127.0.0.1:${onInfo.port}/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${onInfo.onPlan[0]}`, {
  headers: { Authorization: `Bearer ${onInfo.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' },
});
const ceiling = await startTarget<{ port: number }>('ceiling.ts', { BENCH_BODY_BYTES: String(Math.max(0, (await sample.text()).length - 60)) });
const bare = (connections: number) => load({ url: `http://127.0.0.1:${ceiling.info.port}/fhir/CareTeam`, connections, duration });

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
await bare(10);

const label: Record<Mode, string> = { off: 'audit writes off (no-op sink)', before: 'audit on, before: chain only, writer of 52ed257', on: 'audit on, now: chain + Merkle tree' };
const rows = ['| connections | audit | req/s (mean of rounds) | each round | p50 ms | p99 ms | errors | non-2xx | vs audit off | of the ceiling |', '|---|---|---:|---|---:|---:|---:|---:|---:|---:|'];
const summary: string[] = [];
for (const connections of connectionsList) {
  const results = new Map<Mode, LoadResult[]>(MODES.map((m) => [m, []]));
  const ceilings: LoadResult[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) ceilings.push(await bare(connections));
    const order = r % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) results.get(mode)!.push(await silentReads(byMode.get(mode)!, connections));
    if (r % 2 === 1) ceilings.push(await bare(connections));
  }
  const mean = (m: Mode) => results.get(m)!.reduce((s, x) => s + x.rps, 0) / rounds;
  const off = mean('off');
  const top = ceilings.reduce((s, x) => s + x.rps, 0) / rounds;
  for (const mode of MODES) {
    const rs = results.get(mode)!;
    const last = rs[rs.length - 1]!;
    const errors = rs.reduce((s, x) => s + x.errors, 0);
    const non2xx = rs.reduce((s, x) => s + x.non2xx, 0);
    rows.push(`| ${connections} | ${label[mode]} | ${Math.round(mean(mode))} | ${rs.map((x) => Math.round(x.rps)).join(' / ')} | ${last.p50} | ${last.p99} | ${errors} | ${non2xx} | ${mode === 'off' ? '1.00' : (mean(mode) / off).toFixed(2)} | ${(mean(mode) / top).toFixed(2)} |`);
  }
  const lastBare = ceilings[ceilings.length - 1]!;
  rows.push(`| ${connections} | bare express ceiling, same body size, no gateway | ${Math.round(top)} | ${ceilings.map((x) => Math.round(x.rps)).join(' / ')} | ${lastBare.p50} | ${lastBare.p99} | ${ceilings.reduce((s, x) => s + x.errors, 0)} | ${ceilings.reduce((s, x) => s + x.non2xx, 0)} | | 1.00 |`);
  summary.push(
    `${connections} connection${connections === 1 ? '' : 's'}: with audit ${(mean('on') / off).toFixed(2)} of without (before the tree: ${(mean('before') / off).toFixed(2)}; now vs before: ${(mean('on') / mean('before')).toFixed(2)}); of the bare-express ceiling, ${(mean('on') / top).toFixed(2)} with audit and ${(off / top).toFixed(2)} with audit writes off`,
  );
}
await Promise.all([...targets, ceiling].map((t) => t.stop()));

const info = byMode.get('on')!;
const lines = [
  `\`node --import tsx bench/audit.ts\` (in \`npm run bench\`), ${info.database}, ${info.people} people (${info.people / 10} on a plan), CP-IS silent reads (one audit entry each, group commit), ${rounds} rounds of ${duration} s per cell, order alternating, the bare-express ceiling (same body size) in the same rounds; p50/p99 of the last round. Target: with audit ≥ 0.70 of without.`,
  '',
  ...rows,
  '',
  ...summary.map((s) => `- ${s}`),
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`audit cost on the CP-IS query (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

// Runs every benchmark scenario in turn (one process each, so none warms another), on the
// embedded database and then on the PostgreSQL server, and says at the end which failed.
// BENCH_ONLY=cpis-query,soak runs only those scenarios (names without .ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './lib.js';

const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.SGW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (script: string) => !only || only.includes(script.replace(/\.ts$/, ''));

interface Scenario {
  script: string;
  /** Run on the embedded database, and on the PostgreSQL server. */
  engines: ('pglite' | 'postgres')[];
  /** Node flags beyond tsx. */
  flags?: string[];
}

const BOTH: Scenario['engines'] = ['pglite', 'postgres'];
const scenarios: Scenario[] = [
  { script: 'cpis-query.ts', engines: BOTH },
  { script: 'audit.ts', engines: BOTH },
  { script: 'ingest.ts', engines: BOTH },
  { script: 'notifications.ts', engines: BOTH },
  // A CP-IS bulk upload of 100,000 plans: wall time and the gateway's peak memory.
  { script: 'bulk.ts', engines: BOTH },
  // Ten minutes at the 10-connection load, on the embedded default (BENCH_SOAK_SECONDS shortens it).
  { script: 'soak.ts', engines: ['pglite'] },
  // No database: run once. matching-index.ts holds 1,000,000 people (about a minute);
  // --expose-gc lets it measure the index's memory.
  { script: 'matching.ts', engines: ['pglite'], flags: ['--expose-gc'] },
  { script: 'matching-pseudonymised.ts', engines: ['pglite'], flags: ['--expose-gc'] },
  { script: 'matching-index.ts', engines: ['pglite'], flags: ['--expose-gc'] },
];

const failed: string[] = [];
for (const s of scenarios.filter((x) => wanted(x.script))) {
  for (const engine of s.engines) {
    const env = engine === 'postgres' ? { DATABASE_URL: pgUrl } : {};
    const label = `${s.script} on ${engine === 'postgres' ? pgUrl : 'embedded PGlite'}`;
    console.log(`\n# ${label}`);
    const r = spawnSync(process.execPath, [...(s.flags ?? []), '--import', 'tsx', path.join(BENCH_DIR, s.script)], { stdio: 'inherit', env: { ...process.env, ...env } });
    if (r.status !== 0) failed.push(label);
  }
}
if (failed.length > 0) console.log(`\nfailed: ${failed.join('; ')}`);
process.exit(failed.length > 0 ? 1 : 0);

// Runs every benchmark scenario in turn (one process each, so none warms another).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './lib.js';

// Each scenario on the embedded database, then on the PostgreSQL server when one is named.
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.SGW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scenarios = ['cpis-query.ts', 'audit.ts', 'ingest.ts', 'notifications.ts'];
let failed = 0;
for (const s of scenarios) {
  for (const env of [{}, { DATABASE_URL: pgUrl }]) {
    console.log(`\n# ${s} on ${'DATABASE_URL' in env ? pgUrl : 'embedded PGlite'}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, s)], { stdio: 'inherit', env: { ...process.env, ...env } });
    if (r.status !== 0) failed++;
  }
}
// Scenarios that use no database run once. matching-index.ts holds 1,000,000 people (about a
// minute); --expose-gc lets it measure the index's memory.
for (const s of ['matching.ts', 'matching-pseudonymised.ts', 'matching-index.ts']) {
  console.log(`\n# ${s}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(BENCH_DIR, s)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);

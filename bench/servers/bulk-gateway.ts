// Bench target for bench/bulk.ts: the gateway on a fresh embedded (or DATABASE_URL)
// database whose person index already knows BENCH_BULK_KNOWN children, as a hospital
// (ods:RR8) sent them, so that part of a CP-IS upload links to people the index holds and
// the rest creates new ones. Prints one JSON line when ready, with its pid so the bench
// can read the process's peak memory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadConfig } from '../../src/config/env.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { deterministicId } from '../../src/model/ids.js';
import { NHS_NUMBER_SYSTEM } from '../../src/model/systems.js';
import { benchNhsNumbers } from '../lib.js';
import { benchSchema } from '../lib.js';

const known = Number(process.env.BENCH_BULK_KNOWN ?? 5_000);
// BENCH_BULK_SEED_DIR: only create and seed the embedded database there, then exit (see below).
const seedOnly = process.env.BENCH_BULK_SEED_DIR;
const dataDir = seedOnly ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-bench-bulk-'));
const config = loadConfig({ ...process.env, SGW_DATA_DIR: dataDir, PORT: '0', SGW_LOG_LEVEL: 'silent' });
const { db: benchDb, drop: dropSchema } = await benchSchema(config.databaseUrl, 'sgw_bench_bulk', 10);
const open = () => createGateway(config, { log: createLogger('silent'), ...(benchDb ? { db: benchDb } : {}) });
// A deployed gateway starts on a database that exists. On the embedded one, a process of its
// own creates and seeds it, so neither creating it (initdb) nor seeding it is in the memory
// of the gateway the upload is measured on.
if (!benchDb && !seedOnly) {
  await new Promise<void>((resolve, reject) => {
    const seeder = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_BULK_SEED_DIR: dataDir }, stdio: ['ignore', 'ignore', 'inherit'] });
    seeder.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding the bench database exited with ${code}`))));
  });
}
const gateway = await open();
const { db } = gateway.ctx;

// The hospital's view of each known child: a person, its identifier, and its source record,
// written a thousand at a time (the index's own tables, as the person index would leave them).
const owner = 'ods:RR8';
const receivedAt = new Date().toISOString();
const all = benchNhsNumbers(0, seedOnly || benchDb ? known : 0);
for (let from = 0; from < all.length; from += 1000) {
  const nhs = all.slice(from, from + 1000);
  const personIds = nhs.map((n) => deterministicId('Person', NHS_NUMBER_SYSTEM, n));
  const sourceIds = nhs.map((n) => deterministicId('PersonSource', owner, `${NHS_NUMBER_SYSTEM}|${n}`));
  const records = nhs.map((n, i) =>
    JSON.stringify({ id: personIds[i], identifiers: [{ system: NHS_NUMBER_SYSTEM, value: n, verificationStatus: '01' }], names: [], addresses: [], owner, provenance: { agency: owner, format: 'hl7v2', receivedAt }, securityLabel: 'N' }),
  );
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO persons (id, record) SELECT * FROM unnest($1::text[], $2::jsonb[])', [personIds, records]);
    await tx.query(`INSERT INTO person_identifiers (system, value, person_id, verification_status) SELECT $1, v, p, '01' FROM unnest($2::text[], $3::text[]) AS t(v, p)`, [NHS_NUMBER_SYSTEM, nhs, personIds]);
    await tx.query(`INSERT INTO person_sources (id, owner, person_id, record, link) SELECT s, $1, p, r, 'new' FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS t(s, p, r)`, [owner, sourceIds, personIds, records]);
    await tx.query('INSERT INTO person_source_identifiers (system, value, source_id) SELECT $1, v, s FROM unnest($2::text[], $3::text[]) AS t(v, s)', [NHS_NUMBER_SYSTEM, nhs, sourceIds]);
  });
}

if (seedOnly) {
  await gateway.close();
  process.exit(0);
}
const keys = await loadOrCreateDevKeys(dataDir);
const token = (agency: string, role: string, purpose: string) => mintDevToken(keys, gateway.directory, { agency, role, purpose, sub: 'bench-user', audience: config.tokenAudience, expiresInSeconds: 3600 });
const server = gateway.app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  void Promise.all([token('la:383', 'la-social-worker', 'statutory-return'), token('ods:RYJ', 'scheduled-care', 'TREAT')]).then(([la, scheduled]) => {
    process.stdout.write(`${JSON.stringify({ pid: process.pid, port: typeof address === 'object' && address ? address.port : 0, database: db.kind, known, tokens: { la, scheduled } })}\n`);
  });
});
// The upload may take a while; the default request timeout (5 min) is left as it is.
// The embedded database of a 100,000-plan run is about a gigabyte: it goes with the server.
const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
process.on('SIGTERM', () => {
  server.close(() => void gateway.close().then(dropSchema).then(removeData).then(() => process.exit(0)));
  server.closeAllConnections();
});

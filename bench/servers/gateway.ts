// Bench target: the gateway on a fresh embedded (or DATABASE_URL) database, seeded with
// synthetic people, a tenth of them on a plan. Prints one JSON line when ready.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import type { AuditSink } from '../../src/audit/audit-writer.js';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadConfig } from '../../src/config/env.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { deterministicId } from '../../src/model/ids.js';
import { NHS_NUMBER_SYSTEM } from '../../src/model/systems.js';
import type { Db } from '../../src/store/db.js';
import { benchNhsNumbers, benchSchema } from '../lib.js';
import { AuditWriterBefore } from './audit-before.js';

const people = Number(process.env.BENCH_PEOPLE ?? 100_000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-bench-'));
const config = loadConfig({ ...process.env, SGW_DATA_DIR: dataDir, PORT: '0', SGW_LOG_LEVEL: 'silent' });
const { db: benchDb, drop: dropSchema } = await benchSchema(config.databaseUrl, 'sgw_bench', 10);
// What audit writes of reads (the group-commit writer) do, for bench/audit.ts only: 'on' (the
// product: chain + Merkle tree), 'before' (the writer and chain-only append of before the
// tree) or 'off' (a no-op sink: the ceiling audit is measured against). Never a switch of the
// product itself.
const auditMode = process.env.BENCH_AUDIT ?? 'on';
const noAudit: AuditSink = { write: () => Promise.resolve(), flush: () => Promise.resolve() };
const audit = auditMode === 'off' ? () => noAudit : auditMode === 'before' ? (d: Db) => new AuditWriterBefore(d) : undefined;
const gateway = await createGateway(config, { log: createLogger('silent'), ...(benchDb ? { db: benchDb } : {}), ...(audit ? { audit } : {}) });
const { db } = gateway.ctx;

const nhsNumbers = benchNhsNumbers(0, people);
const onPlan: string[] = [];
const provenance = { agency: 'la:383', format: 'fhir-r4-json', receivedAt: new Date().toISOString() };
// Seeded a few thousand rows a statement (rows travel as JSON), so 100,000 people take seconds.
const CHUNK = 5_000;
let persons: { id: string; record: unknown; nhs: string }[] = [];
let plans: { id: string; person_id: string; record: unknown }[] = [];
const flush = async () => {
  await db.query('INSERT INTO persons (id, record) SELECT r.id, r.record FROM jsonb_to_recordset($1::jsonb) AS r(id text, record jsonb)', [JSON.stringify(persons)]);
  await db.query(
    "INSERT INTO person_identifiers (system, value, person_id, verification_status) SELECT $2, r.nhs, r.id, '01' FROM jsonb_to_recordset($1::jsonb) AS r(id text, nhs text)",
    [JSON.stringify(persons.map(({ id, nhs }) => ({ id, nhs }))), NHS_NUMBER_SYSTEM],
  );
  await db.query(
    "INSERT INTO protection_plans (id, person_id, owner, kind, start_date, status, record) SELECT r.id, r.person_id, 'la:383', 'child-protection-plan', '2026-01-01', 'recorded', r.record FROM jsonb_to_recordset($1::jsonb) AS r(id text, person_id text, record jsonb)",
    [JSON.stringify(plans)],
  );
  persons = [];
  plans = [];
};
for (const [i, nhs] of nhsNumbers.entries()) {
  const personId = deterministicId('Person', NHS_NUMBER_SYSTEM, nhs);
  persons.push({ id: personId, nhs, record: { id: personId, identifiers: [{ system: NHS_NUMBER_SYSTEM, value: nhs, verificationStatus: '01' }], names: [], addresses: [], owner: 'la:383', provenance, securityLabel: 'N' } });
  if (i % 10 === 0) {
    const planId = deterministicId('ProtectionPlan', 'la:383', nhs);
    plans.push({ id: planId, person_id: personId, record: { id: planId, subjectPersonId: personId, kind: 'child-protection-plan', period: { start: '2026-01-01' }, owner: 'la:383', status: 'recorded', sourceIdentifiers: [], provenance, securityLabel: 'N' } });
    onPlan.push(nhs);
  }
  if (persons.length === CHUNK) await flush();
}
if (persons.length > 0) await flush();
// The people asked about: spread over the whole population, so lookups are not all warm in one corner.
const asked = onPlan.filter((_, k) => k % Math.max(1, Math.floor(onPlan.length / 500)) === 0).slice(0, 500);
// And 5,000 children with no plan (most A&E questions), spread the same way.
const planSet = new Set(onPlan);
const offPlan = nhsNumbers.filter((n, k) => !planSet.has(n) && k % Math.max(1, Math.floor(nhsNumbers.length / 5_500)) === 0).slice(0, 5_000);
const keys = await loadOrCreateDevKeys(dataDir);
const token = (agency: string, role: string, purpose: string) => mintDevToken(keys, gateway.directory, { agency, role, purpose, sub: 'bench-user', audience: config.tokenAudience, expiresInSeconds: 3600 });
// BENCH_CPU_PROFILE=file: a CPU profile of the serving phase only (seeding left out),
// written at SIGTERM; open it in Chrome DevTools or summarise it with a script.
const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const server = gateway.app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  void Promise.all([token('ods:RR8', 'unscheduled-care', 'TREAT'), token('ods:RYJ', 'scheduled-care', 'TREAT'), token('police:E23000010', 'police-submitter', 'law-enforcement'), token('la:383', 'la-social-worker', 'safeguarding-s47')]).then(([unscheduled, scheduled, police, la]) => {
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, database: db.kind, audit: auditMode, people, onPlan: asked, offPlan, tokens: { unscheduled, scheduled, police, la } })}\n`);
    // BENCH_MEMORY_EVERY_MS=n: after the ready line, a line {"memory":{rss,heapUsed,…}} (bytes)
    // every n ms, for bench/soak-mixed.ts: the heap is only seen from inside.
    const every = Number(process.env.BENCH_MEMORY_EVERY_MS ?? 0);
    if (every > 0) setInterval(() => process.stdout.write(`${JSON.stringify({ memory: process.memoryUsage() })}\n`), every).unref();
  });
});
process.on('SIGTERM', () => {
  if (profiler) void profiler.post('Profiler.stop').then(({ profile }) => fs.writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(profile)));
  server.close(() => void gateway.close().then(dropSchema).then(() => process.exit(0)));
  server.closeAllConnections();
});

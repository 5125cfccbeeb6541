// Ingest benchmarks for the adapters issue:
//  1. HL7 v2 ADT A04: read + map per message on one core (this process), against
//     hl7-standard's bare parse of the same messages in the same run.
//  2. The 259 KB fake CIN census sample (../shared): read, DfE rules, map, resolve and
//     commit, wall time. The sample breaks DfE rules for most children (generated UPNs
//     fail their check letter), so it goes in with partial=true: every child is checked
//     and mapped, the valid ones are stored. A clean synthetic census of the same size
//     is ingested too, so that every child is also committed.
//  3. HL7 A04 full ingest (commit + audit) messages per second, one at a time.
// Runs on embedded PGlite, or on DATABASE_URL in a schema of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import HL7 from 'hl7-standard';
import { loadConfig } from '../src/config/env.js';
import { readMessages } from '../src/formats/read.js';
import type { ParsedMessage } from '../src/formats/types.js';
import { readHl7v2 } from '../src/formats/hl7v2.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { mapMessage } from '../src/mapping/map-message.js';
import { nhsCheckDigit } from '../src/model/nhs-number.js';
import type { Requester } from '../src/policy/authorise.js';
import type { AuditScope } from '../src/services/audit-scope.js';
import { ingestMessage } from '../src/services/ingest.js';
import { adt, cinCensus } from '../test/helpers/messages.js';
import { benchSchema, record } from './lib.js';

/** `count` distinct test-range NHS numbers with valid check digits, from `from` upwards. */
function nhsNumbers(from: number, count: number): string[] {
  const out: string[] = [];
  for (let k = from; out.length < count; k++) {
    const nine = `999${String(k).padStart(6, '0')}`;
    const c = nhsCheckDigit(nine);
    if (c !== null) out.push(`${nine}${c}`);
  }
  return out;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-bench-'));
const config = loadConfig({ ...process.env, SGW_DATA_DIR: dataDir, SGW_LOG_LEVEL: 'silent' });
const { db: benchDb, drop: dropSchema } = await benchSchema(config.databaseUrl, 'sgw_bench_ingest', 5);
const gateway = await createGateway(config, { log: createLogger('silent'), ...(benchDb ? { db: benchDb } : {}) });
// Whatever happens, the bench leaves no schema behind on the server.
try {
  const ctx = gateway.ctx;
  const database = config.databaseUrl ? 'PostgreSQL server' : 'embedded PGlite';
  const la: Requester = { sub: 'bench', agency: 'la:383', role: 'la-social-worker', purposeClaim: 'statutory-return', purpose: 'statutory-return' };
  const trust: Requester = { sub: 'bench', agency: 'ods:RR8', role: 'unscheduled-care', purposeClaim: 'direct-care', purpose: 'direct-care' };
  const scope = (requester: Requester): AuditScope => ({ requestId: randomUUID(), requester, action: 'create', resourceType: 'Ingest', query: 'bench', audited: false });
  const lines: string[] = [];

  // 1. HL7 v2 read + map against the bare parser, one core.
  const N = Number(process.env.BENCH_HL7_MESSAGES ?? 20_000);
  const messages = nhsNumbers(100_000, 1000).map((n, i) => adt({ nhs: n, visit: `V${i}`, mrn: `H${i}`, control: `M${i}` }));
  const rate = (fn: (m: string) => void): number => {
    for (let i = 0; i < 2000; i++) fn(messages[i % messages.length]!); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn(messages[i % messages.length]!);
    return N / ((performance.now() - t0) / 1000);
  };
  const bare = rate((m) => {
    const h = new HL7(m);
    h.transform();
  });
  const env = { agency: trust.agency, agencyCode: 'RR8' };
  const ours = rate((m) => {
    const parsed = readHl7v2(m);
    const out = mapMessage(ctx.mappings, 'hl7v2', parsed.tree, env);
    if (out.drafts.length !== 3) throw new Error('mapping lost a record');
  });
  lines.push(
    `\`node --import tsx bench/ingest.ts\` (in \`npm run bench\`), ${database}; ${N.toLocaleString('en-GB')} messages per timing, in this one process (one core).`,
    '',
    '| HL7 v2 ADT A04, one core | messages/s | vs hl7-standard bare parse |',
    '|---|---:|---:|',
    `| hl7-standard \`transform()\` alone | ${Math.round(bare).toLocaleString('en-GB')} | 1.00 |`,
    `| gateway read + map (tree, mapping, lineage, unconsumed check) | ${Math.round(ours).toLocaleString('en-GB')} | ${(ours / bare).toFixed(2)} |`,
    '',
  );

  // 2. The fake CIN census sample, and a clean census of the same size.
  async function timeIngest(bytes: Buffer | string, format: 'cin-census-xml', partial: boolean, store = true) {
    const t0 = performance.now();
    const [msg] = await readMessages(format, bytes);
    const out = await ingestMessage(ctx, scope(la), la, msg as ParsedMessage, { store, partial });
    const ms = performance.now() - t0;
    const stored = out.records.filter((r) => r.outcome === 'created' || r.outcome === 'updated').length;
    return { ms, stored, children: out.records.filter((r) => r.type === 'Person').length, rejected: out.rejected.length };
  }
  const samplePath = path.resolve(import.meta.dirname, '../../shared/samples/la/cin/cin-validator_fake_CIN_data.xml');
  lines.push('| CIN census ingest (read, DfE rules, map, resolve, commit, audit) | size | children stored / left out | records stored | wall time |', '|---|---:|---:|---:|---:|');
  if (fs.existsSync(samplePath)) {
    const sample = fs.readFileSync(samplePath);
    // As sent (checked as /validate does: it is LA 975's return): its header breaks rule 100
    // (ReferenceDate 2022-07-21), so the whole return is refused (422) after every check.
    const t1 = performance.now();
    let issues = 0;
    try {
      await timeIngest(sample, 'cin-census-xml', true, false);
    } catch (err) {
      issues = (err as { issues?: unknown[] }).issues?.length ?? 0;
    }
    if (issues === 0) throw new Error('the fake CIN sample was expected to be refused');
    lines.push(`| cin-validator_fake_CIN_data.xml as sent, validated: refused, 422 with ${issues} issues (rule 100 in the header stops the return; every child's rule errors listed) | ${Math.round(sample.length / 1024)} KB | 0 / all | 0 | ${Math.round(performance.now() - t1)} ms |`);
    // Sent as Leeds's own (LEA 383) with the header's ReferenceDate at the census year end,
    // partial=true stores the children that break no rule.
    const fixed = Buffer.from(
      sample.toString('utf8').replace('<ReferenceDate>2022-07-21</ReferenceDate>', '<ReferenceDate>2022-03-31</ReferenceDate>').replace('<LEA>975</LEA>', '<LEA>383</LEA>'),
    );
    const r = await timeIngest(fixed, 'cin-census-xml', true);
    lines.push(`| the same as LEA 383 with ReferenceDate 2022-03-31, ingested, partial=true | ${Math.round(fixed.length / 1024)} KB | ${r.children} / ${r.rejected} | ${r.stored} | ${Math.round(r.ms)} ms |`);
  } else {
    lines.push('| cin-validator_fake_CIN_data.xml | (../shared/samples not present) | | | |');
  }
  const clean = cinCensus(Array.from({ length: 332 }, (_, i) => ({ id: `BENCH${i}`, ...(i % 3 === 0 ? { cpp: { start: '2025-09-01' } } : {}) })));
  const c = await timeIngest(clean, 'cin-census-xml', false);
  lines.push(`| synthetic clean census, 332 children (a third on a plan) | ${Math.round(Buffer.byteLength(clean) / 1024)} KB | ${c.children} / 0 | ${c.stored} | ${Math.round(c.ms)} ms |`, '');

  // 3. HL7 full ingest, one message after another.
  const M = Number(process.env.BENCH_HL7_INGEST ?? 500);
  const t0 = performance.now();
  for (let i = 0; i < M; i++) {
    const [msg] = await readMessages('hl7v2', messages[i % messages.length]!);
    await ingestMessage(ctx, scope(trust), trust, msg as ParsedMessage, { store: true });
  }
  const full = M / ((performance.now() - t0) / 1000);
  lines.push('| HL7 v2 A04 full ingest, sequential (read, map, resolve, commit + audit in one transaction) | messages/s |', '|---|---:|', `| ${M} messages | ${Math.round(full)} |`);

  console.log(lines.join('\n'));
  record(`ingest (${database})`, lines);
} finally {
  await gateway.close();
  await dropSchema();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// The `bulk` scenario of the performance issue: a CP-IS style bulk upload of 100,000
// child-protection plans (BENCH_BULK_RECORDS), sent as an LA sends it (one POST /ingest
// of a CSV file) to a gateway in its own process, on embedded PGlite or on DATABASE_URL.
// Measures the upload's wall time and the gateway process's peak resident memory
// (VmHWM), and checks that every record got the result code it should.
// Targets: under 60 s and under 1 GB.
import os from 'node:os';
import { bulkUpload } from './bulk-data.js';
import { processMemory, record, resetPeakMemory, startTarget } from './lib.js';

interface BulkInfo {
  pid: number;
  port: number;
  database: string;
  known: number;
  tokens: { la: string; scheduled: string };
}

const records = Number(process.env.BENCH_BULK_RECORDS ?? 100_000);
const known = Number(process.env.BENCH_BULK_KNOWN ?? Math.floor(records / 10));
const upload = bulkUpload(records);
const body = Buffer.from(upload.csv, 'utf8');

const gw = await startTarget<BulkInfo>('bulk-gateway.ts', { BENCH_BULK_KNOWN: String(known) });
try {
  const { info } = gw;
  const database = info.database === 'postgres' ? 'PostgreSQL server' : 'embedded PGlite';
  const base = `http://127.0.0.1:${info.port}`;
  const before = processMemory(info.pid);
  // The peak is the upload's: what the process held at start-up (creating the database) is not counted.
  const reset = resetPeakMemory(info.pid);
  const loadAverage = os.loadavg()[0]!;

  const t0 = performance.now();
  const res = await fetch(`${base}/ingest`, { method: 'POST', headers: { Authorization: `Bearer ${info.tokens.la}`, 'Content-Type': 'text/csv' }, body });
  const answer = (await res.json()) as { accepted?: number; transmissionQuantity?: number; results?: { line: number; result: string }[]; issue?: unknown };
  const seconds = (performance.now() - t0) / 1000;
  const after = processMemory(info.pid);
  if (res.status !== 200 || !answer.results) throw new Error(`the upload was answered ${res.status}: ${JSON.stringify(answer).slice(0, 500)}`);

  // Every record answered, in order, with the code it should have.
  const wrong = answer.results.filter((r, i) => r.result !== upload.expected[i]);
  if (answer.results.length !== records || wrong.length > 0) {
    throw new Error(`${answer.results.length} results for ${records} records; ${wrong.length} with an unexpected code, first ${JSON.stringify(wrong.slice(0, 3))}`);
  }
  // And the plans are there: a scheduled CP-IS read of a few children finds each one's plans.
  for (const nhs of [upload.children[0]!, upload.children[known]!, upload.children.at(-1)!]) {
    const q = await fetch(`${base}/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${nhs}`, { headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } });
    const bundle = (await q.json()) as { entry?: { search?: { mode?: string } }[] };
    if (q.status !== 200 || !bundle.entry?.some((e) => e.search?.mode === 'match')) throw new Error(`a CP-IS read after the upload found no plan (status ${q.status})`);
  }

  const counts = new Map<string, number>();
  for (const r of answer.results) counts.set(r.result, (counts.get(r.result) ?? 0) + 1);
  const mib = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${Math.round(v)}`);
  const lines = [
    `\`npm run bench:bulk\` (\`node --import tsx bench/bulk.ts\`), ${database}; one POST /ingest of a ${(body.length / 2 ** 20).toFixed(1)} MiB CSV of ${records.toLocaleString('en-GB')} plans from LA 383 (every NHS number status 01; ${known.toLocaleString('en-GB')} children already in the person index from a hospital; every 20th record a second plan for a child named earlier; one in 10,000 with a bad check digit), to a gateway in its own process; one run. The machine is shared (load average ${loadAverage.toFixed(1)} when the upload began), so read the figures as rough. Targets: wall time under 60 s, gateway peak RSS under 1 GB.`,
    '',
    `| records | wall time s | records/s | gateway RSS before MiB | gateway peak RSS MiB (${reset ? 'during the upload' : 'since start'}) | result codes |`,
    '|---:|---:|---:|---:|---:|---|',
    `| ${records.toLocaleString('en-GB')} | ${seconds.toFixed(1)} | ${Math.round(records / seconds).toLocaleString('en-GB')} | ${mib(before?.rssMiB)} | ${mib(after?.peakMiB)} | ${[...counts].map(([k, v]) => `${k}×${v}`).join(' ')} |`,
  ];
  console.log(lines.join('\n'));
  if (process.env.BENCH_NO_RECORD !== '1') record(`CP-IS bulk upload of ${records.toLocaleString('en-GB')} plans (${database})`, lines);
} finally {
  await gw.stop();
}

// Mixed soak (issue 9): the gateway in its own process (bench/servers/gateway.ts) under every
// kind of load at once for SOAK_SECONDS (default 600), each kind on connections of its own:
//   - CP-IS silent reads (scheduled care, IsUnscheduledAccessEvent: false; 1 in 10 about a child on a plan);
//   - CP-IS unscheduled reads (A&E; half about a child on a plan, so the LA is notified);
//   - HL7 v2 ADT A04 over HTTP (POST /ingest), synthetic children, a fifth re-attending;
//   - FHIR ingest (POST /fhir): a trust's Patient + Encounter, and one request in ten an LA's
//     new protection plan (Patient + CareTeam), so the CP-IS index changes under the reads;
//   - police notifications (POST /notifications): high-risk domestic abuse about children on
//     plans, with an alleged perpetrator; one in ten a resend of an earlier one.
// Per interval (a minute; a quarter of the run when it is shorter than 4 minutes) it reports
// requests and errors per kind, p99, the gateway's RSS and heap.
//
// Passes when
//   1. no error: every answer has the status its kind expects (200 for reads and FHIR
//      Bundles, 200 or 201 for /ingest and /notifications) and no request failed on its
//      socket or timed out; and
//   2. memory is bounded: the mean RSS of the last interval is at most 10% above the second's
//      (the first is warm-up: JIT, the CP-IS index, PGlite's buffers). A fall is reported, not
//      failed: a leak grows, and RSS here follows the load, which this shared machine varies
//      (a CI run fell 11% as its throughput fell a fifth, with the heap falling too).
// Exit code 1 otherwise. SOAK_WARMUP_SECONDS (default 0) runs the same load that long before
// the first interval (short runs need it: the start-up's memory is still being given back to the
// kernel). SOAK_REPORT=file writes a JSON report (CI's summary counts it as
// one test); SOAK_RECORD=1 appends a dated entry to bench/RESULTS.md.
import fs from 'node:fs';
import autocannon from 'autocannon';
import { adt, ukCorePatient } from '../test/helpers/messages.js';
import type { GatewayInfo } from './lib.js';
import { benchNhsNumbers, benchNotification, machine, record, startTarget } from './lib.js';
import { syntheticPeople } from './matching-synthetic.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const people = Number(process.env.SOAK_PEOPLE ?? 100_000);
const planChildren = Number(process.env.SOAK_PLAN_CHILDREN ?? 100);
const warmup = Number(process.env.SOAK_WARMUP_SECONDS ?? 0);
const reportFile = process.env.SOAK_REPORT;
const LIMIT = 0.1;
const intervalSeconds = seconds >= 240 ? 60 : seconds / 4;
const intervals = Math.ceil(seconds / intervalSeconds);
if (!(seconds >= 20)) throw new Error(`SOAK_SECONDS must be 20 or more (four intervals of 5 s at least), received ${process.env.SOAK_SECONDS}`);

// The gateway's memory, as it reports it every second once it is ready.
const memory: { at: number; rss: number; heap: number }[] = [];
let started = 0;
const MiB = 2 ** 20;
const gw = await startTarget<GatewayInfo>('gateway.ts', { BENCH_PEOPLE: String(people), BENCH_MEMORY_EVERY_MS: '1000' }, (line) => {
  const m = (JSON.parse(line) as { memory?: NodeJS.MemoryUsage }).memory;
  if (m && started > 0) memory.push({ at: (Date.now() - started) / 1000, rss: m.rss / MiB, heap: m.heapUsed / MiB });
});
const { info } = gw;
const base = `http://127.0.0.1:${info.port}`;
const auth = (token: string) => `Bearer ${token}`;

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFIED = [{ url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus', valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' }] } }];
/** An LA's transaction Bundle putting a child on a child protection plan. */
const planBundle = (nhs: string) => {
  const fullUrl = `urn:uuid:00000000-0000-4000-8000-${nhs.padStart(12, '0')}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl, resource: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs, extension: VERIFIED }], name: [{ given: ['Sam'], family: 'Soakchild' }], birthDate: '2018-05-04', gender: 'male', address: [{ line: ['1 Example Street'], city: 'Leeds', postalCode: 'LS1 1AA' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'CareTeam', category: [{ coding: [{ system: 'http://snomed.info/sct', code: '342191000000101' }] }], subject: { reference: fullUrl }, period: { start: '2026-01-01' } }, request: { method: 'POST', url: 'CareTeam' } },
    ],
  };
};

// Children the police notify about: put on plans through the LA's own endpoint first, so the
// person index knows them and each notification takes the full path (match, route to the plan's LA).
const notified = benchNhsNumbers(900_000, planChildren);
console.error(`gateway ready (${info.database}, ${info.people.toLocaleString('en-GB')} people); putting ${planChildren} children on plans`);
for (let i = 0; i < notified.length; i += 8) {
  await Promise.all(
    notified.slice(i, i + 8).map(async (nhs) => {
      const r = await fetch(`${base}/fhir`, { method: 'POST', headers: { Authorization: auth(info.tokens.la), 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(planBundle(nhs)) });
      if (r.status !== 200) throw new Error(`putting a child on a plan: ${r.status} ${await r.text()}`);
    }),
  );
}

// Synthetic children for ingest, each kind its own range of test NHS numbers.
const children = syntheticPeople(20_000, 909);
const hl7Numbers = benchNhsNumbers(200_000, children.length);
const fhirNumbers = benchNhsNumbers(400_000, children.length);
const newPlanNumbers = benchNhsNumbers(600_000, 50_000);
const hl7Date = (d: string | undefined) => (d ?? '').replaceAll('-', '');
/** Message k's child: every fifth message a re-attendance of the child of message k - 401. */
const childOf = (k: number) => (k % 5 === 4 && k >= 401 ? k - 401 : k) % children.length;
const a04 = (k: number) => {
  const who = childOf(k);
  const p = children[who]!;
  return adt({ nhs: hl7Numbers[who]!, mrn: `S${who}`, visit: `SV${k}`, control: `SM${process.pid}-${k}`, family: p.family, given: p.givenNames[0], birthDate: hl7Date(p.birthDate), sex: p.sex === 'male' ? 'M' : 'F', postcode: p.postcode, street: p.addressTokens.slice(0, 3).join(' ') });
};
/** A trust's transaction Bundle: a Patient (verified NHS number) and the Encounter of an attendance. */
const attendanceBundle = (k: number) => {
  const who = childOf(k);
  const p = children[who]!;
  const fullUrl = `urn:uuid:00000000-0000-4000-9000-${String(k).padStart(12, '0')}`;
  const patient = ukCorePatient(fhirNumbers[who]!, `F${who}`);
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl, resource: { ...patient, identifier: (patient.identifier as unknown[]).slice(0, 1), name: [{ family: p.family, given: p.givenNames }], birthDate: p.birthDate, gender: p.sex === 'male' ? 'male' : 'female', address: [{ line: [p.addressTokens.join(' ')], postalCode: p.postcode }] }, request: { method: 'POST', url: 'Patient' } },
      {
        resource: { resourceType: 'Encounter', identifier: [{ system: 'https://trust.example/Id/attendance', value: `SA${process.pid}-${k}` }], status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' }, subject: { reference: fullUrl }, period: { start: '2026-11-20T08:00:00Z' } },
        request: { method: 'POST', url: 'Encounter' },
      },
    ],
  };
};
const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
const notification = (n: number) => benchNotification(`SOAK/${process.pid}/${n}`, notified[n % notified.length]!, occurredAt, 'Soakchild');
const cpisPath = (nhs: string) => `/fhir/CareTeam?patient:identifier=${NHS}|${nhs}`;

interface Kind {
  name: string;
  connections: number;
  /** The statuses that are not an error. */
  expected: number[];
  request: autocannon.Request;
}
let silent = 0;
let unscheduled = 0;
let hl7 = 0;
let fhir = 0;
let police = 0;
const kinds: Kind[] = [
  {
    name: 'CP-IS silent read',
    connections: 4,
    expected: [200],
    request: { method: 'GET', setupRequest: (req) => { const n = silent++; return { ...req, path: cpisPath(n % 10 === 0 ? info.onPlan[(n / 10) % info.onPlan.length]! : info.offPlan[n % info.offPlan.length]!), headers: { Authorization: auth(info.tokens.scheduled), IsUnscheduledAccessEvent: 'false' } }; } },
  },
  {
    name: 'CP-IS unscheduled read',
    connections: 2,
    expected: [200],
    request: { method: 'GET', setupRequest: (req) => { const n = unscheduled++; return { ...req, path: cpisPath(n % 2 === 0 ? info.onPlan[(n / 2) % info.onPlan.length]! : info.offPlan[n % info.offPlan.length]!), headers: { Authorization: auth(info.tokens.unscheduled), IsUnscheduledAccessEvent: 'true' } }; } },
  },
  {
    name: 'HL7 v2 A04 ingest',
    connections: 2,
    expected: [200, 201],
    request: { method: 'POST', path: '/ingest', setupRequest: (req) => ({ ...req, headers: { 'Content-Type': 'application/hl7-v2', Authorization: auth(info.tokens.unscheduled) }, body: a04(hl7++) }) },
  },
  {
    name: 'FHIR ingest',
    connections: 1,
    expected: [200],
    request: {
      method: 'POST',
      path: '/fhir',
      setupRequest: (req) => {
        const n = fhir++;
        const plan = n % 10 === 9;
        const body = plan ? planBundle(newPlanNumbers[Math.floor(n / 10) % newPlanNumbers.length]!) : attendanceBundle(n);
        return { ...req, headers: { 'Content-Type': 'application/fhir+json', Authorization: auth(plan ? info.tokens.la : info.tokens.unscheduled) }, body: JSON.stringify(body) };
      },
    },
  },
  {
    name: 'police notification',
    connections: 1,
    expected: [200, 201],
    request: { method: 'POST', path: '/notifications', setupRequest: (req) => { const n = police++; return { ...req, headers: { 'Content-Type': 'application/json', Authorization: auth(info.tokens.police) }, body: notification(n % 10 === 9 ? n - 5 : n) }; } },
  },
];

interface Cell {
  requests: number;
  errors: number;
  latencies: number[];
}
const cells = kinds.map(() => Array.from({ length: intervals }, (): Cell => ({ requests: 0, errors: 0, latencies: [] })));
const unexpected = kinds.map(() => new Map<string, number>());
/** The interval now, or -1 during the warm-up. */
const intervalNow = () => (Date.now() < started ? -1 : Math.min(intervals - 1, Math.floor((Date.now() - started) / 1000 / intervalSeconds)));
const warmupErrors = kinds.map(() => 0);
const cellNow = (k: number): Cell => {
  const i = intervalNow();
  return i < 0 ? { requests: 0, errors: 0, latencies: [] } : cells[k]![i]!;
};
const note = (k: number, what: string) => unexpected[k]!.set(what, (unexpected[k]!.get(what) ?? 0) + 1);

console.error(`load for ${warmup > 0 ? `${warmup} s of warm-up and ` : ''}${seconds} s: ${kinds.map((k) => `${k.name} ×${k.connections}`).join(', ')}`);
started = Date.now() + warmup * 1000;
await Promise.all(
  kinds.map(
    (kind, k) =>
      new Promise<void>((resolve, reject) => {
        const tracker = autocannon({ url: base, connections: kind.connections, duration: warmup + seconds, requests: [kind.request] }, (err) => (err ? reject(err as Error) : resolve()));
        tracker.on('response', (_client, status, _bytes, ms) => {
          const cell = cellNow(k);
          cell.requests++;
          cell.latencies.push(ms);
          if (!kind.expected.includes(status)) {
            if (intervalNow() < 0) warmupErrors[k]!++;
            cell.errors++;
            note(k, `HTTP ${status}`);
          }
        });
        tracker.on('reqError', (err: Error) => {
          if (intervalNow() < 0) warmupErrors[k]!++;
          cellNow(k).errors++;
          note(k, err.message);
        });
      }),
  ),
);
const memoryAtEnd = memory.slice();
await gw.stop();

// Reading the run.
const p99 = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
};
const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length);
const inInterval = (i: number) => memoryAtEnd.filter((m) => m.at > i * intervalSeconds && m.at <= (i + 1) * intervalSeconds);
const rss = (i: number) => mean(inInterval(i).map((m) => m.rss));
const heap = (i: number) => mean(inInterval(i).map((m) => m.heap));
const second = rss(1);
const last = rss(intervals - 1);
const change = (last - second) / second;
const memoryHolds = change <= LIMIT;
const errors = cells.flat().reduce((s, c) => s + c.errors, 0) + warmupErrors.reduce((s, e) => s + e, 0);
const total = cells.flat().reduce((s, c) => s + c.requests, 0);
const passed = errors === 0 && memoryHolds && total > 0;

const unit = intervalSeconds === 60 ? 'minute' : `${intervalSeconds} s`;
const r0 = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '—');
const lines = [
  `\`npm run soak\` (bench/soak-mixed.ts), ${info.database}, ${info.people.toLocaleString('en-GB')} people seeded (a tenth on a plan) and ${planChildren} children put on plans for the police; ${warmup > 0 ? `${warmup} s of warm-up (not in the table; its errors count), then ` : ''}${seconds} s of mixed load, each kind on its own connections: ${kinds.map((k) => `${k.name} ×${k.connections}`).join(', ')}.`,
  '',
  `| ${unit} | ${kinds.map((k) => `${k.name} req (err)`).join(' | ')} | p99 ms (${kinds.map((k) => k.name.split(' ')[0]).join(' / ')}) | RSS MiB | heap MiB |`,
  `|---:|${kinds.map(() => '---:').join('|')}|---|---:|---:|`,
];
for (let i = 0; i < intervals; i++) {
  lines.push(`| ${i + 1} | ${kinds.map((_, k) => `${cells[k]![i]!.requests} (${cells[k]![i]!.errors})`).join(' | ')} | ${kinds.map((_, k) => r0(p99(cells[k]![i]!.latencies))).join(' / ')} | ${r0(rss(i))} | ${r0(heap(i))} |`);
}
const totals = kinds.map((kind, k) => `${kind.name} ${cells[k]!.reduce((s, c) => s + c.requests, 0)} (p99 ${r0(p99(cells[k]!.flatMap((c) => c.latencies)))} ms)`);
lines.push(
  '',
  `Totals: ${totals.join(', ')}; ${total} requests, ${errors} errors${errors > 0 ? ` (${kinds.map((kind, k) => (unexpected[k]!.size > 0 ? `${kind.name}: ${[...unexpected[k]!].map(([w, c]) => `${w} ×${c}`).join(', ')}` : '')).filter(Boolean).join('; ')})` : ''}.`,
  `Rules: no error (a status other than its kind's expected ones, a socket error or a timeout): ${errors === 0 ? 'holds' : 'does not hold'}. Memory bounded, the last ${unit}'s mean RSS at most ${LIMIT * 100}% above the second ${unit}'s (the first is warm-up): ${r0(second)} → ${r0(last)} MiB, ${(100 * change).toFixed(1)}%: ${memoryHolds ? 'holds' : 'does not hold'}. Soak ${passed ? 'PASSED' : 'FAILED'}.`,
);
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
if (process.env.SOAK_RECORD === '1') record(`mixed soak over ${seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} s`} (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);
if (reportFile) {
  // The shape of vitest's JSON report as far as .ci/run's summary reads it: the soak is one test.
  const report = { numPassedTests: passed ? 1 : 0, numFailedTests: passed ? 0 : 1, numPendingTests: 0, numTodoTests: 0, seconds, database: info.database, requests: total, errors, rssSecondMiB: second, rssLastMiB: last, rssChange: change };
  fs.writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
}
process.exitCode = passed ? 0 : 1;

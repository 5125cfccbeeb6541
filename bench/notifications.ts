// How fast the gateway takes police notifications (POST /notifications), with, in the same
// run and on the same gateway, the CP-IS silent read (as bench/audit.ts measures it) for scale.
// - new submissions: each request a unique reference; a high-risk domestic-abuse notification
//   about a child on a child protection plan, with an alleged perpetrator, so the full path
//   runs in one transaction: validate, match two people, route to the plan's LA, the
//   relationship, the Communication, the webhook outbox, the alert and the audit;
// - retries: one body resent (the idempotent path: lock, lookup, audit).
// The children are put on plans through the LA's own FHIR endpoint first (POST /fhir), so
// the person index knows them: the people bench/servers/gateway.ts seeds straight into the
// tables serve the CP-IS read but are not in the person index, and a notification about one
// would be matched as a new person and routed by postcode.
import type { GatewayInfo, LoadResult } from './lib.js';
import { benchNhsNumbers, benchNotification, load, machine, record, startTarget } from './lib.js';

const duration = Number(process.env.BENCH_SECONDS ?? 5);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,10').split(',').map(Number);
const retryConnections = Number(process.env.BENCH_RETRY_CONNECTIONS ?? 10);
const planChildren = Number(process.env.BENCH_PLAN_CHILDREN ?? 200);

const gw = await startTarget<GatewayInfo>('gateway.ts');
const { info } = gw;
const base = `http://127.0.0.1:${info.port}`;

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFIED = [
  {
    url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
    valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' }] },
  },
];
/** Synthetic 999 NHS numbers well above the range the gateway target seeds. */
const children = (count: number): string[] => benchNhsNumbers(900_000, count);
const planBundle = (nhs: string) => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: `urn:uuid:00000000-0000-4000-8000-${nhs.padStart(12, '0')}`,
      resource: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs, extension: VERIFIED }], name: [{ given: ['Sam'], family: 'Benchchild' }], birthDate: '2018-05-04', gender: 'male', address: [{ line: ['1 Example Street'], city: 'Leeds', postalCode: 'LS1 1AA' }] },
      request: { method: 'POST', url: 'Patient' },
    },
    {
      resource: {
        resourceType: 'CareTeam',
        category: [{ coding: [{ system: 'http://snomed.info/sct', code: '342191000000101' }] }],
        subject: { reference: `urn:uuid:00000000-0000-4000-8000-${nhs.padStart(12, '0')}` },
        period: { start: '2026-01-01' },
      },
      request: { method: 'POST', url: 'CareTeam' },
    },
  ],
});

const onPlan = children(planChildren);
console.error(`gateway ready (${info.database}); putting ${planChildren} children on plans`);
for (let i = 0; i < onPlan.length; i += 8) {
  await Promise.all(
    onPlan.slice(i, i + 8).map(async (nhs) => {
      const r = await fetch(`${base}/fhir`, { method: 'POST', headers: { Authorization: `Bearer ${info.tokens.la}`, 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(planBundle(nhs)) });
      if (r.status !== 200) throw new Error(`seeding the plan of ${nhs}: ${r.status} ${await r.text()}`);
    }),
  );
}

const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
const notification = (reference: string, nhs: string) => benchNotification(reference, nhs, occurredAt);
const postHeaders = { Authorization: `Bearer ${info.tokens.police}`, 'Content-Type': 'application/json' };

// Check the path before measuring it: the child found in the person index, routed to the plan's LA.
const probe = await fetch(`${base}/notifications`, { method: 'POST', headers: postHeaders, body: notification('BENCH/PROBE', onPlan[0]!) });
const probeReceipt = (await probe.json()) as { status: string; persons: { ref: string; match: { method: string } }[]; routes: { recipient: string; basis: string }[] };
const route = probeReceipt.routes[0];
if (probe.status !== 201 || probeReceipt.status !== 'routed' || !route?.basis.startsWith('active-plan') || probeReceipt.persons.find((p) => p.ref === 'c1')?.match.method === 'new') {
  await gw.stop();
  throw new Error(`the probe notification did not take the full path: ${probe.status} ${JSON.stringify(probeReceipt)}`);
}

interface Statuses {
  [status: number]: number;
}
let run = 0;
/** New submissions: a unique reference each, children in turn. */
async function newSubmissions(connections: number, seconds = duration): Promise<LoadResult & { statuses: Statuses }> {
  const statuses: Statuses = {};
  const tag = run++;
  let i = 0;
  const r = await load({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/notifications',
        setupRequest: (req) => {
          const n = i++;
          return { ...req, headers: postHeaders, body: notification(`BENCH/${process.pid}/${tag}/${n}`, onPlan[n % onPlan.length]!) };
        },
        onResponse: (status) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  return { ...r, statuses };
}

/** Retries: one stored notification resent unchanged. */
async function retries(connections: number): Promise<LoadResult & { statuses: Statuses }> {
  const body = notification(`BENCH/${process.pid}/retry`, onPlan[1]!);
  const first = await fetch(`${base}/notifications`, { method: 'POST', headers: postHeaders, body });
  if (first.status !== 201) throw new Error(`the notification to retry was not created: ${first.status} ${await first.text()}`);
  const statuses: Statuses = {};
  const r = await load({
    url: base,
    connections,
    duration,
    requests: [{ method: 'POST', path: '/notifications', headers: postHeaders, body, onResponse: (status) => void (statuses[status] = (statuses[status] ?? 0) + 1) }],
  });
  return { ...r, statuses };
}

/** The CP-IS silent read, as bench/audit.ts makes it. */
function silentReads(connections: number, seconds = duration): Promise<LoadResult> {
  let i = 0;
  const nextPath = () => `/fhir/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|${info.onPlan[i++ % info.onPlan.length]}`;
  return load({
    url: base,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath(), headers: { Authorization: `Bearer ${info.tokens.scheduled}`, IsUnscheduledAccessEvent: 'false' } }) }],
  });
}

console.error('probe routed to the plan\'s LA; warming');
// Warm the gateway (JIT, caches, first transactions) before measuring.
await newSubmissions(10, 2);
await silentReads(10, 2);

const statusText = (s: Statuses) =>
  Object.entries(s)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
const rows = ['| scenario | connections | req/s | p50 ms | p99 ms | errors | non-2xx | statuses | CP-IS reads per submission |', '|---|---:|---:|---:|---:|---:|---:|---|---:|'];
const summary: string[] = [];
const measured: { connections: number; sub: LoadResult & { statuses: Statuses }; read: LoadResult }[] = [];
for (const connections of connectionsList) {
  const sub = await newSubmissions(connections);
  const read = await silentReads(connections);
  measured.push({ connections, sub, read });
}
const retry = await retries(retryConnections);
const retryRead = measured.find((m) => m.connections === retryConnections)?.read ?? (await silentReads(retryConnections));
await gw.stop();

const ratio = (sub: LoadResult, read: LoadResult) => (sub.rps > 0 ? (read.rps / sub.rps).toFixed(1) : '—');
for (const { connections, sub, read } of measured) {
  rows.push(`| new submission (domestic abuse, child on a plan, perpetrator) | ${connections} | ${Math.round(sub.rps)} | ${sub.p50} | ${sub.p99} | ${sub.errors} | ${sub.non2xx} | ${statusText(sub.statuses)} | ${ratio(sub, read)} |`);
  rows.push(`| CP-IS silent read (audit) | ${connections} | ${Math.round(read.rps)} | ${read.p50} | ${read.p99} | ${read.errors} | ${read.non2xx} | — | 1 |`);
  summary.push(`${connections} connection${connections === 1 ? '' : 's'}: a new submission costs about ${ratio(sub, read)} CP-IS silent reads (${Math.round(sub.rps)} vs ${Math.round(read.rps)} req/s)`);
}
rows.push(`| retry (same body resent: lock, lookup, audit) | ${retryConnections} | ${Math.round(retry.rps)} | ${retry.p50} | ${retry.p99} | ${retry.errors} | ${retry.non2xx} | ${statusText(retry.statuses)} | ${ratio(retry, retryRead)} |`);
summary.push(`${retryConnections} connections: a retry costs about ${ratio(retry, retryRead)} CP-IS silent reads (${Math.round(retry.rps)} vs ${Math.round(retryRead.rps)} req/s)`);

const lines = [
  `\`node --import tsx bench/notifications.ts\` (\`npm run bench:notifications\`, in \`npm run bench\`), ${info.database}, ${info.people} people seeded for the CP-IS read (${info.people / 10} on a plan) and ${planChildren} children put on plans through POST /fhir for the notifications; ${duration} s per cell, one run; cells run one after another on one gateway, the database growing as it goes. New submissions: 201 expected; retries: 200 expected. The machine is shared (other work may run beside the bench), so read the figures as rough.`,
  '',
  ...rows,
  '',
  ...summary.map((s) => `- ${s}`),
];
console.log(`machine: ${machine()}\n`);
console.log(lines.join('\n'));
record(`police notifications taken, vs the CP-IS read (${info.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'})`, lines);

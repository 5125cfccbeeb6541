import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { nhsCheckDigit } from '../src/model/nhs-number.js';
import { openPostgres } from '../src/store/pg-db.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

export const BENCH_DIR = path.dirname(new URL(import.meta.url).pathname);

/** What bench/servers/gateway.ts says on its ready line. */
export interface GatewayInfo {
  port: number;
  database: string;
  /** Its audit writer (BENCH_AUDIT): on, before or off. */
  audit: string;
  people: number;
  onPlan: string[];
  /** NHS numbers of people in the index with no plan. */
  offPlan: string[];
  tokens: {
    unscheduled: string;
    scheduled: string;
    /** police:E23000010, police-submitter, law-enforcement (bench/notifications.ts). */
    police: string;
    /** la:383, la-social-worker, safeguarding-s47. */
    la: string;
  };
}

export interface Target<T> {
  info: T;
  /** The server process's id (for its CPU time and memory, from /proc). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a bench server in its own process (so the load generator does not share its core)
 * and reads its ready line; `onLine` is given every later line it writes (bench/soak-mixed.ts
 * reads its memory reports so).
 */
export async function startTarget<T>(script: string, env: NodeJS.ProcessEnv = {}, onLine?: (line: string) => void): Promise<Target<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'servers', script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<T>((resolve, reject) => {
    let buf = '';
    let ready = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!ready) {
          ready = true;
          resolve(JSON.parse(line) as T);
        } else onLine?.(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    info,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  non2xx: number;
  bytesPerResponse: number;
}

function summarise(r: autocannon.Result): LoadResult {
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    p999: r.latency.p99_9,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytesPerResponse: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : 0,
  };
}

/** Runs a bounded load (time-limited) with autocannon and summarises it. */
export async function load(opts: autocannon.Options): Promise<LoadResult> {
  return summarise(await autocannon({ duration: 5, ...opts }));
}

export function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Appends a dated section to bench/RESULTS.md. */
export function record(title: string, lines: string[]): void {
  const file = path.join(BENCH_DIR, 'RESULTS.md');
  const section = [`## ${new Date().toISOString().slice(0, 10)} — ${title}`, '', `Machine: ${machine()}.`, '', ...lines, ''].join('\n');
  fs.appendFileSync(file, `\n${section}`);
}

/**
 * On a PostgreSQL server (DATABASE_URL) a bench works in a schema of its own, migrated,
 * and drops it afterwards; on the embedded database it gets nothing and the gateway opens
 * its own. `drop` is safe to call either way.
 */
export async function benchSchema(databaseUrl: string | undefined, name: string, max: number): Promise<{ db: Db | undefined; drop: () => Promise<void> }> {
  if (!databaseUrl) return { db: undefined, drop: () => Promise.resolve() };
  const schema = `${name}_${process.pid}`;
  const admin = openPostgres(databaseUrl, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres(databaseUrl, { schema, max });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

/** CPU time (user + system, µs) a process has used so far, from /proc (Linux). */
export function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
}

/** A process's resident memory now and at its peak (VmRSS, VmHWM), in whole MiB (NaN where /proc is not there). */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const m = processMemory(pid);
  return { rss: Math.round(m?.rssMiB ?? NaN), peak: Math.round(m?.peakMiB ?? NaN) };
}

/** A load run that also says how much CPU the server under load used per answer (µs). */
export async function loadWithCpu(pid: number, opts: autocannon.Options): Promise<LoadResult & { cpuPerRequest: number }> {
  const before = cpuMicros(pid);
  const r = await autocannon({ duration: 5, ...opts });
  const used = cpuMicros(pid) - before;
  return { ...summarise(r), cpuPerRequest: r.requests.total > 0 ? Math.round(used / r.requests.total) : 0 };
}

/** A process's memory from /proc (Linux): its resident set now and its peak (VmHWM), in MiB; null where /proc is not there. */
export function processMemory(pid: number): { rssMiB: number; peakMiB: number } | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Resets a process's peak resident set (VmHWM) to what it holds now (Linux `clear_refs` 5), so a later read gives the peak since; false where that is not possible. */
export function resetPeakMemory(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** `count` distinct test-range NHS numbers (999 prefix) with valid Modulus 11 check digits, from `from` upwards. */
export function benchNhsNumbers(from: number, count: number): string[] {
  const out: string[] = [];
  for (let k = from; out.length < count; k++) {
    const nine = `999${String(k).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) out.push(`${nine}${check}`);
  }
  return out;
}

/**
 * The body of a high-risk domestic abuse notification from West Yorkshire Police about one
 * child (by NHS number), with an alleged perpetrator the force knows by a nominal id: the
 * notification benches and the mixed soak send it.
 */
export function benchNotification(reference: string, nhs: string, occurredAt: string, childFamily = 'Benchchild'): string {
  return JSON.stringify({
    force: 'E23000010',
    reference,
    type: 'domestic-abuse',
    occurredAt,
    location: { lines: ['1 Example Street'], city: 'Leeds', postcode: 'LS1 4AP' },
    persons: [
      { ref: 'c1', roles: ['subject-child'], nhsNumber: nhs, name: { given: ['Sam'], family: childFamily }, birthDate: '2018-05-04', present: true, presentWhere: 'upstairs bedroom' },
      // One alleged perpetrator per household, known to the force by a nominal id, as forces' records hold them.
      { ref: 'a1', roles: ['alleged-perpetrator', 'household-member'], policePersonId: `WY-N-${nhs}`, name: { given: ['Drew'], family: 'Harmful' }, birthDate: '1985-05-05' },
    ],
    riskGrade: { grade: 'high', dashYesCount: 15 },
    officer: { collarNumber: '4521' },
    narrative: 'SYNTHETIC-NARRATIVE officers attended after a call from a neighbour.',
    circumstances: 'Police attended a domestic incident at the home overnight.',
    actionsTaken: [{ code: 'referral-to-childrens-social-care' }],
    familyTold: true,
  });
}

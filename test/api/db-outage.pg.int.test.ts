/**
 * Issue 9, item 3: PostgreSQL goes away under load. Every request is answered 503 in seconds
 * (no hang), nothing is answered without its audit entry — not even a CP-IS read that the
 * warm in-memory index could answer alone — readiness says not ready, and the gateway comes
 * back by itself when the database does, its CP-IS index listening again.
 *
 * The server other tests use is never stopped: the gateway reaches it through a TCP proxy
 * (test/helpers/tcp-proxy.ts) that the test cuts — refusing new connections, or swallowing
 * them silently, or freezing the open ones as a firewall that forgot them would — and restores.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadConfig } from '../../src/config/env.js';
import type { Gateway } from '../../src/gateway.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres, QUERY_TIMEOUT_MARGIN_MS } from '../../src/store/pg-db.js';
import { careTeam, NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { ProxyMode, TcpProxy } from '../helpers/tcp-proxy.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

const pgUrl = process.env.SGW_TEST_DATABASE_URL;
if (!pgUrl) throw new Error('this suite runs in the postgres project: set SGW_TEST_DATABASE_URL');

// Short bounds, so that the test is quick; the defaults (5 s, 30 s) are the same code.
const CONNECT_MS = 1_000;
const STATEMENT_MS = 2_500;
/** The longest an answer may take during the outage: a statement's bound and a connect, with room for a loaded machine. */
const ANSWER_BOUND_MS = STATEMENT_MS + QUERY_TIMEOUT_MARGIN_MS + CONNECT_MS + 3_000;
/** Long enough for several answers; when connections freeze, the first answers wait out the statement bound. */
const OUTAGE_MS: Record<ProxyMode, number> = { forward: 0, refuse: 3_000, blackhole: 4_000, freeze: STATEMENT_MS + QUERY_TIMEOUT_MARGIN_MS + 3_000 };
/** How long the gateway may take to serve again once the database is back. */
const RECOVERY_BOUND_MS = 20_000;

interface Answer {
  kind: 'cpis-unscheduled' | 'cpis-silent' | 'notification' | 'ready';
  requestId: string;
  started: number;
  ended: number;
  status: number;
  code: string | undefined;
  body: string;
}

let testDb: TestDb;
let gwDb: Db;
let gateway: Gateway;
let server: Server;
let proxy: TcpProxy;
let base: string;
let dataDir: string;
const logLines: string[] = [];
const tokens = { ed: '', la: '', police: '' };
let serial = 0;

async function call(kind: Answer['kind'], child: string): Promise<Answer> {
  const requestId = `outage-${++serial}`;
  const headers: Record<string, string> = { 'X-Request-ID': requestId };
  let url = `${base}/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${child}`;
  let init: RequestInit = {};
  if (kind === 'cpis-unscheduled' || kind === 'cpis-silent') {
    Object.assign(headers, { Authorization: `Bearer ${tokens.ed}`, IsUnscheduledAccessEvent: String(kind === 'cpis-unscheduled') });
  } else if (kind === 'notification') {
    url = `${base}/notifications`;
    Object.assign(headers, { Authorization: `Bearer ${tokens.police}`, 'Content-Type': 'application/json' });
    init = { method: 'POST', body: JSON.stringify(notification(child, `13/${String(serial).padStart(6, '0')}/26`)) };
  } else {
    url = `${base}/health/ready`;
  }
  const started = Date.now();
  // A hang is a failure, but the test reports it rather than hanging itself.
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(60_000) });
  const body = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { issue?: { details?: { coding?: { code?: string }[] } }[] }).issue?.[0]?.details?.coding?.[0]?.code;
  } catch {
    code = undefined;
  }
  return { kind, requestId, started, ended: Date.now(), status: res.status, code, body };
}

function notification(child: string, reference: string) {
  return {
    force: 'E23000010',
    reference,
    type: 'missing',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    location: { description: 'near the canal', postcode: 'LS1 4AP' },
    persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: child, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' }],
    officer: { collarNumber: '55' },
  };
}

/** Four clients asking in a loop until `stop` resolves. */
async function load(child: string, stop: Promise<void>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  const kinds: Answer['kind'][] = ['cpis-unscheduled', 'cpis-silent', 'notification', 'ready'];
  await Promise.all(
    kinds.map(async (kind) => {
      while (!stopped) {
        answers.push(await call(kind, child));
        await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  return answers;
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function plansShown(child: string): Promise<number> {
  const a = await call('cpis-silent', child);
  expect(a.status).toBe(200);
  return (JSON.parse(a.body) as { total: number }).total;
}

describe('PostgreSQL unavailable mid-load (through a TCP proxy that is cut and restored)', () => {
  beforeAll(async () => {
    testDb = await createTestDb();
    const [row] = await testDb.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    const target = new URL(pgUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(pgUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    gwDb = openPostgres(viaProxy.toString(), { schema: row!.schema, max: 5, timeouts: { connectTimeoutMs: CONNECT_MS, statementTimeoutMs: STATEMENT_MS } });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-outage-'));
    const config = loadConfig({ SGW_DATA_DIR: dataDir, SGW_LOG_LEVEL: 'warn', SGW_AUDIT_HEAD_INTERVAL_SECONDS: '86400' });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });
    gateway = await createGateway(config, { db: gwDb, log: createLogger('warn', sink) });
    server = await new Promise<Server>((resolve) => {
      const s = gateway.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const keys = await loadOrCreateDevKeys(dataDir);
    const mint = (agency: string, role: string, purpose: string) => mintDevToken(keys, gateway.directory, { agency, role, purpose, sub: `${role}-1`, audience: config.tokenAudience, expiresInSeconds: 3600 });
    tokens.ed = await mint('ods:RR8', 'unscheduled-care', 'TREAT');
    tokens.la = await mint('la:383', 'la-social-worker', 'safeguarding-s47');
    tokens.police = await mint('police:E23000010', 'police-submitter', 'law-enforcement');
  });

  afterAll(async () => {
    proxy?.set('forward');
    await new Promise((r) => server?.close(r));
    await gateway?.close();
    await gwDb?.close().catch(() => undefined);
    await proxy?.close();
    await testDb?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const modes: [ProxyMode, string][] = [
    ['refuse', 'the server refuses connections (stopped)'],
    ['blackhole', 'the server swallows connections silently (host gone)'],
    ['freeze', 'open connections go silent and stay so (a firewall forgot them)'],
  ];
  modes.forEach(([mode, what], i) => {
    it(`${what}: 503 in seconds with no answer unaudited, not ready, then back by itself with its CP-IS index listening`, async () => {
      const child = testNhsNumber(910_000 + i * 100);
      const recorded = await fetch(`${base}/fhir/CareTeam`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens.la}`, 'Content-Type': 'application/fhir+json' },
        body: JSON.stringify(careTeam(child)),
      });
      expect(recorded.status).toBe(201);
      // The index holds the child: the next answers come from memory.
      expect(await plansShown(child)).toBe(1);
      const hitsBefore = gateway.ctx.cpisIndex.stats().hits;
      expect(await plansShown(child)).toBe(1);
      expect(gateway.ctx.cpisIndex.stats().hits).toBeGreaterThan(hitsBefore);

      let stop!: () => void;
      const loading = load(child, new Promise<void>((r) => (stop = r)));
      await new Promise((r) => setTimeout(r, 800));
      const cutAt = Date.now();
      proxy.set(mode);
      // Another gateway process, whose own link is fine, withdraws the plan meanwhile: this
      // gateway cannot hear of it, so it must not trust what its index holds afterwards.
      await testDb.db.query(`UPDATE protection_plans SET status = 'entered-in-error' WHERE person_id = (SELECT person_id FROM person_identifiers WHERE value = $1 LIMIT 1)`, [child]);
      await new Promise((r) => setTimeout(r, OUTAGE_MS[mode]));
      const restoredAt = Date.now();
      proxy.set('forward');
      const recoveredIn = await until(
        'an unscheduled CP-IS query answered again',
        async () => (await call('cpis-unscheduled', child)).status === 200 && (await call('notification', child)).status === 201,
        RECOVERY_BOUND_MS,
      );
      stop();
      const answers = await loading;

      // No hang: every answer, during the outage too, came within the bound.
      const slowest = Math.max(...answers.map((a) => a.ended - a.started));
      expect(slowest).toBeLessThan(ANSWER_BOUND_MS);
      // Asked and answered while the database was away: 503 and nothing else.
      const during = answers.filter((a) => a.started >= cutAt && a.ended <= restoredAt);
      expect(during.length).toBeGreaterThanOrEqual(4);
      // Cut or silent (not frozen) connections fail within a connect timeout or so, not a statement timeout.
      if (mode !== 'freeze') expect(Math.max(...during.map((a) => a.ended - a.started))).toBeLessThan(2 * CONNECT_MS + 2_000);
      for (const a of during) {
        expect({ kind: a.kind, status: a.status }).toEqual({ kind: a.kind, status: 503 });
        if (a.kind === 'ready') expect(JSON.parse(a.body)).toMatchObject({ status: 'not-ready' });
        else expect(['GW_ERR_DATABASE_UNAVAILABLE', 'GW_ERR_AUDIT_UNAVAILABLE']).toContain(a.code);
        expect(a.body).not.toContain('CareTeam/');
      }
      expect(during.filter((a) => a.kind === 'cpis-unscheduled' || a.kind === 'cpis-silent').length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.ended <= cutAt && a.status === 200 && a.kind.startsWith('cpis')).length).toBeGreaterThan(0);

      // Nothing was answered without its audit entry, outage or not: each success has exactly one.
      const succeeded = answers.filter((a) => a.kind !== 'ready' && a.status < 300);
      const audited = await testDb.db.query<{ id: string; n: number }>(
        `SELECT entry->>'requestId' AS id, count(*)::int AS n FROM audit_log WHERE entry->>'requestId' = ANY($1) GROUP BY 1`,
        [succeeded.map((a) => a.requestId)],
      );
      expect(audited.filter((r) => r.n === 1).map((r) => r.id).sort()).toEqual(succeeded.map((a) => a.requestId).sort());

      // Back by itself: ready, and the index listens again — what it held from before the
      // outage is gone, and a change made by another process after it is heard.
      expect(recoveredIn).toBeLessThan(RECOVERY_BOUND_MS);
      expect((await call('ready', child)).status).toBe(200);
      await until('the CP-IS index listening again', () => gateway.ctx.cpisIndex.stats().coherent, RECOVERY_BOUND_MS);
      expect(await plansShown(child)).toBe(0);
      await testDb.db.query(`UPDATE protection_plans SET status = 'recorded' WHERE person_id = (SELECT person_id FROM person_identifiers WHERE value = $1 LIMIT 1)`, [child]);
      await until('the other process\'s change heard', async () => (await plansShown(child)) === 1, 5_000);
      const hits = gateway.ctx.cpisIndex.stats().hits;
      expect(await plansShown(child)).toBe(1);
      expect(gateway.ctx.cpisIndex.stats().hits).toBeGreaterThan(hits);
      // No log line carries the child's NHS number, outage or not.
      expect(logLines.join('\n')).not.toContain(child);
    }, 90_000);
  });
});

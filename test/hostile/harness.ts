/**
 * The hostile-input harness: one gateway on a fresh database, a digest of every data
 * table, and `expectRefused`, which sends one case and checks the three promises the
 * gateway makes about bad input (DESIGN.md non-negotiables 2 and 3):
 *
 * (a) a clear 4xx FHIR OperationOutcome with a GW_ERR_* code and a diagnostics text;
 * (b) no crash: never a 5xx, and the gateway still answers a normal request;
 * (c) nothing written: every data table is as it was. The audit log may grow by the
 *     refusal's own entry only (outcome deny or error, the status answered), and only on
 *     routes that audit (every route touching personal data does; /audit/* and
 *     /fhir/Organization do not).
 */
import request from 'supertest';
import { expect } from 'vitest';
import type { TestGateway } from '../helpers/test-gateway.js';

/** Tables the audit machinery owns: they may grow by a refusal's audit entry. */
const AUDIT_TABLES = new Set(['audit_log', 'audit_head', 'audit_merkle_node', 'audit_tree_head']);

export interface Tally {
  cases: number;
  crashes: number;
  partialWrites: number;
}

/** Counts for the summary line; a failing case has already failed its test when counted. */
export const corpusTally: Tally = { cases: 0, crashes: 0, partialWrites: 0 };
export const propertyTally: Tally = { cases: 0, crashes: 0, partialWrites: 0 };

/** One hostile request. `body` is sent as is (a Buffer stays bytes). */
export interface HostileCase {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** Which token to send: a key of the tokens the suite mints. */
  as: TokenName;
  contentType?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Whether the route writes an audit entry for a refusal (default true). */
  audited?: boolean;
  /**
   * A free-text search parameter can legitimately hold any characters: such a case must
   * answer 200 with nothing found (and leave only its permit audit entry), not a 4xx.
   */
  harmless?: boolean;
}

export type TokenName = 'hospital' | 'laReturns' | 'laCase' | 'police' | 'auditor' | 'admin';

export const TOKENS: Record<TokenName, [string, string, string]> = {
  hospital: ['ods:RR8', 'unscheduled-care', 'TREAT'],
  laReturns: ['la:383', 'la-social-worker', 'statutory-return'],
  laCase: ['la:383', 'la-social-worker', 'safeguarding-s47'],
  police: ['police:E23000010', 'police-submitter', 'law-enforcement'],
  auditor: ['la:383', 'auditor', 'audit'],
  admin: ['la:383', 'admin', 'audit'],
};

export class Hostile {
  private tokens = new Map<TokenName, string>();
  private digest = '';

  constructor(readonly t: TestGateway) {}

  async init(): Promise<void> {
    for (const [name, [agency, role, purpose]] of Object.entries(TOKENS) as [TokenName, [string, string, string]][]) {
      this.tokens.set(name, await this.t.token(agency, role, purpose, `hostile-${name}`));
    }
    this.digest = await this.dataDigest();
  }

  token(name: TokenName): string {
    return this.tokens.get(name)!;
  }

  /** md5 of every row of every data table (all tables but the audit ones), in one query. */
  async dataDigest(): Promise<string> {
    const tables = await this.dataTables();
    const parts = tables.map((t) => `SELECT '${t}' AS t, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') AS d FROM ${t} x`);
    const rows = await this.t.testDb.db.query<{ t: string; d: string }>(parts.join(' UNION ALL '));
    return rows
      .sort((a, b) => a.t.localeCompare(b.t))
      .map((r) => `${r.t}:${r.d}`)
      .join(',');
  }

  private tablesCache: string[] | undefined;
  private async dataTables(): Promise<string[]> {
    if (!this.tablesCache) {
      const rows = await this.t.testDb.db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
      );
      this.tablesCache = rows.map((r) => r.name).filter((n) => !AUDIT_TABLES.has(n));
      expect(this.tablesCache.length).toBeGreaterThan(10);
    }
    return this.tablesCache;
  }

  async auditSeq(): Promise<number> {
    const [row] = await this.t.testDb.db.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int AS n FROM audit_log');
    return row!.n;
  }

  private async auditSince(seq: number): Promise<{ outcome: string; status: number }[]> {
    const rows = await this.t.testDb.db.query<{ entry: { outcome: string; status: number } }>('SELECT entry FROM audit_log WHERE seq > $1 ORDER BY seq', [seq]);
    return rows.map((r) => r.entry);
  }

  send(c: HostileCase): request.Test {
    const app = this.t.gateway.app;
    let r = c.method === 'GET' ? request(app).get(c.path) : request(app).post(c.path);
    r = r.set('Authorization', `Bearer ${this.token(c.as)}`);
    for (const [k, v] of Object.entries(c.headers ?? {})) r = r.set(k, v);
    if (c.contentType) r = r.set('Content-Type', c.contentType);
    if (c.body !== undefined) r = r.send(c.body);
    return r;
  }

  /** Sends one hostile case and asserts (a), (b) and (c); returns the answer for further checks. */
  async expectRefused(c: HostileCase): Promise<request.Response> {
    corpusTally.cases++;
    const seq = await this.auditSeq();
    const res = await this.send(c);
    // Measure before asserting, so the next case compares with what is there now and one
    // accepted case fails alone.
    const before = this.digest;
    this.digest = await this.dataDigest();
    const changed = this.digest.split(',').filter((x) => !before.split(',').includes(x)).map((x) => x.split(':')[0]);
    const entries = await this.auditSince(seq);
    if (res.status >= 500) corpusTally.crashes++;
    if (changed.length > 0) corpusTally.partialWrites++;

    const label = `${c.name}: ${c.method} ${c.path.slice(0, 120)} answered ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
    if (c.harmless) {
      expect(res.status, label).toBe(200);
    } else {
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(res.status, label).toBeLessThan(500);
      expect(res.body.resourceType, label).toBe('OperationOutcome');
      expect(res.headers['content-type'], label).toMatch(/^application\/fhir\+json/);
      for (const issue of res.body.issue as { details?: { coding?: { code: string }[] }; diagnostics?: string }[]) {
        expect(issue.details?.coding?.[0]?.code, label).toMatch(/^GW_ERR_[A-Z_]+$/);
        expect(issue.diagnostics?.length ?? 0, label).toBeGreaterThan(10);
        // No internals leak: no stack frames and no JavaScript error names in what the caller reads.
        expect(issue.diagnostics, label).not.toMatch(/at [\w.]+ \(|TypeError|ReferenceError|RangeError|Cannot read properties|undefined is not/);
      }
    }
    expect(changed, `${label}: data tables changed`).toEqual([]);
    // A NUL in the URL is refused before routing, like an unknown path: nothing read, nothing audited.
    if (c.audited === false || /%00/.test(c.path)) {
      expect(entries, `${label}: a refusal before any route wrote audit entries`).toEqual([]);
    } else {
      expect(entries.length, `${label}: expected exactly one audit entry`).toBe(1);
      expect(entries[0], label).toMatchObject(c.harmless ? { outcome: 'permit', status: 200 } : { status: res.status });
      if (!c.harmless) expect(['deny', 'error'], label).toContain(entries[0]!.outcome);
    }
    return res;
  }

  /**
   * For generated input, which may happen to be valid: never a 5xx; a refusal is a 4xx
   * OperationOutcome that changed no data table and left one deny/error audit entry; an
   * acceptance (2xx) may write, and the next input compares with what it left.
   */
  async expectNoHarm(c: HostileCase): Promise<number> {
    propertyTally.cases++;
    const seq = await this.auditSeq();
    const res = await this.send(c);
    const before = this.digest;
    this.digest = await this.dataDigest();
    const refused = res.status >= 400;
    const changed = before !== this.digest;
    if (res.status >= 500) propertyTally.crashes++;
    if (refused && changed) propertyTally.partialWrites++;
    const label = `${c.name} answered ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
    expect(res.status, label).toBeLessThan(500);
    if (refused) {
      expect(res.body.resourceType, label).toBe('OperationOutcome');
      expect(changed, `${label}: a refused body changed data tables`).toBe(false);
      const entries = await this.auditSince(seq);
      expect(entries.map((e) => e.outcome), label).toEqual([res.status === 401 || res.status === 403 ? 'deny' : 'error']);
    }
    return res.status;
  }

  /** (b): the gateway still answers a normal, database-backed request. */
  async expectStillServing(): Promise<void> {
    const res = await request(this.t.gateway.app).get('/health/ready');
    expect(res.status).toBe(200);
    const meta = await request(this.t.gateway.app).get('/fhir/metadata');
    expect(meta.status).toBe(200);
  }

  /** After a deliberate write, the digest the following cases compare against. */
  async rebase(): Promise<void> {
    this.digest = await this.dataDigest();
  }
}

/** The summary line the done-when of issue 9 asks for. */
export function summaryLine(): string {
  const c = corpusTally;
  const p = propertyTally;
  return `hostile corpus: ${c.cases} cases tried, crashes ${c.crashes}, partial writes ${c.partialWrites}; property runs: ${p.cases}, crashes ${p.crashes}, partial writes ${p.partialWrites}`;
}

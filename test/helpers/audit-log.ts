import { appendAuditEntries } from '../../src/audit/audit-log.js';
import type { AuditEntry } from '../../src/model/audit-entry.js';
import type { Db, Queryable } from '../../src/store/db.js';

/** A synthetic audit entry; n makes it distinct. No personal data. */
export function auditEntry(n: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    recordedAt: new Date(Date.UTC(2026, 10, 20, 10, 0, 0, n)).toISOString(),
    requestId: `req-${n}`,
    actor: { sub: `user-${n % 7}`, agency: 'ods:RR8', role: 'unscheduled-care' },
    purpose: 'TREAT',
    action: 'search',
    resourceType: 'CareTeam',
    query: null,
    subjects: [`person-${n % 11}`],
    records: [],
    outcome: 'permit',
    status: 200,
    reason: null,
    ...over,
  };
}

/** The entries of the log as stored, in sequence order. */
export async function storedEntries(db: Queryable): Promise<AuditEntry[]> {
  return (await db.query<{ entry: AuditEntry }>('SELECT entry FROM audit_log ORDER BY seq')).map((r) => r.entry);
}

/**
 * What an attacker with full database access does to hide a change: rewrites the log as
 * `mutate` says and recomputes everything the database holds to match — every chain hash,
 * every Merkle node and the head row — and deletes the database's copies of the signed heads.
 * Only what lives outside the database (the heads file, the signing key) is beyond reach.
 */
export async function rewriteLogConsistently(db: Db, mutate: (entries: AuditEntry[]) => AuditEntry[]): Promise<void> {
  const entries = mutate(await storedEntries(db));
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM audit_log');
    await tx.query('DELETE FROM audit_merkle_node');
    await tx.query('DELETE FROM audit_tree_head');
    await tx.query(`UPDATE audit_head SET seq = 0, hash = 'genesis', tree_size = 0, frontier = '[]'`);
    for (let i = 0; i < entries.length; i += 100) await appendAuditEntries(tx, entries.slice(i, i + 100));
  });
}

const TABLES = ['audit_log', 'audit_merkle_node', 'audit_head', 'audit_tree_head'] as const;
export type AuditSnapshot = Record<(typeof TABLES)[number], Record<string, unknown>[]>;

/** Everything the audit keeps in the database, to put back after a tampering test. */
export async function snapshotAudit(db: Queryable): Promise<AuditSnapshot> {
  const snap = {} as AuditSnapshot;
  for (const t of TABLES) snap[t] = await db.query(`SELECT * FROM ${t}`);
  return snap;
}

export async function restoreAudit(db: Db, snap: AuditSnapshot): Promise<void> {
  await db.transaction(async (tx) => {
    for (const t of TABLES) {
      await tx.query(`DELETE FROM ${t}`);
      for (const row of snap[t]) {
        const cols = Object.keys(row);
        const values = cols.map((c) => {
          const v = row[c];
          return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
        });
        await tx.query(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
    }
  });
}

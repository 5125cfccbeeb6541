import type { AuditEntry, ChainedAuditEntry } from '../model/audit-entry.js';
import type { Queryable } from '../store/db.js';
import { linkHash } from './chain.js';

/**
 * Appends entries to the hash chain inside the caller's transaction. The head row is
 * locked first, so concurrent appenders (other connections or gateway processes) queue
 * behind one another and the chain never forks.
 */
export async function appendAuditEntries(tx: Queryable, entries: AuditEntry[]): Promise<ChainedAuditEntry[]> {
  if (entries.length === 0) return [];
  const [head] = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id FOR UPDATE');
  if (!head) throw new Error('audit_head row is missing');
  let { seq, hash } = head;
  const chained: ChainedAuditEntry[] = [];
  for (const entry of entries) {
    seq += 1;
    const next = linkHash(hash, seq, entry);
    chained.push({ seq, entry, prevHash: hash, hash: next });
    hash = next;
  }
  const cols = 5;
  const values = chained.map((_, i) => `($${i * cols + 1}, $${i * cols + 2}, $${i * cols + 3}, $${i * cols + 4}, $${i * cols + 5})`).join(', ');
  await tx.query(
    `INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash) VALUES ${values}`,
    chained.flatMap((c) => [c.seq, c.entry.recordedAt, JSON.stringify(c.entry), c.prevHash, c.hash]),
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id', [seq, hash]);
  return chained;
}

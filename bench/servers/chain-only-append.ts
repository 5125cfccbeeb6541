// The audit append as it was before the Merkle tree (commit 52ed257): hash chain and head
// row only. The bench runs it beside the real one to measure what the tree costs.
import { linkHash } from '../../src/audit/chain.js';
import type { AuditEntry } from '../../src/model/audit-entry.js';
import type { Queryable } from '../../src/store/db.js';

export async function chainOnlyAppend(tx: Queryable, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const [head] = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id FOR UPDATE');
  if (!head) throw new Error('audit_head row is missing');
  let { seq, hash } = head;
  const rows: unknown[] = [];
  for (const entry of entries) {
    seq += 1;
    const next = linkHash(hash, seq, entry);
    rows.push(seq, entry.recordedAt, JSON.stringify(entry), hash, next);
    hash = next;
  }
  const values = entries.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`).join(', ');
  await tx.query(`INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash) VALUES ${values}`, rows);
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id', [seq, hash]);
}

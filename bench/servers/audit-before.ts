// The audit writer and append as they were before the Merkle tree (commit 52ed257): a group
// commit that starts its first commit at once, and an append of hash chain and head row only,
// in a transaction under the head's lock. bench/audit.ts runs it beside today's writer to
// measure, in one run, what the tree and the writer's changes cost or save.
import { linkHash } from '../../src/audit/chain.js';
import type { AuditSink } from '../../src/audit/audit-writer.js';
import type { AuditEntry } from '../../src/model/audit-entry.js';
import type { Db, Queryable } from '../../src/store/db.js';

async function chainOnlyAppend(tx: Queryable, entries: AuditEntry[]): Promise<void> {
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

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class AuditWriterBefore implements AuditSink {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  write(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 256);
        try {
          await this.db.transaction((tx) => chainOnlyAppend(tx, batch.map((p) => p.entry)));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

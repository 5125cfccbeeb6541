import type { AuditEntry } from '../model/audit-entry.js';
import type { Db } from '../store/db.js';
import type { AuditHead } from './audit-log.js';
import { appendAfter, appendLocked } from './audit-log.js';

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 256;

/** Where the gateway sends audit entries written outside a data transaction. */
export interface AuditSink {
  /** Resolves once the entry is durable; rejects if it could not be written. */
  write(entry: AuditEntry): Promise<void>;
  /** Waits for everything queued so far to be written (used at shutdown). */
  flush(): Promise<void>;
}

/**
 * Group commit for audit entries written outside a data transaction (reads, denials).
 * Entries that arrive while a commit is in flight go in the next one; each caller's
 * promise settles only when its own entry is durable, so no answer leaves before its audit.
 * A batch continues from the head the writer itself left, in one guarded statement; when
 * something else appended in between, it takes the head's lock in a transaction instead.
 */
export class AuditWriter implements AuditSink {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private head: AuditHead | null = null;

  constructor(private readonly db: Db) {}

  /** Resolves once the entry is committed; rejects if it could not be written. */
  write(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      // The first commit waits one turn of the event loop, so that requests already under way
      // join it. Without the wait, on the embedded database (whose queries run on this thread)
      // every commit finished before the next request reached here: batches of one, always.
      this.flushing ??= new Promise<void>((next) => setImmediate(next)).then(() => this.drain());
    });
  }

  /** Waits for everything queued so far to be written (used at shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async commit(entries: AuditEntry[]): Promise<void> {
    try {
      const done = (this.head ? await appendAfter(this.db, this.head, entries) : null) ?? (await this.db.transaction((tx) => appendLocked(tx, entries)));
      this.head = done.head;
    } catch (err) {
      this.head = null;
      throw err;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.commit(batch.map((p) => p.entry));
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

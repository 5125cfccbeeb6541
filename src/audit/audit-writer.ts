import type { AuditEntry } from '../model/audit-entry.js';
import type { Db } from '../store/db.js';
import { appendAuditEntries } from './audit-log.js';

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
 */
export class AuditWriter implements AuditSink {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** Resolves once the entry is committed; rejects if it could not be written. */
  write(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Waits for everything queued so far to be written (used at shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.db.transaction((tx) => appendAuditEntries(tx, batch.map((p) => p.entry)));
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

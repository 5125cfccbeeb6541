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
  /** Settles when the append under way (the writer's own, or a group commit's) is over. */
  private turn: Promise<void> = Promise.resolve();

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

  /**
   * Runs `append` when no other append of this process is under way, given the head this
   * process left (null when unknown), and keeps the head it leaves. Appends of this process
   * taking turns means each finds the head where the last one left it, and continues from it
   * without the head's lock. The group committer appends in its turn too: before, each of its
   * commits moved the head under the writer, whose next batch failed its guard and was
   * written again under the lock in a transaction (in CP-IS unscheduled reads, most batches).
   * Start the turn before any transaction it runs: a turn waited for inside a transaction
   * would deadlock on the embedded database, whose statements wait for that transaction.
   */
  async inTurn<T>(append: (head: AuditHead | null) => Promise<{ value: T; head: AuditHead | null }>): Promise<T> {
    const before = this.turn;
    let done = (): void => undefined;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    await before;
    try {
      const out = await append(this.head);
      this.head = out.head;
      return out.value;
    } catch (err) {
      this.head = null;
      throw err;
    } finally {
      done();
    }
  }

  private async commit(entries: AuditEntry[]): Promise<void> {
    await this.inTurn(async (head) => {
      const done = (head ? await appendAfter(this.db, head, entries) : null) ?? (await this.db.transaction((tx) => appendLocked(tx, entries)));
      return { value: undefined, head: done.head };
    });
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

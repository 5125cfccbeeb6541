import type { AuditHead } from '../audit/audit-log.js';
import { appendAfter, appendLocked } from '../audit/audit-log.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { AuditEntry } from '../model/audit-entry.js';
import type { Db, Queryable } from '../store/db.js';

/** One request's writes: run inside a shared transaction, giving its answer and the audit entries to commit with it. */
export type GroupWork<T> = (tx: Queryable) => Promise<{ value: T; audit: AuditEntry[] }>;

interface Pending {
  work: GroupWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const MAX_GROUP = 64;

/**
 * Group commit for small write transactions that come in bursts (the CP-IS unscheduled
 * read: an access record, the LA's notification and its webhook notice, and the audit
 * entry). Works that arrive while a transaction is under way, or in the same turn of the
 * event loop, share the next one: each runs its statements in turn, their audit entries are
 * appended together, and one commit makes all of them durable. Each caller's promise
 * settles only after that commit, so no answer leaves before its writes and its audit are
 * durable. If the shared transaction fails (one work's error, a deadlock with another
 * process), nothing of it is kept and each work is run again alone, so one request's failure
 * is its own.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;

  /** `writer`: the process's audit writer, whose turns this committer's appends take too (AuditWriter.inTurn). */
  constructor(
    private readonly db: Db,
    private readonly writer?: AuditWriter,
  ) {}

  /**
   * One transaction of `fn`'s writes and their audit entries, in the writer's turn: the
   * entries continue from the head the process left, without the head's lock when it has not
   * moved; under the lock otherwise.
   */
  private inTransaction<T>(fn: (tx: Queryable) => Promise<{ value: T; audit: AuditEntry[] }>): Promise<T> {
    const append = async (head: AuditHead | null) => {
      let after = head;
      const value = await this.db.transaction(async (tx) => {
        const done = await fn(tx);
        if (done.audit.length > 0) after = ((head ? await appendAfter(tx, head, done.audit) : null) ?? (await appendLocked(tx, done.audit))).head;
        return done.value;
      });
      return { value, head: after };
    };
    return this.writer ? this.writer.inTurn(append) : append(null).then((out) => out.value);
  }

  run<T>(work: GroupWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= new Promise<void>((next) => setImmediate(next)).then(() => this.drain());
    });
  }

  /** Waits for every work queued so far (shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        if (group.length === 1 || !(await this.together(group))) for (const p of group) await this.alone(p);
      }
    } finally {
      this.draining = null;
    }
  }

  /** Runs the group in one transaction; true if it committed (and every promise is resolved). */
  private async together(group: Pending[]): Promise<boolean> {
    let values: unknown[];
    try {
      values = await this.inTransaction(async (tx) => {
        const value: unknown[] = [];
        const audit: AuditEntry[] = [];
        for (const p of group) {
          const done = await p.work(tx);
          value.push(done.value);
          audit.push(...done.audit);
        }
        return { value, audit };
      });
    } catch {
      return false;
    }
    group.forEach((p, i) => p.resolve(values[i]));
    return true;
  }

  private async alone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.inTransaction(p.work));
    } catch (err) {
      p.reject(err);
    }
  }
}

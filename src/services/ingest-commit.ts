/**
 * Group commit for ingested messages. Hospitals send ADT as a stream from several
 * interfaces at once; one transaction per message spends most of its time beginning,
 * committing and appending to the audit chain, one message after another behind the audit
 * head's lock. Here the messages that arrive while a commit is in flight share the next
 * transaction: each message's records are written in it, their audit entries are appended
 * together at its end, and every message is answered only once that transaction has
 * committed. So an acknowledged message is always committed with its audit entry.
 *
 * A message that fails (a conflict in the person index, a record breaking its schema, a
 * database error) must change nothing and must not take the others down with it. The batch
 * is first run straight through; if any message fails, it is rolled back and run again with
 * a savepoint around each message, so the failing ones are undone alone and refused, and
 * the rest commit. Messages run in the order they arrived, as they would one by one.
 */
import type { AuditEntry } from '../model/audit-entry.js';
import type { AuditHead } from '../audit/audit-log.js';
import { appendAfter, appendLocked } from '../audit/audit-log.js';
import type { Person } from '../model/person.js';
import type { Db, Queryable } from '../store/db.js';
import type { IndexMode } from './index-mode.js';
import { IngestBatch } from './ingest-batch.js';
import { CANDIDATE_LIMIT, PERSON_INDEX_LOCK } from './person-index.js';

/** One message's part of a batch: its writes, in the batch's transaction. */
export interface CommitJob<T> {
  /**
   * Writes the message's records in `tx` and returns its answer with the audit entry that
   * records it. Throws to refuse the message; must then be safe to run again (a batch that
   * hits a failure is rolled back and run again).
   */
  write(tx: Queryable, batch: IngestBatch | undefined): Promise<{ value: T; audit: () => AuditEntry }>;
  /** Advisory-lock keys (identifiers) the message resolves people by: a batch takes them all first, in one order. */
  lockKeys: readonly string[];
  /** The message's people (schema-checked) with the ids they would take if new: the batch looks them all up at once. */
  people: readonly { person: Person; personId: string; sourceId: string }[];
  /** The person index mode the message is resolved in (a batch shares lookups only between messages of one mode). */
  index: IndexMode;
}

interface Pending {
  job: CommitJob<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Attempt = { ok: true; value: unknown; audit: () => AuditEntry } | { ok: false; err: unknown };

/** At most this many messages share a transaction. */
export const MAX_BATCH = 64;

class Failed extends Error {
  constructor() {
    super('a message in the batch failed');
  }
}

/**
 * Takes the advisory locks of every identifier in the batch, in one order, so two batches
 * never wait on each other in a cycle. In the same statement JIT compilation is switched off
 * for the transaction: from its row estimate of a hundred people the server's planner
 * JIT-compiles the batch's lookup, which then costs far more (700 ms) than running it (a few).
 */
async function lockAll(tx: Queryable, jobs: readonly Pending[]): Promise<void> {
  const keys = [...new Set(jobs.flatMap((p) => p.job.lockKeys))];
  await tx.query(
    // The person index's shared lock first (a bulk upload holds it exclusively), as resolveIncomingPerson takes it.
    `SELECT pg_advisory_xact_lock_shared(${PERSON_INDEX_LOCK}) AS index_lock,
            set_config('jit', 'off', true) AS jit,
            (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS keys) AS locks) AS locked`,
    [keys],
  );
}

/**
 * Queues messages' writes and commits them in shared transactions, one batch at a time
 * (so messages are written in the order they were submitted).
 */
export class IngestCommitter {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  /** The audit head this committer's last transaction left, if it committed. */
  private head: AuditHead | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  /** Resolves with the job's answer once its transaction has committed; rejects, having changed nothing, if it failed. */
  submit<T>(job: CommitJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
      // The first batch waits one turn of the event loop, so that messages already under way join it.
      this.draining ??= new Promise<void>((next) => setImmediate(next)).then(() => this.drain());
    });
  }

  /** Waits until everything submitted so far has been committed or refused. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.draining = null;
    }
  }

  /**
   * Appends a batch's audit entries in its transaction. After a batch of its own, one
   * guarded statement continues from the head it left (as the group-commit audit writer
   * does); if anything else appended since, the head is locked and read instead.
   */
  private async appendAudit(tx: Queryable, entries: AuditEntry[]): Promise<AuditHead | null> {
    if (entries.length === 0) return null;
    const done = (this.head ? await appendAfter(tx, this.head, entries) : null) ?? (await appendLocked(tx, entries));
    return done.head;
  }

  /** Runs a batch's transaction; the audit head it leaves is trusted only once it has committed. */
  private async transaction(fn: (tx: Queryable) => Promise<{ results: Attempt[]; head: AuditHead | null }>): Promise<Attempt[]> {
    try {
      const { results, head } = await this.db.transaction(fn);
      this.head = head;
      return results;
    } catch (err) {
      this.head = null;
      throw err;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let results: Attempt[];
    try {
      results = await this.transaction(async (tx) => {
        // One message alone is written as it always was; several share lookups and writes.
        const mode = batch[0]!.job.index;
        const shared = batch.length > 1 && batch.every((p) => p.job.index === mode) ? new IngestBatch(mode, mode.records) : undefined;
        if (shared) {
          await lockAll(tx, batch);
          await shared.prefetch(tx, batch.flatMap((p) => p.job.people), CANDIDATE_LIMIT);
        }
        const done: Attempt[] = [];
        for (const p of batch) {
          try {
            const r = await p.job.write(tx, shared);
            done.push({ ok: true, ...r });
          } catch (err) {
            // With one message there is nothing to save: its own error is the answer.
            if (batch.length === 1) throw err;
            throw new Failed();
          }
        }
        try {
          await shared?.flush(tx);
        } catch {
          throw new Failed();
        }
        const head = await this.appendAudit(
          tx,
          done.map((d) => (d as { audit: () => AuditEntry }).audit()),
        );
        return { results: done, head };
      });
    } catch (err) {
      if (!(err instanceof Failed)) {
        // The commit itself (or the audit append) failed: nothing was written, nobody is answered yes.
        for (const p of batch) p.reject(err);
        return;
      }
      results = await this.commitCarefully(batch);
    }
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      if (r.ok) batch[i]!.resolve(r.value);
      else batch[i]!.reject(r.err);
    }
  }

  /** The batch again, each message behind a savepoint: a failing one is undone alone. */
  private async commitCarefully(batch: Pending[]): Promise<Attempt[]> {
    try {
      return await this.transaction(async (tx) => {
        await lockAll(tx, batch);
        const done: Attempt[] = [];
        for (const p of batch) {
          await tx.query('SAVEPOINT ingest_message');
          try {
            const r = await p.job.write(tx, undefined);
            await tx.query('RELEASE SAVEPOINT ingest_message');
            done.push({ ok: true, ...r });
          } catch (err) {
            await tx.query('ROLLBACK TO SAVEPOINT ingest_message');
            done.push({ ok: false, err });
          }
        }
        const head = await this.appendAudit(
          tx,
          done.flatMap((d) => (d.ok ? [d.audit()] : [])),
        );
        return { results: done, head };
      });
    } catch (err) {
      return batch.map(() => ({ ok: false, err }));
    }
  }
}

const committers = new WeakMap<Db, IngestCommitter>();

/** The committer of a database: one per database, so every message written to it joins the same queue. */
export function committerFor(db: Db): IngestCommitter {
  let c = committers.get(db);
  if (!c) {
    c = new IngestCommitter(db);
    committers.set(db, c);
  }
  return c;
}

import fs from 'node:fs';
import path from 'node:path';
import type { Transaction } from '@electric-sql/pglite';
import { parse, PGlite, protocol } from '@electric-sql/pglite';
import type { Db, NoticeHandlers, Queryable, QueryOptions } from './db.js';
import { OID, parseDate, parseInt8 } from './db.js';

const parsers = { [OID.INT8]: parseInt8, [OID.DATE]: parseDate };

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the embedded database's lock file. PGlite is single-process: two processes on
 * one data directory would corrupt it, so a second opener is told who holds it.
 */
function acquireLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // An empty or unreadable file is a process killed between creating it and writing its
      // pid: stale. (Number('') is 0, and signal 0 to "pid 0" reaches this very process group.)
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new Error(
          `the embedded database in ${path.dirname(lockFile)} is in use by process ${holder}; stop that gateway first, or set DATABASE_URL to use a PostgreSQL server`,
          { cause: err },
        );
      }
      fs.rmSync(lockFile, { force: true }); // stale lock from a process that died
    }
  }
  throw new Error(`could not lock ${lockFile}`);
}

/** At most this many named statements are kept per database; the least recently used is closed first. */
const MAX_STATEMENTS = 500;
/** A statement that can change a table's shape (statements with parameters cannot). */
const DDL = /^\s*(?:CREATE|ALTER|DROP)\b/i;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Statement {
  name: string;
  /** The parameters' type oids, as the server inferred them (for PGlite's serialisers). */
  types: number[];
}

/**
 * Statements with parameters, prepared once and then executed by name: PGlite's own query
 * sends every statement through parse, analysis and planning (six calls into the engine),
 * which on a person lookup by NHS number was three quarters of its cost (377 µs unnamed, 80
 * µs by name, measured on the 2-core bench machine). PostgreSQL plans a named statement
 * for its own parameters the first five times and then keeps a generic plan when that is
 * no worse. Statements are per session, and PGlite is one session.
 */
class PreparedStatements {
  private readonly byText = new Map<string, Statement>();
  private next = 0;

  constructor(private readonly pg: PGlite) {}

  /** Runs `sql` by name; the caller holds PGlite's query lock (and its transaction lock, outside one). */
  async run<R>(sql: string, params: unknown[]): Promise<R[]> {
    const statement = await this.prepare(sql);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialize = this.pg.serializers[statement.types[i]!];
      // As PGlite's own query does for a type it has no serialiser for.
      return serialize ? serialize(value) : (value as { toString(): string }).toString();
    });
    const s = protocol.serialize;
    const messages = await this.pg.execProtocolStream(concat([s.bind({ statement: statement.name, values }), s.describe({ type: 'P' }), s.execute({}), s.sync()]), { syncToFs: false });
    return parse.parseResults(messages, this.pg.parsers)[0]!.rows as R[];
  }

  private async prepare(sql: string): Promise<Statement> {
    const known = this.byText.get(sql);
    if (known) {
      this.byText.delete(sql); // most recently used last
      this.byText.set(sql, known);
      return known;
    }
    if (this.byText.size >= MAX_STATEMENTS) await this.forget(this.byText.keys().next().value!);
    const name = `sgw_${this.next++}`;
    const s = protocol.serialize;
    const messages = await this.pg.execProtocolStream(concat([s.parse({ name, text: sql }), s.describe({ type: 'S', name }), s.sync()]), { syncToFs: false });
    const statement = { name, types: parse.parseDescribeStatementResults(messages) };
    this.byText.set(sql, statement);
    return statement;
  }

  /**
   * Closes every statement. A statement prepared before its tables changed shape would fail
   * ("cached plan must not change result type"); PGlite is one process, so every change of
   * shape is a statement of this one, after which the caller calls this.
   */
  async forgetAll(): Promise<void> {
    if (this.byText.size === 0) return;
    this.byText.clear();
    const s = protocol.serialize;
    await this.pg.execProtocolStream(s.query('DEALLOCATE ALL'), { syncToFs: false });
  }

  private async forget(sql: string): Promise<void> {
    const statement = this.byText.get(sql);
    if (!statement) return;
    this.byText.delete(sql);
    const s = protocol.serialize;
    await this.pg.execProtocolStream(concat([s.close({ type: 'S', name: statement.name }), s.sync()]), { syncToFs: false });
  }
}

/**
 * Opens PGlite on disk under `dir` (created if absent), or in memory when `dir` is undefined;
 * `loadDataDir` starts it from a data directory dumped earlier (PGlite's dumpDataDir) instead
 * of running initdb (the test suite's migrated template).
 */
export async function openPglite(dir?: string, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  let release = (): void => undefined;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    release = acquireLock(path.join(dir, '..', `${path.basename(dir)}.lock`));
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir, { parsers, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
  } catch (err) {
    release();
    throw err;
  }
  const statements = new PreparedStatements(pg);
  /** Runs `fn` under PGlite's transaction and query locks, as its own query() outside a transaction does. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => pg._runExclusiveTransaction(() => pg._runExclusiveQuery(fn));
  // Statements without parameters (DDL, migrations, SELECT 1), and those to be planned each
  // time, go PGlite's own way.
  const byName = (params: unknown[] | undefined, options: QueryOptions | undefined): params is unknown[] => !!params && params.length > 0 && !options?.planEachTime;
  const outside: Queryable = {
    async query<R>(sql: string, params?: unknown[], options?: QueryOptions) {
      if (!byName(params, options)) {
        const { rows } = await pg.query<R>(sql, params);
        if (DDL.test(sql)) await exclusive(() => statements.forgetAll());
        return rows;
      }
      await pg._checkReady(); // "PGlite is closed" once closed, as its own query says
      const rows = await exclusive(() => statements.run<R>(sql, params));
      await pg.syncToFs();
      return rows;
    },
  };
  const inside = (tx: Transaction, isClosed: () => boolean): Queryable => ({
    async query<R>(sql: string, params?: unknown[], options?: QueryOptions) {
      if (!byName(params, options)) {
        const { rows } = await tx.query<R>(sql, params);
        if (DDL.test(sql)) await pg._runExclusiveQuery(() => statements.forgetAll());
        return rows;
      }
      if (isClosed()) throw new Error('Transaction is closed');
      return pg._runExclusiveQuery(() => statements.run<R>(sql, params));
    },
  });
  return {
    kind: 'pglite',
    ...outside,
    transaction: (fn) =>
      pg.transaction(async (tx) => {
        let closed = false;
        try {
          return await fn(inside(tx, () => closed));
        } finally {
          closed = true;
        }
      }),
    exec: async (sql) => {
      await pg.exec(sql);
      await exclusive(() => statements.forgetAll());
    },
    // One session, one process: every notice is this process's own, handed over as its
    // statement or commit completes, and none can be missed.
    listen: async (channel: string, handlers: NoticeHandlers) => {
      const [row] = (await pg.query<{ schema: string }>('SELECT current_schema() AS schema')).rows;
      const unlisten = await pg.listen(`${channel}_${row?.schema ?? 'public'}`, (payload) => handlers.notice(payload));
      return () => unlisten();
    },
    close: async () => {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}

export interface QueryOptions {
  /**
   * Plan the statement for its parameters' values every time it runs. Statements with
   * parameters are otherwise prepared once per connection, and after five runs PostgreSQL may
   * keep one generic plan for every value; for a statement whose best plan depends on the
   * values (how many rows a JSON document or an array holds), that plan can be much worse.
   */
  planEachTime?: boolean;
}

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<R[]>;
}

/**
 * The gateway's view of PostgreSQL, whichever engine runs it: PGlite in-process (the
 * embedded default) or a PostgreSQL server (`DATABASE_URL`). Same SQL, same migrations.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: all of its writes commit together, or none do. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Listens for NOTIFY on `<channel>_<schema>` (channels are per schema, so gateways and test
   * runs sharing a server in different schemas do not hear each other). A notice of this
   * process's own write is handed over before that write's promise resolves; other
   * processes' notices arrive shortly after they commit. `gap` is called when notices may
   * have been missed (the listening connection was lost) and `resumed` once listening again.
   * Resolves once listening; the returned function stops.
   */
  listen(channel: string, handlers: NoticeHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface NoticeHandlers {
  notice(payload: string): void;
  gap(): void;
  resumed(): void;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', '57014', '25P03']);
const UNREACHABLE_MESSAGES = /pool after calling end|Connection terminated|PGlite is closed|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable/i;

/**
 * True when an error means the database cannot be reached, has gone away or did not answer
 * in time (as opposed to a statement that failed): SQLSTATE class 08, server shutdown, too
 * many connections, statement or idle-in-transaction timeout, a refused or dropped socket,
 * the client's read timeout, or a closed pool / PGlite instance. The caller is answered 503.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNREACHABLE_CODES.has(code) || code.startsWith('08')) return true;
  return typeof e?.message === 'string' && UNREACHABLE_MESSAGES.test(e.message);
}

/** Postgres type OIDs whose default JS parsing the gateway overrides on both engines. */
export const OID = { INT8: 20, DATE: 1082 } as const;

/** Dates stay 'YYYY-MM-DD' strings (no time zone shift); int8 becomes a number. */
export const parseDate = (v: string): string => v;
export const parseInt8 = (v: string): number => Number(v);

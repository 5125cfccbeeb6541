/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
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
  close(): Promise<void>;
}

/** Postgres type OIDs whose default JS parsing the gateway overrides on both engines. */
export const OID = { INT8: 20, DATE: 1082 } as const;

/** Dates stay 'YYYY-MM-DD' strings (no time zone shift); int8 becomes a number. */
export const parseDate = (v: string): string => v;
export const parseInt8 = (v: string): number => Number(v);

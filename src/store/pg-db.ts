import pg from 'pg';
import type { Db, NoticeHandlers, Queryable, QueryOptions } from './db.js';
import { isDatabaseUnavailable, OID, parseDate, parseInt8 } from './db.js';

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === OID.INT8) return parseInt8;
    if (oid === OID.DATE) return parseDate;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * How long the gateway waits on a PostgreSQL server, so that an outage is answered 503 in
 * seconds rather than held open (docs/database-outage.md).
 */
export interface PgTimeouts {
  /** Opening a connection, or waiting for a free one in the pool (SGW_DB_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs: number;
  /**
   * The server cancels a statement that runs longer, and ends a transaction idle for longer
   * between two statements (SGW_DB_STATEMENT_TIMEOUT_MS). The client
   * gives up on an answer that has not come QUERY_TIMEOUT_MARGIN_MS later and drops the
   * connection: the server, or the network to it, has gone silent. 0: no bound (migrations).
   */
  statementTimeoutMs: number;
}

export const DEFAULT_PG_TIMEOUTS: PgTimeouts = { connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 };

/** The client's wait beyond the server's statement_timeout: the server's cancel comes first when it can still answer. */
export const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** Statement texts given a name per pool (so per connection at most this many are prepared). */
const MAX_NAMED = 200;

/** The server's refusal of a named statement whose tables changed shape since it was prepared. */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/**
 * True when a connection that saw this error is not to be trusted with another statement:
 * its server went away, or the client's read timeout fired (it may still be waiting for
 * the answer, and every later statement would queue behind it).
 */
const connectionBroken = isDatabaseUnavailable;

/** Closes a client's socket at once, answered or not. */
function destroyClient(client: pg.Client): void {
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
}

/** Ends a client politely, or cuts it when the server does not answer within `ms` (it may be gone). */
async function endClient(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      destroyClient(client);
      resolve();
    }, ms);
  });
  await Promise.race([client.end().catch(() => undefined), cut]);
  clearTimeout(timer);
}

/**
 * Opens a pool on a PostgreSQL server. `schema`, when given, becomes the search_path
 * (the test suites use one throw-away schema per run). Every wait is bounded (`timeouts`).
 */
export function openPostgres(url: string, options: { schema?: string; max?: number; timeouts?: PgTimeouts } = {}): Db {
  const timeouts = options.timeouts ?? DEFAULT_PG_TIMEOUTS;
  const statements = timeouts.statementTimeoutMs;
  const bounded = {
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    ...(statements > 0
      ? {
          statement_timeout: statements,
          query_timeout: statements + QUERY_TIMEOUT_MARGIN_MS,
          // A transaction whose client went silent (its locks with it: the audit head, the
          // person index) is ended by the server after the same bound, not left to block writers.
          idle_in_transaction_session_timeout: statements,
        }
      : {}),
    // A peer that vanishes without a word is noticed by TCP too (the OS's probe schedule).
    keepAlive: true,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...bounded,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client that loses its server must not crash the process, idle in the pool or checked
  // out between two statements of a transaction (pg emits 'error' on the client then, and an
  // 'error' nobody listens to is an uncaught exception); the next statement reports it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Statements with parameters are named, so each connection parses and plans them once
  // (a person lookup by NHS number: 280-330 µs unnamed, 175-185 µs named, on the bench
  // machine's local server). At most MAX_NAMED texts get a name, so a connection never holds
  // more; later ones (audit searches built for their filters) run unnamed. When another
  // gateway's migration changes a table under a named statement that returns its whole row,
  // the server refuses it ("cached plan must not change result type"): every name is then
  // given up for new ones, and a statement outside a transaction runs again unnamed, once.
  const names = new Map<string, string>();
  let generation = 0;
  const named = (sql: string, params: unknown[] | undefined, options: QueryOptions | undefined): pg.QueryConfig | null => {
    if (!params || params.length === 0 || options?.planEachTime) return null;
    let name = names.get(sql);
    if (name === undefined) {
      if (names.size >= MAX_NAMED) return null;
      name = `sgw_${generation}_${names.size}`;
      names.set(sql, name);
    }
    return { name, text: sql, values: params };
  };
  const asQueryable = (q: pg.Pool | pg.PoolClient, inTransaction: boolean): Queryable => ({
    async query<R>(sql: string, params?: unknown[], options?: QueryOptions) {
      const config = named(sql, params, options);
      if (!config) return (await q.query(sql, params)).rows as R[];
      try {
        return (await q.query(config)).rows as R[];
      } catch (err) {
        if (!isStalePlan(err)) throw err;
        names.clear();
        generation++;
        if (inTransaction) throw err;
        return (await q.query(sql, params)).rows as R[];
      }
    },
  });

  // Notices (Db.listen). Every pooled connection LISTENs too, so that the notices of this
  // process's own writes are handed over on the connection that wrote them, before the
  // write's promise resolves (PostgreSQL sends a session its own notices before
  // ReadyForQuery); a dedicated connection hears other processes' writes.
  // Each notice is handled once: by the pooled connection whose own write sent it (at once),
  // or by the dedicated connection when another process sent it.
  const listeners = new Map<string, Set<NoticeHandlers>>();
  const listenedOn = new WeakMap<pg.PoolClient, Set<string>>();
  /** Backend process ids of this pool's connections: their notices are handled on arrival there. */
  const ownBackends = new Set<number>();
  const dispatch = (msg: pg.Notification) => {
    for (const h of listeners.get(msg.channel) ?? []) h.notice(msg.payload ?? '');
  };
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  async function checkout(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    if (listeners.size === 0) return client;
    let heard = listenedOn.get(client);
    if (!heard) {
      heard = new Set();
      listenedOn.set(client, heard);
      const backend = (client as unknown as { processID: number }).processID;
      ownBackends.add(backend);
      client.on('notification', (msg) => {
        if (msg.processId === backend) dispatch(msg);
      });
      client.on('end', () => ownBackends.delete(backend));
    }
    try {
      for (const channel of listeners.keys()) {
        if (heard.has(channel)) continue;
        await client.query(`LISTEN ${quote(channel)}`);
        heard.add(channel);
      }
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    return client;
  }
  const pooled: Queryable = {
    async query<R>(sql: string, params?: unknown[], options?: QueryOptions) {
      if (listeners.size === 0) return asQueryable(pool, false).query<R>(sql, params, options);
      const client = await checkout();
      let broken: Error | undefined;
      try {
        return await asQueryable(client, false).query<R>(sql, params, options);
      } catch (err) {
        if (connectionBroken(err)) broken = err as Error;
        throw err;
      } finally {
        // A connection that timed out or lost its server is closed, not handed to the next request.
        client.release(broken);
      }
    },
  };
  const stops = new Set<() => Promise<void>>();

  return {
    kind: 'postgres',
    ...pooled,
    async transaction(fn) {
      const client = await checkout();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(asQueryable(client, true));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A ROLLBACK on a dead or stuck connection would wait for its own timeout: close it instead
        // (the server rolls back a transaction whose connection is gone).
        if (connectionBroken(err)) broken = err as Error;
        else
          await client.query('ROLLBACK').catch((e: unknown) => {
            broken = e as Error;
          });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    async listen(name: string, handlers: NoticeHandlers) {
      const [row] = (await pool.query<{ schema: string }>('SELECT current_schema() AS schema')).rows;
      const channel = `${name}_${row?.schema ?? 'public'}`;
      const set = listeners.get(channel) ?? new Set<NoticeHandlers>();
      listeners.set(channel, set);
      set.add(handlers);
      let stopped = false;
      let current: pg.Client | null = null;
      let retry: NodeJS.Timeout | null = null;
      let heartbeat: NodeJS.Timeout | null = null;
      // The dedicated connection: on loss, report a gap and reconnect every second until back.
      // A connection can also die without a word (a firewall or NAT forgets an idle one, a
      // host stops answering): it would then stay "listening" and hear nothing, and the CP-IS
      // index would trust entries that other processes have changed. So it is asked a trivial
      // question every connect timeout; no answer within one is a loss like any other.
      const connect = async (first: boolean): Promise<void> => {
        const client = new pg.Client({ connectionString: url, ...bounded });
        const lost = () => {
          if (current !== client || stopped) return;
          current = null;
          if (heartbeat) clearInterval(heartbeat);
          heartbeat = null;
          if (first) return; // the caller of listen() is told instead
          handlers.gap();
          retry = setTimeout(() => void connect(false).catch(() => undefined), 1_000);
        };
        client.on('error', () => undefined);
        client.on('end', lost);
        client.on('notification', (msg) => {
          if (msg.channel === channel && !ownBackends.has(msg.processId)) handlers.notice(msg.payload ?? '');
        });
        current = client;
        try {
          await client.connect();
          await client.query(`LISTEN ${quote(channel)}`);
        } catch (err) {
          lost();
          destroyClient(client);
          throw err;
        }
        first = false;
        if (stopped) {
          await endClient(client, timeouts.connectTimeoutMs);
          return;
        }
        heartbeat = setInterval(() => {
          // pg reads a per-query `query_timeout` that its types do not list.
          const ping = { text: 'SELECT 1', query_timeout: timeouts.connectTimeoutMs } as pg.QueryConfig;
          client.query(ping).catch(() => {
            lost();
            destroyClient(client);
          });
        }, timeouts.connectTimeoutMs);
        heartbeat.unref();
        handlers.resumed();
      };
      try {
        await connect(true);
      } catch (err) {
        set.delete(handlers);
        if (set.size === 0) listeners.delete(channel);
        throw err;
      }
      const stop = async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        if (heartbeat) clearInterval(heartbeat);
        set.delete(handlers);
        if (set.size === 0) listeners.delete(channel);
        stops.delete(stop);
        if (current) await endClient(current, timeouts.connectTimeoutMs);
      };
      stops.add(stop);
      return stop;
    },
    close: async () => {
      for (const stop of [...stops]) await stop();
      await pool.end();
    },
  };
}

import pg from 'pg';
import type { Db, NoticeHandlers, Queryable } from './db.js';
import { OID, parseDate, parseInt8 } from './db.js';

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === OID.INT8) return parseInt8;
    if (oid === OID.DATE) return parseDate;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens a pool on a PostgreSQL server. `schema`, when given, becomes the search_path
 * (the test suites use one throw-away schema per run).
 */
export function openPostgres(url: string, options: { schema?: string; max?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const asQueryable = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const res = await q.query(sql, params);
      return res.rows as R[];
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
    async query<R>(sql: string, params?: unknown[]) {
      if (listeners.size === 0) return asQueryable(pool).query<R>(sql, params);
      const client = await checkout();
      try {
        return await asQueryable(client).query<R>(sql, params);
      } finally {
        client.release();
      }
    },
  };
  const stops = new Set<() => Promise<void>>();

  return {
    kind: 'postgres',
    ...pooled,
    async transaction(fn) {
      const client = await checkout();
      try {
        await client.query('BEGIN');
        const result = await fn(asQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
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
      // The dedicated connection: on loss, report a gap and reconnect every second until back.
      const connect = async (first: boolean): Promise<void> => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
        const lost = () => {
          if (current !== client || stopped) return;
          current = null;
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
          await client.end().catch(() => undefined);
          throw err;
        }
        first = false;
        if (stopped) await client.end().catch(() => undefined);
        else handlers.resumed();
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
        set.delete(handlers);
        if (set.size === 0) listeners.delete(channel);
        stops.delete(stop);
        await current?.end().catch(() => undefined);
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

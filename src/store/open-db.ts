import path from 'node:path';
import { catchUpAuditTree } from '../audit/audit-log.js';
import type { Config } from '../config/env.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-db.js';
import { DEFAULT_PG_TIMEOUTS, openPostgres } from './pg-db.js';

/**
 * Opens the configured database and brings its schema up to date: a PostgreSQL server
 * when DATABASE_URL is set, else PGlite with its files under the data directory. The audit
 * log's Merkle tree is then brought up to the chain (entries written before it existed).
 */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'dbTimeouts'>>): Promise<Db> {
  if (!config.databaseUrl) return prepare(await openPglite(path.join(config.dataDir, 'pgdata')));
  const timeouts = config.dbTimeouts ?? DEFAULT_PG_TIMEOUTS;
  // A migration (or the audit tree's catch-up on a long log) may rightly take longer than any
  // request: it runs on a connection of its own without the statement bound.
  await prepare(openPostgres(config.databaseUrl, { max: 1, timeouts: { ...timeouts, statementTimeoutMs: 0 } })).then((db) => db.close());
  return openPostgres(config.databaseUrl, { timeouts });
}

/** Brings the schema and the audit tree up to date; closes the database if that fails. */
async function prepare(db: Db): Promise<Db> {
  try {
    await migrate(db);
    await catchUpAuditTree(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

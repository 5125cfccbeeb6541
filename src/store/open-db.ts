import path from 'node:path';
import { catchUpAuditTree } from '../audit/audit-log.js';
import type { Config } from '../config/env.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-db.js';
import { openPostgres } from './pg-db.js';

/**
 * Opens the configured database and brings its schema up to date: a PostgreSQL server
 * when DATABASE_URL is set, else PGlite with its files under the data directory. The audit
 * log's Merkle tree is then brought up to the chain (entries written before it existed).
 */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(path.join(config.dataDir, 'pgdata'));
  try {
    await migrate(db);
    await catchUpAuditTree(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

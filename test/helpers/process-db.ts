import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/store/db.js';
import { openPglite } from '../../src/store/pglite-db.js';
import { openPostgres } from '../../src/store/pg-db.js';

/**
 * The database of a gateway run as a process (`sgw …`) by a test file: a data directory of
 * its own and, in the postgres project, a throw-away schema on the server named by
 * SGW_TEST_DATABASE_URL.
 */
export interface ProcessDb {
  /** Temporary folder of the test file; the data directory is inside it. */
  dir: string;
  dataDir: string;
  /** Environment for `sgw` commands on this database. */
  env: NodeJS.ProcessEnv;
  /** Opens the database directly, as a checker or an attacker with database access would (on PGlite, only while no gateway runs). */
  openDirect: () => Promise<Db>;
  /** Creates the schema (PostgreSQL); call in beforeAll. */
  create: () => Promise<void>;
  /** Drops the schema and removes the folder; call in afterAll. */
  dispose: () => Promise<void>;
}

export function processDb(name: string, options: { dataDirInside?: boolean } = {}): ProcessDb {
  const pgUrl = process.env.SGW_TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sgw-${name}-`));
  const dataDir = options.dataDirInside ? path.join(dir, 'data') : dir;
  const schema = `sgw_${name.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    if (!pgUrl) return;
    const db = openPostgres(pgUrl, { max: 1 });
    try {
      await db.query(sql);
    } finally {
      await db.close();
    }
  };
  return {
    dir,
    dataDir,
    env: {
      SGW_DATA_DIR: dataDir,
      SGW_LOG_LEVEL: 'warn',
      ...(pgUrl ? { DATABASE_URL: `${pgUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}` } : {}),
    },
    openDirect: async () => (pgUrl ? openPostgres(pgUrl, { schema, max: 1 }) : openPglite(path.join(dataDir, 'pgdata'))),
    create: () => admin(`CREATE SCHEMA ${schema}`),
    dispose: async () => {
      await admin(`DROP SCHEMA ${schema} CASCADE`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite-db.js';
import { openPostgres } from '../../src/store/pg-db.js';

export interface TestDb {
  db: Db;
  /** Closes the database and, on PostgreSQL, drops the test's schema. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a
 * throw-away schema on the server named by SGW_TEST_DATABASE_URL (the `postgres` project).
 * `migrations` applies the migrations of another folder (a test of one migration step).
 */
export async function createTestDb(options: { migrations?: string } = {}): Promise<TestDb> {
  const url = process.env.SGW_TEST_DATABASE_URL;
  if (!url) {
    const db = await openPglite();
    await migrate(db, options.migrations);
    return { db, dispose: () => db.close().catch(() => undefined) };
  }
  const schema = `sgw_test_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres(url, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres(url, { schema, max: 5 });
  await migrate(db, options.migrations);
  return {
    db,
    async dispose() {
      await db.close().catch(() => undefined);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

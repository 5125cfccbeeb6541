import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { inject } from 'vitest';
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
    // From the run's migrated template (test/helpers/pglite-template.global.ts) when the
    // standard migrations are wanted: a second to load instead of about three for initdb.
    // migrate() then finds nothing to do, unless the template is older than the source.
    const template = options.migrations ? undefined : inject('pgliteTemplate');
    const db = await openPglite(undefined, template ? { loadDataDir: new Blob([fs.readFileSync(template)]) } : {});
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

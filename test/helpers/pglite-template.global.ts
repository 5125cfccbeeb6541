// vitest globalSetup: one in-memory PGlite database, migrated, dumped to a file once per run,
// so that each test file's fresh database (test/helpers/test-db.ts) loads that dump instead
// of running initdb and every migration again (about three seconds of CPU a file, and some
// forty files take one). The file is removed when the run ends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite-db.js';
import { PGlite } from '@electric-sql/pglite';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A dump of a freshly migrated PGlite data directory (PGlite's dumpDataDir, uncompressed). */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-pglite-template-'));
  const file = path.join(dir, 'template.tar');
  // Migrated through the gateway's own opener, then read back as a dump.
  const dataDir = path.join(dir, 'pgdata');
  const db = await openPglite(dataDir);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  const pg = await PGlite.create(dataDir);
  try {
    fs.writeFileSync(file, Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await pg.close();
  }
  project.provide('pgliteTemplate', file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, NoticeHandlers, Queryable } from './db.js';
import { OID, parseDate, parseInt8 } from './db.js';

const parsers = { [OID.INT8]: parseInt8, [OID.DATE]: parseDate };

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the embedded database's lock file. PGlite is single-process: two processes on
 * one data directory would corrupt it, so a second opener is told who holds it.
 */
function acquireLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // An empty or unreadable file is a process killed between creating it and writing its
      // pid: stale. (Number('') is 0, and signal 0 to "pid 0" reaches this very process group.)
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new Error(
          `the embedded database in ${path.dirname(lockFile)} is in use by process ${holder}; stop that gateway first, or set DATABASE_URL to use a PostgreSQL server`,
          { cause: err },
        );
      }
      fs.rmSync(lockFile, { force: true }); // stale lock from a process that died
    }
  }
  throw new Error(`could not lock ${lockFile}`);
}

/**
 * Opens PGlite on disk under `dir` (created if absent), or in memory when `dir` is undefined;
 * `loadDataDir` starts it from a data directory dumped earlier (PGlite's dumpDataDir) instead
 * of running initdb (the test suite's migrated template).
 */
export async function openPglite(dir?: string, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  let release = (): void => undefined;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    release = acquireLock(path.join(dir, '..', `${path.basename(dir)}.lock`));
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir, { parsers, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
  } catch (err) {
    release();
    throw err;
  }
  const asQueryable = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const res = await q.query<R>(sql, params);
      return res.rows;
    },
  });
  return {
    kind: 'pglite',
    ...asQueryable(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asQueryable(tx))),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    // One session, one process: every notice is this process's own, handed over as its
    // statement or commit completes, and none can be missed.
    listen: async (channel: string, handlers: NoticeHandlers) => {
      const [row] = (await pg.query<{ schema: string }>('SELECT current_schema() AS schema')).rows;
      const unlisten = await pg.listen(`${channel}_${row?.schema ?? 'public'}`, (payload) => handlers.notice(payload));
      return () => unlisten();
    },
    close: async () => {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}

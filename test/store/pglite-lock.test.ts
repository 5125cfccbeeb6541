import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/store/pglite-db.js';

// The embedded database's lock file (acquireLock in src/store/pglite-db.ts): a gateway killed
// with SIGKILL leaves it behind, and the restart must not be stopped by it; a live holder must.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-lock-'));
const data = path.join(dir, 'pgdata');
const lock = path.join(dir, 'pgdata.lock');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function reopens(): Promise<void> {
  const db = await openPglite(data);
  try {
    await db.query('CREATE TABLE IF NOT EXISTS kept (n int)');
    await db.query('INSERT INTO kept VALUES (1)');
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept');
    expect(row!.n).toBeGreaterThan(0);
  } finally {
    await db.close();
  }
  expect(fs.existsSync(lock)).toBe(false);
}

describe('the embedded database lock', () => {
  it('a lock left by a process that has died does not stop the next open', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(lock, gone.stdout);
    await reopens();
  }, 60_000);

  it('an empty lock (killed between creating the file and writing its pid) does not stop the next open', async () => {
    fs.writeFileSync(lock, '');
    await reopens();
  }, 60_000);

  it('a lock held by a live process is refused, naming the process', async () => {
    fs.writeFileSync(lock, String(process.ppid));
    await expect(openPglite(data)).rejects.toThrow(`in use by process ${process.ppid}`);
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.ppid));
    fs.rmSync(lock);
  });
});

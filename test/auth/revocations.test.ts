import { describe, expect, it } from 'vitest';
import { RevocationList } from '../../src/auth/revocations.js';
import type { Db, NoticeHandlers } from '../../src/store/db.js';

/** A database stand-in whose listening connection the test can lose and restore. */
function fakeDb(rows: { agency: string; jti: string | null; sub: string | null; before: number | null }[], reachable = { yes: true }) {
  let handlers: NoticeHandlers | null = null;
  let reads = 0;
  const db = {
    kind: 'postgres',
    query() {
      reads++;
      if (!reachable.yes) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return Promise.resolve(rows);
    },
    listen(_channel: string, h: NoticeHandlers) {
      handlers = h;
      return Promise.resolve(() => Promise.resolve());
    },
  } as unknown as Db;
  return { db, handlers: () => handlers!, reads: () => reads };
}

const token = { agency: 'ods:RR8', sub: 'dr-a', jti: 'j-1', iat: 1_700_000_000 };

describe('revocation list coherence', () => {
  it('answers from memory while it hears every notice: no database read per check', async () => {
    const f = fakeDb([]);
    const list = new RevocationList();
    await list.open(f.db);
    const readsAfterLoad = f.reads();
    for (let i = 0; i < 100; i++) expect(list.check(token)).toBeNull();
    expect(f.reads()).toBe(readsAfterLoad);
    f.handlers().notice(JSON.stringify({ agency: 'ods:RR8', jti: 'j-1', sub: null, before: null }));
    expect(list.check(token)).toMatch(/revoked/);
  });

  it('while notices may be missed it reads the database at each check, and refuses to answer when it cannot', async () => {
    const rows: { agency: string; jti: string | null; sub: string | null; before: number | null }[] = [];
    const reachable = { yes: true };
    const f = fakeDb(rows, reachable);
    const list = new RevocationList();
    await list.open(f.db);
    f.handlers().gap();
    // Revoked meanwhile by another process, whose notice this one never heard.
    rows.push({ agency: 'ods:RR8', jti: 'j-1', sub: null, before: null });
    await expect(Promise.resolve(list.check(token))).resolves.toMatch(/revoked/);
    reachable.yes = false;
    await expect(Promise.resolve(list.check({ ...token, jti: 'j-2' }))).rejects.toThrow(/ECONNREFUSED/);
    // Listening again: the table is read once more, then checks are answered from memory.
    reachable.yes = true;
    f.handlers().resumed();
    await new Promise((r) => setTimeout(r, 0));
    const reads = f.reads();
    expect(list.check({ ...token, jti: 'j-2' })).toBeNull();
    expect(f.reads()).toBe(reads);
  });

  it('a notice it cannot read makes it read the table again rather than guess', async () => {
    const rows = [{ agency: 'ods:RR8', jti: 'j-1', sub: null, before: null }];
    const f = fakeDb([]);
    const list = new RevocationList();
    await list.open(f.db);
    (f.db as unknown as { query: () => Promise<unknown> }).query = () => Promise.resolve(rows);
    f.handlers().notice('{not json');
    expect(await list.check(token)).toMatch(/revoked/);
  });
});

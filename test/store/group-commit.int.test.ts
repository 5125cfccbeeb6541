import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { GroupCommitter } from '../../src/services/group-commit.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { auditEntry, storedEntries } from '../helpers/audit-log.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

let t: TestDb;
let transactions = 0;
/** The test database, counting the transactions opened on it. */
let counted: Db;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query('CREATE TABLE group_things (id text PRIMARY KEY)');
  counted = {
    ...t.db,
    query: (sql, params) => t.db.query(sql, params),
    transaction: (fn) => {
      transactions++;
      return t.db.transaction(fn);
    },
  };
});
afterAll(() => t.dispose());

const insert = (id: string) => async (tx: Queryable) => {
  await tx.query('INSERT INTO group_things (id) VALUES ($1)', [id]);
  return { value: id, audit: [auditEntry(Number(id.replace(/\D/g, '')), { requestId: id })] };
};
const things = async () => (await t.db.query<{ id: string }>('SELECT id FROM group_things ORDER BY id')).map((r) => r.id);

describe('group commit', () => {
  it('commits works that arrive together in one transaction, each with its audit entry, in order', async () => {
    const g = new GroupCommitter(counted);
    const before = transactions;
    const values = await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => g.run(insert(id))));
    expect(values).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(transactions - before).toBe(1);
    expect(await things()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect((await storedEntries(t.db)).map((e) => e.requestId)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await verifyAuditLog(t.db)).toMatchObject({ ok: true, entries: 5 });
  });

  it('keeps one request’s failure its own: the others commit, the failing one is refused and leaves nothing', async () => {
    const g = new GroupCommitter(counted);
    const results = await Promise.allSettled([g.run(insert('b1')), g.run(insert('a1')), g.run(insert('b3'))]); // a1 exists: a primary-key violation
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await things()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b3']);
    const requestIds = (await storedEntries(t.db)).map((e) => e.requestId);
    expect(requestIds.slice(5)).toEqual(['b1', 'b3']);
    expect(await verifyAuditLog(t.db)).toMatchObject({ ok: true, entries: 7 });
  });

  it('takes turns with the audit writer, so neither makes the other write under the head lock', async () => {
    const seen: string[] = [];
    const watched: Db = {
      ...t.db,
      query: (sql, params, options) => (seen.push(sql), t.db.query(sql, params, options)),
      transaction: (fn) => t.db.transaction((tx) => fn({ query: (sql, params, options) => (seen.push(sql), tx.query(sql, params, options)) })),
    };
    const writer = new AuditWriter(watched);
    const g = new GroupCommitter(watched, writer);
    await writer.write(auditEntry(40, { requestId: 'w0' })); // the process's first append: the head is read under its lock
    seen.length = 0;
    const before = (await storedEntries(t.db)).length;
    await Promise.all([g.run(insert('d1')), writer.write(auditEntry(41, { requestId: 'w1' })), g.run(insert('d2')), writer.write(auditEntry(42, { requestId: 'w2' })), g.run(insert('d3'))]);
    await writer.write(auditEntry(43, { requestId: 'w3' }));
    expect(seen.filter((sql) => sql.includes('FOR UPDATE'))).toEqual([]);
    expect((await storedEntries(t.db)).slice(before).map((e) => e.requestId).sort()).toEqual(['d1', 'd2', 'd3', 'w1', 'w2', 'w3']);
    expect(await verifyAuditLog(t.db)).toMatchObject({ ok: true });
  });

  it('settles nothing before its commit, and waits for queued works at shutdown', async () => {
    const g = new GroupCommitter(counted);
    let settled = false;
    const p = g.run(insert('c1')).then(() => (settled = true));
    expect(settled).toBe(false);
    await g.flush();
    await p;
    expect(settled).toBe(true);
    expect(await things()).toContain('c1');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../../src/store/db.js';
import { openPglite } from '../../src/store/pglite-db.js';

// The embedded database runs statements with parameters by name, prepared once
// (src/store/pglite-db.ts). What a caller sees must not change: values in and out, errors,
// transactions, notices, and statements that outlive a change of their table's shape.
let db: Db;

beforeEach(async () => {
  db = await openPglite();
  await db.exec(`CREATE TABLE kid (id text PRIMARY KEY, born date, visits bigint, doc jsonb, tags text[], photo bytea);
    CREATE FUNCTION kid_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('kids_public', NEW.id); RETURN NEW; END $$;
    CREATE TRIGGER kid_changed AFTER INSERT ON kid FOR EACH ROW EXECUTE FUNCTION kid_changed();`);
});
afterEach(async () => {
  await db.close();
});

const insert = (q: Queryable, id: string) =>
  q.query("INSERT INTO kid (id, born, visits, doc, tags, photo) VALUES ($1, $2, $3, $4, $5, $6)", [id, '2019-03-04', 9_000_000_000, JSON.stringify({ n: id }), ['a', 'b,c'], Buffer.from([1, 2, 255])]);
const named = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sgw\\_%'"))[0]!.n;

describe('statements with parameters on the embedded database', () => {
  it('read and write every type the same the first time and every time after, by one named statement', async () => {
    for (const id of ['k1', 'k2', 'k3']) await insert(db, id);
    for (let round = 0; round < 7; round++) {
      const [row] = await db.query('SELECT id, born, visits, doc, tags, photo, $2::int AS extra FROM kid WHERE id = $1', ['k2', round]);
      expect(row).toEqual({ id: 'k2', born: '2019-03-04', visits: 9_000_000_000, doc: { n: 'k2' }, tags: ['a', 'b,c'], photo: new Uint8Array([1, 2, 255]), extra: round });
    }
    expect(await db.query('SELECT id FROM kid WHERE id = $1', [null])).toEqual([]);
    // The insert and the two selects, each prepared once.
    expect(await named()).toBe(3);
  });

  it('plans a statement asked to be planned each time afresh, without a name', async () => {
    await insert(db, 'k1');
    for (let round = 0; round < 7; round++) expect(await db.query('SELECT id FROM kid WHERE id = ANY($1::text[])', [['k1', 'k2']], { planEachTime: true })).toEqual([{ id: 'k1' }]);
    await db.transaction(async (tx) => expect(await tx.query('SELECT id FROM kid WHERE id = $1', ['k1'], { planEachTime: true })).toHaveLength(1));
    // Only the insert has a name.
    expect(await named()).toBe(1);
  });

  it('still answers after the table it reads changes shape, inside a transaction and out', async () => {
    await insert(db, 'k1');
    expect(await db.query('SELECT * FROM kid WHERE id = $1', ['k1'])).toHaveLength(1);
    await db.transaction(async (tx) => {
      await tx.query('ALTER TABLE kid ADD COLUMN school text');
      const [row] = await tx.query<{ school: string | null }>('SELECT * FROM kid WHERE id = $1', ['k1']);
      expect(row).toHaveProperty('school', null);
    });
    await db.exec('ALTER TABLE kid ADD COLUMN gp text');
    const [row] = await db.query('SELECT * FROM kid WHERE id = $1', ['k1']);
    expect(Object.keys(row!)).toEqual(['id', 'born', 'visits', 'doc', 'tags', 'photo', 'school', 'gp']);
  });

  it('keeps at most 500, closing the least recently used, and every statement still answers', async () => {
    for (let i = 0; i < 520; i++) expect(await db.query(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: 1 + i }]);
    expect(await named()).toBeLessThanOrEqual(500);
    expect(await db.query('SELECT $1::int + 0 AS n', [5])).toEqual([{ n: 5 }]);
  });

  it('rejects a failing statement with the database code and writes nothing, and the next statement works', async () => {
    await insert(db, 'k1');
    await expect(insert(db, 'k1')).rejects.toMatchObject({ code: '23505' });
    await expect(db.query('SELECT * FROM nowhere WHERE id = $1', ['x'])).rejects.toMatchObject({ code: '42P01' });
    await expect(
      db.transaction(async (tx) => {
        await insert(tx, 'k2');
        await insert(tx, 'k1');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query<{ id: string }>('SELECT id FROM kid WHERE id <> $1 ORDER BY id', [''])).toEqual([{ id: 'k1' }]);
  });

  it('hands over the notice of a write before the write returns', async () => {
    const heard: string[] = [];
    await db.listen('kids', { notice: (p) => heard.push(p), gap: () => undefined, resumed: () => undefined });
    await insert(db, 'k1');
    expect(heard).toEqual(['k1']);
    await db.transaction((tx) => insert(tx, 'k2'));
    expect(heard).toEqual(['k1', 'k2']);
  });

  it('refuses a transaction used after it ended, and a database used after it closed', async () => {
    let kept: Queryable | undefined;
    await db.transaction(async (tx) => {
      kept = tx;
      await insert(tx, 'k1');
    });
    await expect(kept!.query('SELECT id FROM kid WHERE id = $1', ['k1'])).rejects.toThrow('Transaction is closed');
    const other = await openPglite();
    await other.close();
    await expect(other.query('SELECT $1::int AS n', [1])).rejects.toThrow('PGlite is closed');
  });
});

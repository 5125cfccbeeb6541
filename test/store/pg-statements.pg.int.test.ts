import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/pg-db.js';

// On a PostgreSQL server, statements with parameters are named so each connection parses and
// plans them once (src/store/pg-db.ts). What a caller sees must not change, including when
// another gateway's migration changes a table under a statement already prepared.
const url = process.env.SGW_TEST_DATABASE_URL!;
let admin: Db;
let schema: string;
const opened: Db[] = [];
const open = (max: number) => {
  const db = openPostgres(url, { schema, max });
  opened.push(db);
  return db;
};

beforeEach(async () => {
  schema = `sgw_test_${randomBytes(6).toString('hex')}`;
  admin = openPostgres(url, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.exec(`CREATE TABLE ${schema}.kid (id text PRIMARY KEY, born date, visits bigint, doc jsonb)`);
  await admin.query(`INSERT INTO ${schema}.kid VALUES ($1, $2, $3, $4)`, ['k1', '2019-03-04', 9_000_000_000, JSON.stringify({ n: 1 })]);
});
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.close();
});

describe('statements with parameters on a PostgreSQL server', () => {
  it('answer the same the first time and every time after', async () => {
    const db = open(1);
    for (let round = 0; round < 7; round++) {
      expect(await db.query('SELECT id, born, visits, doc, $2::int AS extra FROM kid WHERE id = $1', ['k1', round])).toEqual([{ id: 'k1', born: '2019-03-04', visits: 9_000_000_000, doc: { n: 1 }, extra: round }]);
    }
    expect(await db.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sgw\\_%'")).toEqual([{ n: 1 }]);
  });

  it('plan a statement asked to be planned each time afresh, without a name', async () => {
    const db = open(1);
    for (let round = 0; round < 7; round++) expect(await db.query('SELECT id FROM kid WHERE id = ANY($1::text[])', [['k1', 'k2']], { planEachTime: true })).toEqual([{ id: 'k1' }]);
    await db.transaction(async (tx) => expect(await tx.query('SELECT id FROM kid WHERE id = $1', ['k1'], { planEachTime: true })).toHaveLength(1));
    expect(await db.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sgw\\_%'")).toEqual([{ n: 0 }]);
  });

  it("still answer after another gateway's migration adds a column to a table read whole", async () => {
    const db = open(1);
    const other = open(1);
    expect(await db.query('SELECT * FROM kid WHERE id = $1', ['k1'])).toHaveLength(1);
    await other.exec('ALTER TABLE kid ADD COLUMN school text');
    const [row] = await db.query('SELECT * FROM kid WHERE id = $1', ['k1']);
    expect(row).toHaveProperty('school', null);
    expect(await db.query('SELECT * FROM kid WHERE id = $1', ['k1'])).toHaveLength(1); // prepared again, under a new name
    // Inside a transaction the refusal ends the transaction, as any error does; the next one is prepared afresh.
    await other.exec('ALTER TABLE kid ADD COLUMN gp text');
    await expect(db.transaction((tx) => tx.query('SELECT * FROM kid WHERE id = $1', ['k1']))).rejects.toMatchObject({ code: '0A000' });
    const [again] = await db.transaction((tx) => tx.query('SELECT * FROM kid WHERE id = $1', ['k1']));
    expect(again).toHaveProperty('gp', null);
  });

  it('name at most 200 statement texts, so a connection never holds more, and the rest still answer', async () => {
    const db = open(1);
    for (let i = 0; i < 210; i++) expect(await db.query(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: 1 + i }]);
    expect(await db.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sgw\\_%'")).toEqual([{ n: 200 }]);
  });
});

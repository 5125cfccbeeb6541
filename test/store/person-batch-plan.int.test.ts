import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRows } from '../../src/store/person-batch-repo.js';
import { writePeople } from '../../src/store/person-batch-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

// The person index's batch write runs by name, so PostgreSQL may keep one generic plan for
// it. Its removal of a known person's old household membership must reach household_members
// by its person index, not by reading the whole table (which grows with every household).
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(`
    INSERT INTO persons (id, record) SELECT 'p' || g, jsonb_build_object('id', 'p' || g) FROM generate_series(1, 3000) g;
    INSERT INTO households (id, key, basis) SELECT 'h' || g, 'address|LS1 ' || g, 'address' FROM generate_series(1, 3000) g;
    INSERT INTO household_members (household_id, person_id) SELECT 'h' || g, 'p' || g FROM generate_series(1, 3000) g;
    ANALYZE persons; ANALYZE households; ANALYZE household_members;`);
});
afterAll(() => t.dispose());

describe('the person index batch write', () => {
  it("finds a known person's old household membership by index, with a plan kept for any batch", async () => {
    let sql = '';
    let params: unknown[] = [];
    const known: PersonRows = {
      known: true,
      person: { id: 'p7', record: { id: 'p7' }, identifiers: [] },
      source: { id: 's7', owner: 'ods:RR8', record: { identifiers: [] }, link: 'auto', probability: null, pseudonym: null, sealed: null },
      keys: [],
      household: { id: 'h8', key: 'address|LS1 8', basis: 'address' },
    };
    await writePeople(
      {
        query: (text, values) => {
          sql = text;
          params = values ?? [];
          return Promise.resolve([]);
        },
      },
      [known],
    );
    // The plan PostgreSQL keeps for any batch: the statement prepared, explained with a generic plan forced.
    const literals = await Promise.all(params.map(async (v) => (await t.db.query<{ q: string }>(Array.isArray(v) ? 'SELECT quote_literal($1::text[]) AS q' : 'SELECT quote_literal($1::text) AS q', [v]))[0]!.q));
    const plan = await t.db.transaction(async (tx) => {
      await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await tx.query(`PREPARE batch_write AS ${sql}`);
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE batch_write(${literals.join(', ')})`);
      await tx.query('DEALLOCATE batch_write');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Delete on household_members/);
    expect(plan).not.toMatch(/Seq Scan on household_members/);
  });
});

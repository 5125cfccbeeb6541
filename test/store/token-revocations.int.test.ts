import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationList } from '../../src/auth/revocations.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { insertRevocation } from '../../src/store/revocations-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

// Token revocations (migration 0016): stored once, known to every gateway process on the
// database without a read per request.

let t: TestDb;
/** Another gateway process: on a PostgreSQL server its own pool and list; PGlite has one connection only. */
let otherDb: Db;
let here: RevocationList;
let there: RevocationList;

const at = (iso: string) => new Date(iso);
const revokedAt = at('2026-11-20T10:00:00Z');
const epoch = (iso: string) => Date.parse(iso) / 1000;

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the other list did not hear the revocation within 2 s');
}

/** The list's verdict, whether it answers at once or reads the database. */
const verdict = async (list: RevocationList, token: { agency?: string; sub?: string; jti?: string | null; iat?: number | null }) =>
  list.check({ agency: token.agency ?? 'ods:RR8', sub: token.sub ?? 'dr-a', jti: token.jti ?? null, iat: token.iat ?? null });

beforeAll(async () => {
  t = await createTestDb();
  const url = process.env.SGW_TEST_DATABASE_URL;
  if (url) {
    const [row] = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    otherDb = openPostgres(url, { schema: row!.schema, max: 1 });
  } else {
    otherDb = t.db;
  }
  // One revocation stored before either list starts: loaded, not heard.
  await insertRevocation(t.db, { revocation: { agency: 'ods:RR8', jti: 'stored-before-start' }, revokedAt, revokedBy: 'test', reason: null });
  here = new RevocationList();
  await here.open(t.db);
  there = new RevocationList();
  await there.open(otherDb);
});

afterAll(async () => {
  await here.close();
  await there.close();
  if (otherDb !== t.db) await otherDb.close();
  await t.dispose();
});

describe('token revocation list', () => {
  it('knows revocations stored before it started', async () => {
    expect(await verdict(here, { jti: 'stored-before-start' })).toMatch(/revoked/);
    expect(await verdict(there, { jti: 'stored-before-start' })).toMatch(/revoked/);
    expect(await verdict(here, { jti: 'another-token' })).toBeNull();
  });

  it('knows a revocation written in this process before the write returns, and in another process as soon as its notice arrives', async () => {
    expect(here.check({ agency: 'ods:RR8', sub: 'dr-a', jti: 'jti-1', iat: null })).toBeNull();
    await insertRevocation(t.db, { revocation: { agency: 'ods:RR8', jti: 'jti-1' }, revokedAt, revokedBy: 'test', reason: 'lost smartcard' });
    // Synchronously: no database read is needed to know it.
    expect(here.check({ agency: 'ods:RR8', sub: 'dr-a', jti: 'jti-1', iat: null })).toMatch(/revoked/);
    await eventually(() => there.check({ agency: 'ods:RR8', sub: 'dr-a', jti: 'jti-1', iat: null }) !== null);
  });

  it('a token id is revoked for its agency only', async () => {
    expect(await verdict(here, { agency: 'la:383', jti: 'jti-1' })).toBeNull();
  });

  it("revokes a user's tokens issued at or before the revocation, not those issued after it", async () => {
    await insertRevocation(otherDb, { revocation: { agency: 'ods:RR8', sub: 'leaver', issuedBefore: at('2026-11-20T10:00:00.500Z') }, revokedAt, revokedBy: 'test', reason: null });
    await eventually(() => here.check({ agency: 'ods:RR8', sub: 'leaver', jti: null, iat: epoch('2026-11-20T09:00:00Z') }) !== null);
    expect(await verdict(here, { sub: 'leaver', iat: epoch('2026-11-20T10:00:00Z') })).toMatch(/revocation/); // same second: refused, to be safe
    expect(await verdict(here, { sub: 'leaver', iat: epoch('2026-11-20T10:00:01Z') })).toBeNull();
    expect(await verdict(here, { sub: 'leaver', iat: null })).toMatch(/revocation/); // no iat: cannot show it is newer
    expect(await verdict(here, { sub: 'someone-else', iat: epoch('2026-11-20T09:00:00Z') })).toBeNull();
    expect(await verdict(there, { sub: 'leaver', iat: epoch('2026-11-20T09:00:00Z') })).toMatch(/revocation/);
  });

  it('the table refuses a row that is neither one token nor one user up to a time, and over-long ids', async () => {
    const bad = async (sql: string) => expect(t.db.query(sql)).rejects.toThrow();
    await bad("INSERT INTO token_revocations (agency, revoked_at, revoked_by) VALUES ('ods:RR8', now(), 'x')");
    await bad("INSERT INTO token_revocations (agency, jti, sub, issued_before, revoked_at, revoked_by) VALUES ('ods:RR8', 'j', 's', now(), now(), 'x')");
    await bad("INSERT INTO token_revocations (agency, sub, revoked_at, revoked_by) VALUES ('ods:RR8', 's', now(), 'x')");
    await bad(`INSERT INTO token_revocations (agency, jti, revoked_at, revoked_by) VALUES ('ods:RR8', '${'j'.repeat(257)}', now(), 'x')`);
  });
});

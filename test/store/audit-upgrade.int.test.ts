import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries } from '../../src/audit/audit-log.js';
import { canonicalJson, GENESIS_HASH, linkHashOfJson } from '../../src/audit/chain.js';
import { verifyInclusion } from '../../src/audit/merkle-verify.js';
import { Frontier, leafHash, storedNodeCount } from '../../src/audit/merkle.js';
import { inclusionProofAt, rootAt } from '../../src/audit/tree-store.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { migrate, MIGRATIONS_DIR } from '../../src/store/migrate.js';
import { auditEntry } from '../helpers/audit-log.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

// A database written before migration 0014 kept every Merkle node, leaves included, in
// audit_merkle_node and no leaf in audit_log. Upgrading must move the leaves to their
// entries, keep the nodes of level 4 and up, and leave a log that verifies and proves.
const ENTRIES = 55;
let t: TestDb;
let before: string;
let oldMigrations: string;

beforeAll(async () => {
  oldMigrations = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f < '0014')) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(oldMigrations, f));
  t = await createTestDb({ migrations: oldMigrations });
  // The log as the writer of before 0014 left it: chain, every node, the head.
  const frontier = Frontier.empty();
  let hash = GENESIS_HASH;
  const nodes: { level: number; idx: number; hash: string }[] = [];
  for (let seq = 1; seq <= ENTRIES; seq++) {
    const entry = auditEntry(seq);
    const json = canonicalJson(entry);
    const next = linkHashOfJson(hash, seq, json);
    await t.db.query('INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)', [seq, entry.recordedAt, json, hash, next]);
    for (const n of frontier.append(leafHash(json))) nodes.push({ level: n.level, idx: n.index, hash: n.hash.toString('hex') });
    hash = next;
  }
  for (const n of nodes) await t.db.query('INSERT INTO audit_merkle_node (level, idx, hash) VALUES ($1, $2, $3)', [n.level, n.idx, n.hash]);
  await t.db.query('UPDATE audit_head SET seq = $1, hash = $2, tree_size = $1, frontier = $3 WHERE id', [ENTRIES, hash, JSON.stringify(frontier.toHex())]);
  before = frontier.root().toString('hex');
  await migrate(t.db); // 0014 onwards
});
afterAll(async () => {
  await t.dispose();
  fs.rmSync(oldMigrations, { recursive: true, force: true });
});

describe('migration 0014 on an audit log written before it', () => {
  it('moves every leaf to its entry and keeps only the node table’s levels', async () => {
    const [{ n }] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_merkle_node')) as [{ n: number }];
    expect(n).toBe(storedNodeCount(ENTRIES));
    const [{ missing }] = (await t.db.query<{ missing: number }>('SELECT count(*)::int AS missing FROM audit_log WHERE leaf_hash IS NULL')) as [{ missing: number }];
    expect(missing).toBe(0);
  });

  it('leaves a log that verifies, with the same root and proofs that check', async () => {
    expect(await verifyAuditLog(t.db)).toMatchObject({ ok: true, entries: ENTRIES, rootHash: before });
    expect(await rootAt(t.db, ENTRIES)).toBe(before);
    for (const leaf of [0, 20, 54]) {
      const p = await inclusionProofAt(t.db, leaf, ENTRIES);
      expect(verifyInclusion({ leafIndex: leaf, treeSize: ENTRIES, leafHash: p.leafHash, auditPath: p.auditPath }, before)).toBe(true);
    }
  });

  it('goes on appending after the upgrade', async () => {
    await t.db.transaction((tx) => appendAuditEntries(tx, [auditEntry(ENTRIES + 1)]));
    expect(await verifyAuditLog(t.db)).toMatchObject({ ok: true, entries: ENTRIES + 1 });
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries, catchUpAuditTree } from '../../src/audit/audit-log.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { canonicalJson } from '../../src/audit/chain.js';
import { TreeHeadPublisher } from '../../src/audit/head-publisher.js';
import type { TrustedHead } from '../../src/audit/heads-file.js';
import { readTrustedHeads } from '../../src/audit/heads-file.js';
import { leafHash, storedNodeCount } from '../../src/audit/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify.js';
import type { AuditSigningKey } from '../../src/audit/signing-key.js';
import { signingKeyFromPem } from '../../src/audit/signing-key.js';
import type { SignedTreeHead } from '../../src/audit/tree-head.js';
import { signTreeHead } from '../../src/audit/tree-head.js';
import { consistencyProofBetween, inclusionProofAt, rootAt } from '../../src/audit/tree-store.js';
import type { VerifyResult } from '../../src/audit/verify.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { createLogger } from '../../src/log.js';
import type { Db } from '../../src/store/db.js';
import type { AuditEntry } from '../../src/model/audit-entry.js';
import type { AuditSnapshot } from '../helpers/audit-log.js';
import { auditEntry, restoreAudit, rewriteLogConsistently, snapshotAudit, storedEntries } from '../helpers/audit-log.js';
import { EDGE_SIZES, hex, mth, path as referencePath, proof as referenceProof } from '../helpers/rfc6962-reference.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

const newKey = (): AuditSigningKey => signingKeyFromPem(crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'test key');

let t: TestDb;
let dir: string;
const key = newKey();
const keys = [{ kid: key.kid, key: key.key }];
let clock = new Date('2026-11-20T10:00:00Z');
let publisher: TreeHeadPublisher;
let headsFile: string;
/** Heads signed over the true log: at 20 and at 40 entries. */
let h20: SignedTreeHead;
let h40: SignedTreeHead;
let trusted: TrustedHead[];
let snapshot: AuditSnapshot;

const leavesOf = (entries: AuditEntry[]) => entries.map((e) => Buffer.from(canonicalJson(e)));

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-merkle-'));
  headsFile = path.join(dir, 'audit-heads.jsonl');
  publisher = new TreeHeadPublisher(t.db, key, headsFile, () => clock, createLogger('silent'));
  // Two entries in a data transaction, then eighteen through the group-commit writer at once.
  await t.db.transaction((tx) => appendAuditEntries(tx, [auditEntry(1), auditEntry(2)]));
  const writer = new AuditWriter(t.db);
  await Promise.all(Array.from({ length: 18 }, (_, i) => writer.write(auditEntry(3 + i))));
  h20 = (await publisher.publishIfGrown())!;
  expect(await publisher.publishIfGrown()).toBeNull(); // only when the tree grew
  await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(auditEntry(21 + i))));
  clock = new Date('2026-11-20T10:01:00Z');
  h40 = (await publisher.publishIfGrown())!;
  trusted = readTrustedHeads(headsFile);
  snapshot = await snapshotAudit(t.db);
});
afterAll(async () => {
  await t.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`the audit Merkle tree on ${process.env.SGW_TEST_DATABASE_URL ? 'PostgreSQL server' : 'PGlite'}`, () => {
  it('is written with the entries: each leaf in its entry’s row, the nodes from level 4 up in the node table, and every root equals the naive recomputation', async () => {
    const leaves = leavesOf(await storedEntries(t.db));
    expect(leaves).toHaveLength(40);
    const [{ n }] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_merkle_node')) as [{ n: number }];
    expect(n).toBe(storedNodeCount(40));
    expect(n).toBe(3); // entries 1–16, 17–32 and 1–32
    const stored = await t.db.query<{ leaf_hash: string }>('SELECT leaf_hash FROM audit_log ORDER BY seq');
    expect(stored.map((r) => r.leaf_hash)).toEqual(leaves.map((l) => hex(leafHash(l))));
    for (let size = 0; size <= 40; size++) expect(await rootAt(t.db, size), `root at ${size}`).toBe(hex(mth(leaves.slice(0, size))));
    expect(await verifyAuditLog(t.db, { heads: trusted, keys })).toMatchObject({ ok: true, entries: 40, rootHash: h40.rootHash, headsChecked: 4 });
  });

  it('gives inclusion proofs that equal the naive PATH and verify, for every entry of the edge sizes', async () => {
    const leaves = leavesOf(await storedEntries(t.db));
    for (const n of [...EDGE_SIZES, 39, 40]) {
      const root = hex(mth(leaves.slice(0, n)));
      for (let m = 0; m < n; m++) {
        const p = await inclusionProofAt(t.db, m, n);
        expect(p.rootHash).toBe(root);
        expect(p.auditPath, `PATH(${m}, ${n})`).toEqual(referencePath(m, leaves.slice(0, n)).map(hex));
        expect(verifyInclusion({ leafIndex: m, treeSize: n, leafHash: p.leafHash, auditPath: p.auditPath }, root), `entry ${m + 1} in ${n}`).toBe(true);
      }
    }
  });

  it('gives consistency proofs that equal the naive PROOF and verify, for every pair of the edge sizes', async () => {
    const leaves = leavesOf(await storedEntries(t.db));
    for (const n of [...EDGE_SIZES, 40]) {
      for (let m = 1; m <= n; m++) {
        const p = await consistencyProofBetween(t.db, m, n);
        expect(p.consistencyPath, `PROOF(${m}, ${n})`).toEqual(referenceProof(m, leaves.slice(0, n)).map(hex));
        expect(verifyConsistency({ firstSize: m, secondSize: n, consistencyPath: p.consistencyPath }, hex(mth(leaves.slice(0, m))), p.secondRoot), `${m} → ${n}`).toBe(true);
      }
    }
  });

  it('builds the tree for entries written before it existed, at start-up or on the next append', async () => {
    await t.db.query('DELETE FROM audit_merkle_node');
    await t.db.query('UPDATE audit_log SET leaf_hash = NULL');
    await t.db.query(`UPDATE audit_head SET tree_size = 0, frontier = '[]'`);
    expect(await catchUpAuditTree(t.db)).toBe(40);
    expect(await catchUpAuditTree(t.db)).toBe(0);
    expect(await verifyAuditLog(t.db, { heads: trusted, keys })).toMatchObject({ ok: true, entries: 40 });
    await t.db.query('DELETE FROM audit_merkle_node');
    await t.db.query('UPDATE audit_log SET leaf_hash = NULL');
    await t.db.query(`UPDATE audit_head SET tree_size = 0, frontier = '[]'`);
    await t.db.transaction((tx) => appendAuditEntries(tx, [auditEntry(41)]));
    expect(await verifyAuditLog(t.db, { heads: trusted, keys })).toMatchObject({ ok: true, entries: 41 });
    await restoreAudit(t.db, snapshot);
  });

  it('keeps one chain and one tree when two writers (as two gateway processes) and data transactions interleave', async () => {
    const one = new AuditWriter(t.db);
    const two = new AuditWriter(t.db);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const entry = auditEntry(100 + i);
      // Each writer's remembered head goes stale whenever the other, or a data transaction, appends.
      writes.push(i % 3 === 0 ? one.write(entry) : i % 3 === 1 ? two.write(entry) : t.db.transaction((tx) => appendAuditEntries(tx, [entry])));
    }
    await Promise.all(writes);
    const r = await verifyAuditLog(t.db, { heads: trusted, keys });
    expect(r).toMatchObject({ ok: true, entries: 100 });
    const seen = new Set((await storedEntries(t.db)).slice(40).map((e) => e.requestId));
    expect(seen.size).toBe(60);
    await restoreAudit(t.db, snapshot);
  });

  it('commits writes made together in one commit (group commit), on either engine', async () => {
    let commits = 0;
    const counting: Db = {
      ...t.db,
      query: (sql, params) => {
        if (sql.includes('sgw_audit_append_rows(')) commits += 1;
        return t.db.query(sql, params);
      },
      transaction: (fn) => {
        commits += 1;
        return t.db.transaction(fn);
      },
    };
    const writer = new AuditWriter(counting);
    await Promise.all(Array.from({ length: 30 }, (_, i) => writer.write(auditEntry(200 + i))));
    expect(commits).toBe(1);
    await Promise.all(Array.from({ length: 30 }, (_, i) => writer.write(auditEntry(300 + i))));
    expect(commits).toBe(2);
    expect(await verifyAuditLog(t.db, { heads: trusted, keys })).toMatchObject({ ok: true, entries: 100 });
    await restoreAudit(t.db, snapshot);
  });

  describe('an attacker who rewrites the log and recomputes chain, tree and head row to match', () => {
    const cases: [string, (e: AuditEntry[]) => AuditEntry[], RegExp][] = [
      ['alters entry 5', (e) => e.map((x, i) => (i === 4 ? { ...x, outcome: 'deny' as const } : x)), /first 20 entries do not hash to the root/],
      ['deletes entry 5', (e) => e.filter((_, i) => i !== 4), /first 20 entries do not hash to the root/],
      ['inserts an entry after entry 5', (e) => [...e.slice(0, 5), auditEntry(999), ...e.slice(5)], /first 20 entries do not hash to the root/],
      ['swaps entries 5 and 6', (e) => [...e.slice(0, 4), e[5]!, e[4]!, ...e.slice(6)], /first 20 entries do not hash to the root/],
      ['alters entry 25 (after the first head)', (e) => e.map((x, i) => (i === 24 ? { ...x, subjects: [] } : x)), /first 40 entries do not hash to the root.*change lies in entries 21–40/],
      ['cuts the last ten entries', (e) => e.slice(0, 30), /the log holds 30 entries but the signed head .* covers 40: entries were removed from the end/],
      ['cuts the log to 15 entries and appends 30 new ones', (e) => [...e.slice(0, 15), ...Array.from({ length: 30 }, (_, i) => auditEntry(500 + i))], /first 20 entries do not hash to the root/],
    ];

    it.each(cases)('%s: the database alone is consistent, a trusted signed head is not', async (_name, mutate, expected) => {
      await rewriteLogConsistently(t.db, mutate);
      // Everything in the database agrees with everything else…
      expect(await verifyAuditLog(t.db, { keys })).toMatchObject({ ok: true });
      // …but not with the heads published outside it.
      const r: VerifyResult = await verifyAuditLog(t.db, { heads: trusted, keys });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(expected);
      await restoreAudit(t.db, snapshot);
    });

    it.each(cases)('%s: a consistency proof from an earlier signed head fails', async (_name, mutate) => {
      await rewriteLogConsistently(t.db, mutate);
      // The gateway, which holds the key, signs the rewritten tree: all an auditor can check is
      // that the new head extends the heads it already holds.
      clock = new Date(clock.getTime() + 60_000);
      const latest = (await publisher.publishIfGrown())!;
      const extends_ = async (old: SignedTreeHead) => {
        if (latest.treeSize < old.treeSize) return false; // the log shrank
        const p = await consistencyProofBetween(t.db, old.treeSize, latest.treeSize);
        return verifyConsistency({ firstSize: old.treeSize, secondSize: latest.treeSize, consistencyPath: p.consistencyPath }, old.rootHash, latest.rootHash);
      };
      expect((await extends_(h20)) && (await extends_(h40))).toBe(false);
      await restoreAudit(t.db, snapshot);
      fs.writeFileSync(headsFile, trusted.map((h) => `${JSON.stringify({ jws: h.jws })}\n`).join(''));
    });

    it('and the untouched log still extends both heads', async () => {
      clock = new Date(clock.getTime() + 60_000);
      await t.db.transaction((tx) => appendAuditEntries(tx, [auditEntry(41)]));
      const latest = (await publisher.publishIfGrown())!;
      for (const old of [h20, h40]) {
        const p = await consistencyProofBetween(t.db, old.treeSize, latest.treeSize);
        expect(verifyConsistency({ firstSize: old.treeSize, secondSize: latest.treeSize, consistencyPath: p.consistencyPath }, old.rootHash, latest.rootHash)).toBe(true);
      }
      await restoreAudit(t.db, snapshot);
    });
  });

  describe('tampering that is not made consistent is named', () => {
    async function tampered(sql: string, params: unknown[] = []): Promise<VerifyResult> {
      await t.db.query(sql, params);
      const r = await verifyAuditLog(t.db, { heads: trusted, keys });
      await restoreAudit(t.db, snapshot);
      return r;
    }

    it('a stored inner node altered', async () => {
      const r = await tampered(`UPDATE audit_merkle_node SET hash = repeat('0', 64) WHERE level = 4 AND idx = 1`);
      expect(r).toMatchObject({ ok: false, firstBadSeq: 17 });
      if (!r.ok) expect(r.problem).toMatch(/node for entries 17–32 \(level 4, index 1\) does not match the entries below it/);
    });

    it('a stored leaf deleted, or altered', async () => {
      const r = await tampered('UPDATE audit_log SET leaf_hash = NULL WHERE seq = 12');
      expect(r).toMatchObject({ ok: false, firstBadSeq: 12 });
      if (!r.ok) expect(r.problem).toMatch(/no entry 12's leaf/);
      const altered = await tampered(`UPDATE audit_log SET leaf_hash = repeat('0', 64) WHERE seq = 12`);
      expect(altered).toMatchObject({ ok: false, firstBadSeq: 12 });
      if (!altered.ok) expect(altered.problem).toMatch(/entry 12 does not match its leaf/);
    });

    it('a node beyond the log', async () => {
      const r = await tampered(`INSERT INTO audit_merkle_node (level, idx, hash) VALUES (4, 2, repeat('a', 64))`);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/node for entries 33–48 .* but the log ends at entry 40/);
    });

    it("the head row's tree size or right edge altered", async () => {
      const size = await tampered('UPDATE audit_head SET tree_size = 39');
      if (!size.ok) expect(size.problem).toMatch(/head records a Merkle tree of 39 entries but the log holds 40/);
      const edge = await tampered(`UPDATE audit_head SET frontier = '["${'b'.repeat(64)}"]'`);
      if (!edge.ok) expect(edge.problem).toMatch(/right edge does not match/);
      expect([size.ok, edge.ok]).toEqual([false, false]);
    });

    it('a stored head whose signature was tampered with', async () => {
      const forged = h20.jws.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...h20, jws: undefined, treeSize: 19 })).toString('base64url')}.`);
      const r = await tampered('UPDATE audit_tree_head SET jws = $1 WHERE tree_size = 20', [forged]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/in the database .* signature does not verify/);
    });
  });

  it('rejects a head signed by a key that is not trusted, even for the right root', async () => {
    const stranger = newKey();
    const head = await signTreeHead(stranger, { treeSize: 40, rootHash: h40.rootHash, timestamp: clock.toISOString() });
    const r = await verifyAuditLog(t.db, { heads: [{ jws: head.jws, source: 'stranger.json' }], keys });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(new RegExp(`stranger.json is not valid: it is signed by key ${stranger.kid}, which is not among the trusted public keys`));
    // Trusting the stranger's key too, it holds.
    expect(await verifyAuditLog(t.db, { heads: [{ jws: head.jws, source: 'stranger.json' }], keys: [...keys, { kid: stranger.kid, key: stranger.key }] })).toMatchObject({ ok: true });
  });
});

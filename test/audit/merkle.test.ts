import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LeafRange, NodeKey } from '../../src/audit/merkle.js';
import { consistencyProofRanges, EMPTY_ROOT, Frontier, inclusionPathRanges, leafHash, nodeKeyId, rangeHash, rangeNodes, storedNodeCount } from '../../src/audit/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify.js';
import { EDGE_SIZES as SMALL_EDGE_SIZES, hex, mth, path, proof as subproofOf } from '../helpers/rfc6962-reference.js';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

const leaves = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ seq: i + 1, note: `leaf ${i}` })));

/** Builds the stored nodes of a tree incrementally, as appends do. */
function build(d: Buffer[]) {
  const f = Frontier.empty();
  const nodes = new Map<string, Buffer>();
  for (const leaf of d) for (const node of f.append(leafHash(leaf))) nodes.set(nodeKeyId(node), node.hash);
  const lookup = (key: NodeKey) => {
    const h = nodes.get(nodeKeyId(key));
    if (!h) throw new Error(`no node ${nodeKeyId(key)}`);
    return h;
  };
  const hashes = (ranges: LeafRange[]) => ranges.map((r) => hex(rangeHash(r, lookup)));
  return { f, nodes, lookup, hashes };
}

const EDGE_SIZES = [...SMALL_EDGE_SIZES, 63, 64, 65, 100];

describe('RFC 6962 Merkle tree from stored perfect subtrees', () => {
  const all = leaves(130);
  const tree = build(all);

  it('has the empty root SHA-256("") and 2n − popcount(n) nodes, of which the node table keeps those of level 4 and up', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(Frontier.empty().root())).toBe(hex(EMPTY_ROOT));
    expect(tree.nodes.size).toBe(2 * 130 - 2);
    expect(storedNodeCount(130)).toBe(8 + 4 + 2 + 1); // ⌊130/16⌋ + ⌊130/32⌋ + ⌊130/64⌋ + ⌊130/128⌋
    expect(storedNodeCount(15)).toBe(0);
  });

  it('gives the root of every size from O(log n) nodes, equal to the naive MTH', () => {
    const f = Frontier.empty();
    for (let n = 1; n <= 130; n++) {
      f.append(leafHash(all[n - 1]!));
      const naive = hex(mth(all.slice(0, n)));
      expect(hex(f.root()), `frontier root at ${n}`).toBe(naive);
      expect(hex(rangeHash({ start: 0, end: n }, tree.lookup)), `stored-node root at ${n}`).toBe(naive);
      expect(rangeNodes({ start: 0, end: n }).length).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)));
    }
  });

  it('restores a frontier from its hex form and carries on', () => {
    const f = Frontier.empty();
    for (const l of all.slice(0, 21)) f.append(leafHash(l));
    const again = Frontier.fromHex(21, f.toHex());
    again.append(leafHash(all[21]!));
    expect(hex(again.root())).toBe(hex(mth(all.slice(0, 22))));
    expect(() => Frontier.fromHex(21, f.toHex().slice(1))).toThrow(/21 leaves has 3 frontier hashes/);
  });

  it('builds inclusion proofs equal to the naive PATH that verify, for every leaf of the edge sizes', () => {
    for (const n of EDGE_SIZES) {
      const root = hex(mth(all.slice(0, n)));
      for (let m = 0; m < n; m++) {
        const auditPath = tree.hashes(inclusionPathRanges(m, n));
        expect(auditPath, `PATH(${m}, ${n})`).toEqual(path(m, all.slice(0, n)).map(hex));
        expect(verifyInclusion({ leafIndex: m, treeSize: n, leafHash: hex(leafHash(all[m]!)), auditPath }, root), `verify ${m} in ${n}`).toBe(true);
      }
    }
  });

  it('builds consistency proofs equal to the naive PROOF that verify, for every pair of the edge sizes', () => {
    for (const n of EDGE_SIZES) {
      for (let m = 1; m <= n; m++) {
        const consistencyPath = tree.hashes(consistencyProofRanges(m, n));
        expect(consistencyPath, `PROOF(${m}, ${n})`).toEqual(subproofOf(m, all.slice(0, n)).map(hex));
        const ok = verifyConsistency({ firstSize: m, secondSize: n, consistencyPath }, hex(mth(all.slice(0, m))), hex(mth(all.slice(0, n))));
        expect(ok, `verify ${m} → ${n}`).toBe(true);
      }
    }
  });

  it('refuses an inclusion proof with the wrong leaf, index, size, root or any path node changed', () => {
    const n = 33;
    const m = 17;
    const root = hex(mth(all.slice(0, n)));
    const auditPath = tree.hashes(inclusionPathRanges(m, n));
    const good = { leafIndex: m, treeSize: n, leafHash: hex(leafHash(all[m]!)), auditPath };
    expect(verifyInclusion(good, root)).toBe(true);
    expect(verifyInclusion({ ...good, leafHash: hex(leafHash(all[m + 1]!)) }, root)).toBe(false);
    expect(verifyInclusion({ ...good, leafIndex: m + 1 }, root)).toBe(false);
    // The size is bound to the root by the signed head, not by the hashes: a size whose path
    // has the same shape (here 34) would verify, so the wrong sizes tried change the shape.
    expect(verifyInclusion({ ...good, treeSize: 32 }, root)).toBe(false);
    expect(verifyInclusion({ ...good, treeSize: 65 }, root)).toBe(false);
    expect(verifyInclusion({ ...good, leafIndex: n }, root)).toBe(false);
    expect(verifyInclusion(good, hex(mth(all.slice(0, n - 1))))).toBe(false);
    expect(verifyInclusion({ ...good, auditPath: auditPath.slice(1) }, root)).toBe(false);
    expect(verifyInclusion({ ...good, auditPath: [...auditPath, auditPath[0]!] }, root)).toBe(false);
    for (let i = 0; i < auditPath.length; i++) {
      const bent = [...auditPath];
      bent[i] = hex(sha(Buffer.from(bent[i]!)));
      expect(verifyInclusion({ ...good, auditPath: bent }, root), `path node ${i} changed`).toBe(false);
    }
    expect(verifyInclusion({ ...good, auditPath: ['not hex'] }, root)).toBe(false);
  });

  it('refuses a consistency proof against a rewritten history, a wrong size or a changed node', () => {
    const m = 20;
    const n = 70;
    const consistencyPath = tree.hashes(consistencyProofRanges(m, n));
    const oldRoot = hex(mth(all.slice(0, m)));
    const newRoot = hex(mth(all.slice(0, n)));
    const proof = { firstSize: m, secondSize: n, consistencyPath };
    expect(verifyConsistency(proof, oldRoot, newRoot)).toBe(true);
    // History rewritten: entry 5 differs in the new tree, so the old root is no prefix of it.
    const rewritten = [...all.slice(0, n)];
    rewritten[4] = Buffer.from('rewritten');
    const forged = build(rewritten);
    const forgedProof = { ...proof, consistencyPath: forged.hashes(consistencyProofRanges(m, n)) };
    expect(verifyConsistency(forgedProof, oldRoot, hex(mth(rewritten)))).toBe(false);
    expect(verifyConsistency({ ...proof, firstSize: m + 1 }, oldRoot, newRoot)).toBe(false);
    expect(verifyConsistency({ ...proof, secondSize: 64 }, oldRoot, newRoot)).toBe(false);
    expect(verifyConsistency({ ...proof, secondSize: 130 }, oldRoot, newRoot)).toBe(false);
    expect(verifyConsistency({ ...proof, firstSize: 0 }, oldRoot, newRoot)).toBe(false);
    expect(verifyConsistency({ ...proof, firstSize: n + 1 }, oldRoot, newRoot)).toBe(false);
    expect(verifyConsistency({ ...proof, consistencyPath: [] }, oldRoot, newRoot)).toBe(false);
    for (let i = 0; i < consistencyPath.length; i++) {
      const bent = [...consistencyPath];
      bent[i] = hex(sha(Buffer.from(bent[i]!)));
      expect(verifyConsistency({ ...proof, consistencyPath: bent }, oldRoot, newRoot), `proof node ${i} changed`).toBe(false);
    }
    // Equal sizes: an empty proof, and only for equal roots.
    expect(verifyConsistency({ firstSize: n, secondSize: n, consistencyPath: [] }, newRoot, newRoot)).toBe(true);
    expect(verifyConsistency({ firstSize: n, secondSize: n, consistencyPath: [] }, oldRoot, newRoot)).toBe(false);
  });

  it('refuses ranges the RFC recursion never visits, and proofs for leaves outside the tree', () => {
    expect(() => rangeNodes({ start: 1, end: 3 })).toThrow(/not a subtree/);
    expect(() => inclusionPathRanges(5, 5)).toThrow(/not in a tree/);
    expect(() => consistencyProofRanges(0, 5)).toThrow(/no consistency proof/);
    expect(() => consistencyProofRanges(6, 5)).toThrow(/no consistency proof/);
  });
});

import type { Queryable } from '../store/db.js';
import type { LeafRange, NodeKey } from './merkle.js';
import { consistencyProofRanges, EMPTY_ROOT, inclusionPathRanges, isTableNode, nodeKeyId, rangeHash, rangeNodes, subtreeHash } from './merkle.js';

/** How many entries the Merkle tree holds now (the head row's tree size). */
export async function currentTreeSize(db: Queryable): Promise<number> {
  const [head] = await db.query<{ tree_size: number }>('SELECT tree_size FROM audit_head WHERE id');
  if (!head) throw new Error('audit_head row is missing');
  return head.tree_size;
}

/**
 * The nodes with these keys, by nodeKeyId: those of the node table in one query, and the
 * lower ones (leaves and levels 1–3) from the leaves kept with the entries in another.
 * A node whose table row or leaves are missing is left out.
 */
export async function readNodes(db: Queryable, keys: readonly NodeKey[]): Promise<Map<string, Buffer>> {
  const unique = [...new Map(keys.map((k) => [nodeKeyId(k), k])).values()];
  const found = new Map<string, Buffer>();
  const table = unique.filter(isTableNode);
  if (table.length > 0) {
    const rows = await db.query<{ level: number; idx: number; hash: string }>(
      `SELECT level, idx, hash FROM audit_merkle_node WHERE (level, idx) IN (${table.map((_, i) => `($${2 * i + 1}::smallint, $${2 * i + 2}::bigint)`).join(', ')})`,
      table.flatMap((k) => [k.level, k.index]),
    );
    for (const r of rows) found.set(nodeKeyId({ level: r.level, index: r.idx }), Buffer.from(r.hash, 'hex'));
  }
  const low = unique.filter((k) => !isTableNode(k));
  if (low.length > 0) {
    // Entry seq = leaf index + 1; node (level, index) spans leaves [index·2^level, (index+1)·2^level).
    const seqs = low.flatMap((k) => Array.from({ length: 2 ** k.level }, (_, i) => k.index * 2 ** k.level + i + 1));
    const rows = await db.query<{ seq: number; leaf_hash: string | null }>('SELECT seq, leaf_hash FROM audit_log WHERE seq = ANY($1::bigint[])', [seqs]);
    const leaves = new Map(rows.filter((r) => r.leaf_hash !== null).map((r) => [Number(r.seq), Buffer.from(r.leaf_hash!, 'hex')]));
    for (const k of low) {
      const span = Array.from({ length: 2 ** k.level }, (_, i) => leaves.get(k.index * 2 ** k.level + i + 1));
      if (span.every((l) => l !== undefined)) found.set(nodeKeyId(k), subtreeHash(span));
    }
  }
  return found;
}

/** The tree hashes of these leaf ranges, from the O(log n) stored nodes each needs (one query for all). */
export async function rangeHashes(db: Queryable, ranges: readonly LeafRange[]): Promise<string[]> {
  const nodes = await readNodes(
    db,
    ranges.flatMap((r) => rangeNodes(r)),
  );
  const lookup = (key: NodeKey): Buffer => {
    const hash = nodes.get(nodeKeyId(key));
    if (!hash) throw new Error(`the audit tree has no node at level ${key.level}, index ${key.index}; run sgw audit verify`);
    return hash;
  };
  return ranges.map((r) => rangeHash(r, lookup).toString('hex'));
}

/** The root hash of the tree of the first `size` entries, hex. */
export async function rootAt(db: Queryable, size: number): Promise<string> {
  if (size === 0) return EMPTY_ROOT.toString('hex');
  const [root] = await rangeHashes(db, [{ start: 0, end: size }]);
  return root!;
}

/** The leaf hash and audit path of leaf `leafIndex` in the tree of `treeSize`, and that tree's root (RFC 6962 §2.1.1). */
export async function inclusionProofAt(db: Queryable, leafIndex: number, treeSize: number): Promise<{ leafHash: string; auditPath: string[]; rootHash: string }> {
  const path = inclusionPathRanges(leafIndex, treeSize);
  const [leafHash, rootHash, ...auditPath] = await rangeHashes(db, [{ start: leafIndex, end: leafIndex + 1 }, { start: 0, end: treeSize }, ...path]);
  return { leafHash: leafHash!, rootHash: rootHash!, auditPath };
}

/** The consistency proof from the tree of `first` entries to that of `second`, and both roots (RFC 6962 §2.1.2). */
export async function consistencyProofBetween(db: Queryable, first: number, second: number): Promise<{ consistencyPath: string[]; firstRoot: string; secondRoot: string }> {
  const proof = consistencyProofRanges(first, second);
  const [firstRoot, secondRoot, ...consistencyPath] = await rangeHashes(db, [{ start: 0, end: first }, { start: 0, end: second }, ...proof]);
  return { firstRoot: firstRoot!, secondRoot: secondRoot!, consistencyPath };
}

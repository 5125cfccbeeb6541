/**
 * The Merkle tree of RFC 6962 §2.1 over the audit log: leaf i is the entry with sequence
 * number i + 1, hashed as SHA-256(0x00 || canonical JSON of the entry); an inner node is
 * SHA-256(0x01 || left || right). The tree is stored as its perfect (complete) subtrees:
 * node (level, index) covers leaves [index·2^level, (index+1)·2^level). Every subtree the
 * RFC's recursion visits is a right fold of O(log n) such nodes, so any root or proof is
 * computed from O(log n) stored hashes.
 *
 * Indices and sizes stay below 2^53 and are handled with arithmetic, never 32-bit bit
 * operators.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of the empty string: the root of the tree with no leaves (RFC 6962 §2.1). */
export const EMPTY_ROOT = createHash('sha256').digest();

/** One stored node: the perfect subtree of 2^level leaves starting at leaf index·2^level. */
export interface TreeNode {
  level: number;
  index: number;
  hash: Buffer;
}

export type NodeKey = Pick<TreeNode, 'level' | 'index'>;

/** Leaves [start, end) of the tree: a subtree the RFC's recursion visits. */
export interface LeafRange {
  start: number;
  end: number;
}

export function leafHash(leaf: string | Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly less than n (n ≥ 2): the RFC's split point k. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`a split needs at least 2 leaves, got ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The lowest level kept in the node table (audit_merkle_node). A leaf is kept with its
 * entry (audit_log.leaf_hash, written in the same row), and levels 1 to 3 are recomputed
 * from at most 8 leaves when a proof needs them: an entry then costs one row and an
 * eighth of a node row instead of two node rows, which is most of what the audit write
 * costs the CP-IS hot path.
 */
export const FIRST_STORED_LEVEL = 4;

/** Whether the node table keeps this node (level ≥ FIRST_STORED_LEVEL). */
export function isTableNode(node: Pick<NodeKey, 'level'>): boolean {
  return node.level >= FIRST_STORED_LEVEL;
}

/** Number of node-table rows of a tree with n leaves: ⌊n/16⌋ + ⌊n/32⌋ + … (levels from FIRST_STORED_LEVEL up). */
export function storedNodeCount(n: number): number {
  let count = 0;
  for (let width = 2 ** FIRST_STORED_LEVEL; width <= n; width *= 2) count += Math.floor(n / width);
  return count;
}

/** The hash of a perfect subtree from its leaf hashes (2^level of them, in order). */
export function subtreeHash(leaves: readonly Buffer[]): Buffer {
  let level = [...leaves];
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    level = up;
  }
  return level[0]!;
}

/**
 * The perfect subtrees that make up leaves [start, end), left to right, largest first.
 * Throws for a range the RFC's recursion never produces (one whose pieces are not
 * aligned and decreasing), since its right fold would not be that range's tree hash.
 */
export function rangeNodes({ start, end }: LeafRange): NodeKey[] {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end > start)) throw new RangeError(`not a leaf range: [${start}, ${end})`);
  const keys: NodeKey[] = [];
  let at = start;
  let previousWidth = Infinity;
  while (at < end) {
    let level = 0;
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level += 1;
    }
    if (width >= previousWidth) throw new RangeError(`[${start}, ${end}) is not a subtree of the RFC 6962 recursion`);
    keys.push({ level, index: at / width });
    previousWidth = width;
    at += width;
  }
  return keys;
}

export function nodeKeyId(key: NodeKey): string {
  return `${key.level}:${key.index}`;
}

/** The tree hash MTH(D[start:end]): the right fold of its perfect subtrees' hashes. */
export function rangeHash(range: LeafRange, lookup: (key: NodeKey) => Buffer): Buffer {
  const keys = rangeNodes(range);
  let hash = lookup(keys[keys.length - 1]!);
  for (let i = keys.length - 2; i >= 0; i--) hash = nodeHash(lookup(keys[i]!), hash);
  return hash;
}

/**
 * The right edge of a tree being built: the hashes of the perfect subtrees of the binary
 * decomposition of its size, largest first. Appending a leaf yields the nodes it
 * completes (the leaf itself and each parent whose right child it finishes).
 */
export class Frontier {
  private constructor(
    private size: number,
    private readonly hashes: Buffer[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** Restores a frontier stored as hex hashes; throws if their number does not fit the size. */
  static fromHex(size: number, hex: readonly string[]): Frontier {
    const expected = popcount(size);
    if (hex.length !== expected) throw new Error(`a tree of ${size} leaves has ${expected} frontier hashes, not ${hex.length}`);
    return new Frontier(size, hex.map((h) => Buffer.from(h, 'hex')));
  }

  /** An independent copy: appends to it leave this one as it is. */
  clone(): Frontier {
    return new Frontier(this.size, [...this.hashes]);
  }

  get treeSize(): number {
    return this.size;
  }

  /** Adds the next leaf (by its leaf hash) and returns the nodes it completes, leaf first. */
  append(leaf: Buffer): TreeNode[] {
    const completed: TreeNode[] = [{ level: 0, index: this.size, hash: leaf }];
    let hash = leaf;
    let index = this.size;
    let level = 0;
    while (index % 2 === 1) {
      hash = nodeHash(this.hashes.pop()!, hash);
      index = (index - 1) / 2;
      level += 1;
      completed.push({ level, index, hash });
    }
    this.hashes.push(hash);
    this.size += 1;
    return completed;
  }

  /** MTH of the whole tree so far. */
  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let hash = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) hash = nodeHash(this.hashes[i]!, hash);
    return hash;
  }

  toHex(): string[] {
    return this.hashes.map((h) => h.toString('hex'));
  }
}

function popcount(n: number): number {
  let bits = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) bits += x % 2;
  return bits;
}

/**
 * The audit path of leaf m in the tree of size n (RFC 6962 §2.1.1, PATH(m, D[n])), as the
 * subtrees whose hashes make it, innermost first.
 */
export function inclusionPathRanges(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of ${n} leaves`);
  const path: LeafRange[] = [];
  let start = 0;
  let end = n;
  // Walk down from the root, remembering each sibling; the RFC lists them leaf-side first.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < start + k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
    }
  }
  return path.reverse();
}

/**
 * The consistency proof between the trees of sizes m and n (RFC 6962 §2.1.2, PROOF(m, D[n])),
 * as the subtrees whose hashes make it, in the RFC's order. Empty when m = n.
 */
export function consistencyProofRanges(m: number, n: number): LeafRange[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 1 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n} leaves`);
  const proof: LeafRange[] = [];
  let start = 0;
  let end = n;
  let whole = true; // SUBPROOF's flag b: is the old tree this whole subtree?
  while (m !== end) {
    const k = splitPoint(end - start);
    if (m <= start + k) {
      proof.push({ start: start + k, end });
      end = start + k;
    } else {
      proof.push({ start, end: start + k });
      start += k;
      whole = false;
    }
  }
  if (!whole) proof.push({ start, end });
  return proof.reverse();
}

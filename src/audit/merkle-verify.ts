/**
 * Verifiers for RFC 6962 proofs, following the procedures of RFC 9162 §2.1.3.2 (inclusion)
 * and §2.1.4.2 (consistency). Pure functions of their inputs: an auditor runs them against
 * a signed tree head it trusts, never against anything the gateway merely says. Hashes
 * are lowercase hex; a malformed one fails the proof rather than throwing.
 */
import { nodeHash } from './merkle.js';

const HEX_HASH = /^[0-9a-f]{64}$/;

function toHash(hex: unknown): Buffer | null {
  return typeof hex === 'string' && HEX_HASH.test(hex) ? Buffer.from(hex, 'hex') : null;
}

function toHashes(hexes: unknown): Buffer[] | null {
  if (!Array.isArray(hexes)) return null;
  const out: Buffer[] = [];
  for (const h of hexes as unknown[]) {
    const b = toHash(h);
    if (!b) return null;
    out.push(b);
  }
  return out;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * The climb both RFC 9162 verifiers make from node fn of a level whose last node is sn,
 * one path node a level: `combine` is told whether the path node is the left sibling (the
 * node is a right child, or the last of its level and so promoted) or the right one.
 * Returns true when the path ends at the root (sn reaches 0 with it), false when it is
 * longer or shorter than the tree.
 */
function climb(fn: number, sn: number, path: readonly Buffer[], combine: (node: Buffer, isLeft: boolean) => void): boolean {
  for (const p of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      combine(p, true);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      combine(p, false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0;
}

export interface InclusionProof {
  /** 0-based leaf index (the entry with sequence number leafIndex + 1). */
  leafIndex: number;
  treeSize: number;
  /** Leaf hash: SHA-256(0x00 || canonical JSON of the entry), hex. */
  leafHash: string;
  auditPath: readonly string[];
}

/** True when the audit path proves that the leaf is in the tree of that size with that root (RFC 9162 §2.1.3.2). */
export function verifyInclusion(proof: InclusionProof, rootHash: string): boolean {
  const { leafIndex, treeSize } = proof;
  const leaf = toHash(proof.leafHash);
  const root = toHash(rootHash);
  const path = toHashes(proof.auditPath);
  if (!leaf || !root || !path) return false;
  if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize) && leafIndex >= 0 && leafIndex < treeSize)) return false;
  let r = leaf;
  const atRoot = climb(leafIndex, treeSize - 1, path, (p, isLeft) => {
    r = isLeft ? nodeHash(p, r) : nodeHash(r, p);
  });
  return atRoot && r.equals(root);
}

export interface ConsistencyProof {
  firstSize: number;
  secondSize: number;
  consistencyPath: readonly string[];
}

/**
 * True when the path proves that the tree of firstSize with root firstRoot is a prefix of
 * the tree of secondSize with root secondRoot (RFC 9162 §2.1.4.2). Equal sizes need an
 * empty path and equal roots; a first size of 0 proves nothing and is refused.
 */
export function verifyConsistency(proof: ConsistencyProof, firstRoot: string, secondRoot: string): boolean {
  const { firstSize: first, secondSize: second } = proof;
  const firstHash = toHash(firstRoot);
  const secondHash = toHash(secondRoot);
  const given = toHashes(proof.consistencyPath);
  if (!firstHash || !secondHash || !given) return false;
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 1 && first <= second)) return false;
  if (first === second) return given.length === 0 && firstHash.equals(secondHash);
  if (given.length === 0) return false;
  // When the old tree is a perfect subtree of the new one, its root is the path's first node.
  const path = isPowerOfTwo(first) ? [firstHash, ...given] : given;
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  const atRoot = climb(fn, sn, path.slice(1), (c, isLeft) => {
    if (isLeft) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else {
      sr = nodeHash(sr, c);
    }
  });
  return atRoot && fr.equals(firstHash) && sr.equals(secondHash);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

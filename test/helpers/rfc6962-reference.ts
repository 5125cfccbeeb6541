// A naive, literal transcription of RFC 6962 §2.1 over the whole list of leaves: the
// reference that the gateway's stored-node computations are checked against in tests.
import { createHash } from 'node:crypto';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
/** The largest power of two smaller than n. */
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]). */
export function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  return sha(Buffer.from([1]), mth(d.slice(0, split(d.length))), mth(d.slice(split(d.length))));
}

/** PATH(m, D[n]). */
export function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** PROOF(m, D[n]). */
export function proof(m: number, d: Buffer[]): Buffer[] {
  return subproof(m, d, true);
}

/** Tree sizes at the edges of the recursion: 1, 2, powers of two and their neighbours. */
export const EDGE_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33];

export const hex = (b: Buffer) => b.toString('hex');

/**
 * Bit arrays for Bloom-filter encodings: a filter of L bits is a Uint32Array of L/32
 * words, bit i in word i>>>5 at position i&31. Population count, Dice coefficient, XOR
 * folding and balancing, all without allocation in the comparison path.
 */

/** Bits set in one 32-bit word (SWAR: pairs, nibbles, then bytes summed by one multiply). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Bits set in the whole array. */
export function popcount(bits: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) n += popcount32(bits[i]!);
  return n;
}

/** Bits set in both arrays (the arrays have the same length). */
export function andPopcount(a: Uint32Array, b: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount32(a[i]! & b[i]!);
  return n;
}

/**
 * Dice coefficient 2|A∩B| / (|A|+|B|): 1 for equal filters, 0 for disjoint ones, and 0
 * when both are empty. Pass the popcounts when known (they are per record, not per pair).
 */
export function dice(a: Uint32Array, b: Uint32Array, popA = popcount(a), popB = popcount(b)): number {
  if (a.length !== b.length) throw new RangeError(`cannot compare filters of ${a.length * 32} and ${b.length * 32} bits`);
  const total = popA + popB;
  return total === 0 ? 0 : (2 * andPopcount(a, b)) / total;
}

export function setBit(bits: Uint32Array, i: number): void {
  bits[i >>> 5]! |= 1 << (i & 31);
}

export function getBit(bits: Uint32Array, i: number): boolean {
  return (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}

/**
 * XOR folding (Schnell, Borgs and Encarnação 2016): the filter's two halves XORed into one
 * of half the length. Each output bit depends on two input bits, so a bit pattern no longer
 * points back to one q-gram, which defeats pattern-mining attacks; similarity survives.
 */
export function xorFold(bits: Uint32Array): Uint32Array {
  if (bits.length % 2 !== 0) throw new RangeError(`cannot fold a filter of ${bits.length * 32} bits into halves of whole words`);
  const half = bits.length / 2;
  const out = new Uint32Array(half);
  for (let i = 0; i < half; i++) out[i] = bits[i]! ^ bits[i + half]!;
  return out;
}

/**
 * Balancing (Schnell 2016): the filter followed by its complement, with the bits put in a
 * keyed random order (`permutation[j]` is the input bit that lands at output bit j). Every
 * balanced filter has exactly half its bits set, so the bit count no longer tells a short
 * name from a long one and bit frequencies are flattened.
 */
export function balance(bits: Uint32Array, permutation: Uint32Array): Uint32Array {
  const n = bits.length * 32;
  if (permutation.length !== 2 * n) throw new RangeError(`a balancing permutation for ${n} bits has ${2 * n} entries, not ${permutation.length}`);
  const out = new Uint32Array(bits.length * 2);
  for (let j = 0; j < permutation.length; j++) {
    const src = permutation[j]!;
    const on = src < n ? getBit(bits, src) : !getBit(bits, src - n);
    if (on) setBit(out, j);
  }
  return out;
}

/** The filter as base64 (little-endian words), for JSON. */
export function bitsToBase64(bits: Uint32Array): string {
  const buf = Buffer.alloc(bits.length * 4);
  for (let i = 0; i < bits.length; i++) buf.writeUInt32LE(bits[i]!, i * 4);
  return buf.toString('base64');
}

/** A filter from bitsToBase64; throws when the text is not a whole number of 32-bit words. */
export function bitsFromBase64(text: string): Uint32Array {
  const buf = Buffer.from(text, 'base64');
  if (buf.length === 0 || buf.length % 4 !== 0) throw new RangeError(`a Bloom filter is a whole number of 32-bit words; got ${buf.length} bytes`);
  const out = new Uint32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

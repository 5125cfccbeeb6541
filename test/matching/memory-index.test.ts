import { describe, expect, it } from 'vitest';
import { MemoryIndex, hashKey } from '../../src/matching/memory-index.js';
import { candidatePairs, trainModel } from '../../src/matching/linkage.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { peopleWithCopies } from './linkage-fixtures.js';

const { originals, copies } = peopleWithCopies(300, 3);
const { model } = trainModel(originals, copies, { randomPairs: 30_000, thresholds: { match: 0.99, possible: 0.5 } });

describe('MemoryIndex', () => {
  const index = MemoryIndex.build(originals, model);

  it('finds the indexed original of a corrupted copy as the best match', () => {
    let top = 0;
    for (let i = 0; i < copies.length; i++) {
      const found = index.lookup(copies[i]!);
      if (found[0]?.id === originals[i]!.id && found[0].decision === 'match') top++;
    }
    expect(top / copies.length).toBeGreaterThan(0.95);
  });

  it('finds no match for a person who is not indexed', () => {
    const stranger: MatchRecord = { id: 'x', givenNames: ['WINIFRED'], family: 'ZOUCH', birthDate: '2011-11-11', sex: 'female', postcode: 'TR18 4AA', addressTokens: ['1', 'HARBOUR', 'PENZANCE'] };
    expect(index.lookup(stranger)).toEqual([]);
  });

  it('gives the same candidates as the batch blocking', () => {
    const batch = candidatePairs([copies[5]!], originals);
    const rows = [...batch.right].sort((a, b) => a - b);
    expect([...index.candidates(copies[5]!)].sort((a, b) => a - b)).toEqual(rows);
  });

  it('finds a record added after the build, before and after compaction', () => {
    const idx = MemoryIndex.build(originals.slice(0, 100), model);
    const late = originals[200]!;
    expect(idx.lookup(copies[200]!)[0]?.id).not.toBe(late.id);
    idx.add(late);
    expect(idx.lookup(copies[200]!)[0]?.id).toBe(late.id);
    idx.compact();
    expect(idx.lookup(copies[200]!)[0]?.id).toBe(late.id);
    expect(idx.size).toBe(101);
  });

  it('keeps the index small: well under 1 KB a person beyond the records', () => {
    const m = index.memory();
    expect(m.records).toBe(300);
    expect(m.postings).toBeGreaterThan(300 * 8);
    expect(m.bytesPerRecord).toBeLessThan(1024);
  });

  it('returns at most `limit`, best first, and none below minProbability', () => {
    const found = index.lookup(copies[0]!, { limit: 3, minProbability: 0 });
    expect(found.length).toBeLessThanOrEqual(3);
    for (let k = 1; k < found.length; k++) expect(found[k - 1]!.weight).toBeGreaterThanOrEqual(found[k]!.weight);
    expect(index.lookup(copies[0]!, { minProbability: 1 })).toEqual([]);
  });

  it('hashes keys to stable unsigned 32-bit numbers', () => {
    expect(hashKey('dob|2015-03-07')).toBe(hashKey('dob|2015-03-07'));
    expect(hashKey('dob|2015-03-07')).not.toBe(hashKey('dob|2015-03-08'));
    expect(hashKey('')).toBe(0x811c9dc5);
  });
});

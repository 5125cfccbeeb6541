import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryIndex } from '../../src/matching/memory-index.js';
import { INDEX_PRIOR_K, MatchModelSchema, compileScorer, priorForIndexSize, priorShift, priorWeight, scoreVector } from '../../src/matching/model.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { peopleWithCopies } from './linkage-fixtures.js';

const model = MatchModelSchema.parse(JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'config', 'matching', 'model.json'), 'utf8')));

describe('priorForIndexSize', () => {
  it('is min(λ, k/N): the model’s λ for a small index, k/N for a large one', () => {
    expect(priorForIndexSize({ lambda: 1e-4 }, 100)).toBe(1e-4);
    expect(priorForIndexSize({ lambda: 1e-4 }, 0)).toBe(1e-4);
    expect(priorForIndexSize({ lambda: 1e-4 }, 1_000_000)).toBe(INDEX_PRIOR_K / 1_000_000);
    expect(priorForIndexSize({ lambda: 1e-4 }, 1_000_000, 1)).toBe(1e-6);
    expect(priorForIndexSize({ lambda: 1e-4 }, 20_000, 1)).toBe(5e-5);
  });

  it('refuses a size or k that is not a positive number', () => {
    expect(() => priorForIndexSize({ lambda: 1e-4 }, -1)).toThrow(RangeError);
    expect(() => priorForIndexSize({ lambda: 1e-4 }, Number.NaN)).toThrow(RangeError);
    expect(() => priorForIndexSize({ lambda: 1e-4 }, 10, 0)).toThrow(/k/);
  });
});

describe('scoring with another prior', () => {
  const vector = [0, 0, 0, 0, 3, 3];
  const lambda = priorForIndexSize(model, 1_000_000);

  it('compileScorer and scoreVector take { lambda }; without it they use the model’s', () => {
    const own = compileScorer(model);
    const scaled = compileScorer(model, { lambda });
    expect(own.weight(vector)).toBeCloseTo(scoreVector(model, vector).weight, 12);
    expect(scaled.weight(vector)).toBeCloseTo(scoreVector(model, vector, undefined, { lambda }).weight, 12);
    expect(scaled.weight(vector) - own.weight(vector)).toBeCloseTo(priorWeight(lambda) - priorWeight(model.lambda), 12);
    expect(scaled.weight(vector) - own.weight(vector)).toBeCloseTo(priorShift(model, lambda), 12);
    expect(scaled.probability(vector)).toBeLessThan(own.probability(vector));
  });

  it('refuses a lambda that is not a probability', () => {
    expect(() => compileScorer(model, { lambda: 0 })).toThrow(RangeError);
    expect(() => scoreVector(model, vector, undefined, { lambda: 1 })).toThrow(RangeError);
    expect(() => priorShift(model, -1)).toThrow(RangeError);
  });
});

describe('MemoryIndex decisions', () => {
  const child = (id: string, given: string): MatchRecord => ({ id, givenNames: [given], family: 'PEMBERTON', birthDate: '2019-02-02', sex: 'male', postcode: 'LS7 3CD', addressTokens: ['3', 'TWIN', 'LANE', 'LEEDS'] });

  // No term frequencies: in an index of two, each first name is half the records.
  const noTf = { frequencies: {} };

  it('applies the guards: a twin whose score is a match comes back for review, with the reason and the levels', () => {
    const index = MemoryIndex.build([child('twin', 'OLIVIA'), child('same', 'OLIVER')], model, noTf);
    const found = index.lookup(child('in', 'OLIVER'));
    expect(found.map((m) => [m.id, m.decision])).toEqual([
      ['same', 'match'],
      ['twin', 'possible'],
    ]);
    expect(found[1]!.guard).toContain('first names');
    expect(found[1]!.levels[0]).toBeGreaterThanOrEqual(3);
    expect(found[0]!.levels).toEqual([0, 0, 0, 0, 0, 0]);
    const unguarded = index.lookup(child('in', 'OLIVER'), { guards: false });
    expect(unguarded.map((m) => m.decision)).toEqual(['match', 'match']);
    expect(unguarded[1]!.guard).toBeUndefined();
    expect(MemoryIndex.build([child('twin', 'OLIVIA')], model, { ...noTf, guards: false }).lookup(child('in', 'OLIVER'))[0]!.decision).toBe('match');
  });

  it('scores at the prior for its size: the same weights shifted by priorShift, and fewer candidates above the review threshold', () => {
    const { originals, copies } = peopleWithCopies(4000, 5);
    const index = MemoryIndex.build(originals, model);
    expect(index.lambda()).toBe(priorForIndexSize(model, 4000));
    expect(index.lambda()).toBeLessThan(model.lambda);
    expect(index.lambda('model')).toBe(model.lambda);
    const shift = priorShift(model, index.lambda());
    const byModel = index.lookup(copies[0]!, { prior: 'model', minProbability: 0 });
    const bySize = index.lookup(copies[0]!, { minProbability: 0 });
    expect(bySize.map((m) => m.row)).toEqual(byModel.map((m) => m.row));
    bySize.forEach((m, i) => expect(m.weight).toBeCloseTo(byModel[i]!.weight + shift, 9));
    const scaledIndex = MemoryIndex.build(originals, model, { prior: 'model' });
    expect(scaledIndex.lambda()).toBe(model.lambda);
    expect(MemoryIndex.build(originals, model, { priorK: 4000 }).lambda()).toBe(model.lambda);
    expect(() => MemoryIndex.build(originals, model, { priorK: 0 })).toThrow(/k/);
  });

  it('needs given name, surname and date of birth comparisons for the guards, unless they are off', () => {
    const partial = { ...model, comparisons: model.comparisons.filter((c) => c.name !== 'birthDate') };
    expect(() => new MemoryIndex(partial)).toThrow(/birthDate/);
    const index = new MemoryIndex(partial, { guards: false });
    index.add(child('same', 'OLIVER'));
    expect(index.lookup(child('in', 'OLIVER'))[0]!.levels).toHaveLength(5);
    expect(() => index.lookup(child('in', 'OLIVER'), { guards: true })).toThrow(/birthDate/);
  });

  it('maps a model’s comparisons to the gateway’s order for the guards', () => {
    const reordered = { ...model, comparisons: [...model.comparisons].reverse() };
    const index = MemoryIndex.build([child('twin', 'OLIVIA'), child('same', 'OLIVER')], reordered, noTf);
    const found = index.lookup(child('in', 'OLIVER'));
    expect(found.find((m) => m.id === 'twin')!.decision).toBe('possible');
    expect(found.find((m) => m.id === 'same')!.decision).toBe('match');
  });
});

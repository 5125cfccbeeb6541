import { describe, expect, it } from 'vitest';
import {
  candidatePairs,
  chooseThresholds,
  clusterCounts,
  countTruePairs,
  evaluate,
  prepareAll,
  scorePairs,
  splitOf,
  termFrequencies,
  trainModel,
  type ScoredPairs,
} from '../../src/matching/linkage.js';
import { MatchModelSchema } from '../../src/matching/model.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { peopleWithCopies } from './linkage-fixtures.js';

const { originals, copies, truthOf } = peopleWithCopies(400);
const truth = { left: originals.map((r) => truthOf(r.id)), right: copies.map((r) => truthOf(r.id)) };

describe('candidatePairs', () => {
  it('links: every copy is paired with its original, each pair once', () => {
    const pairs = candidatePairs(originals, copies);
    const seen = new Set<string>();
    let found = 0;
    for (let k = 0; k < pairs.count; k++) {
      const key = `${pairs.left[k]}:${pairs.right[k]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      if (pairs.left[k] === pairs.right[k]) found++;
    }
    expect(found).toBe(400);
    expect(pairs.count).toBeLessThan(400 * 400 * 0.1); // blocking: far fewer than all pairs
  });

  it('dedupes: pairs (i, j) with i < j only, within one list', () => {
    const all = [...originals, ...copies];
    const pairs = candidatePairs(all, undefined);
    for (let k = 0; k < pairs.count; k++) expect(pairs.left[k]!).toBeLessThan(pairs.right[k]!);
    let found = 0;
    for (let k = 0; k < pairs.count; k++) if (pairs.right[k] === pairs.left[k]! + 400) found++;
    expect(found).toBe(400);
  });

  it('skips a block larger than maxBlockSize, and says how many it skipped', () => {
    const same: MatchRecord[] = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, givenNames: [], addressTokens: [], birthDate: '2015-01-01' }));
    expect(candidatePairs(same, undefined).count).toBe((30 * 29) / 2);
    const capped = candidatePairs(same, undefined, { maxBlockSize: 10 });
    expect(capped.count).toBe(0);
    expect(capped.skippedBlocks).toBe(1);
  });
});

describe('trainModel → scorePairs → evaluate', () => {
  const { model, report } = trainModel(originals, copies, { randomPairs: 50_000 });
  const pairs = candidatePairs(originals, copies);
  const L = prepareAll(originals);
  const R = prepareAll(copies);
  const scored = scorePairs(model, L, R, pairs, { frequencies: termFrequencies([...originals, ...copies]) });

  it('trains a valid model without labels, with λ near the true share of matching pairs', () => {
    expect(MatchModelSchema.safeParse(model).success).toBe(true);
    expect(model.comparisons.map((c) => c.name)).toEqual(['givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address']);
    const trueLambda = 400 / (400 * 400);
    expect(report.lambda).toBeGreaterThan(trueLambda / 2);
    expect(report.lambda).toBeLessThan(trueLambda * 2);
    expect(report.sessions.map((s) => s.name)).toEqual(['birth date', 'first name and surname']);
    expect(report.untrained).toEqual([]);
  });

  it('separates copies from other people: high precision and recall at p ≥ 0.5', () => {
    const e = evaluate(scored, truth, 0.5);
    expect(e.truePairs).toBe(400);
    expect(e.pairCompleteness).toBe(1);
    expect(e.precision).toBeGreaterThan(0.99);
    expect(e.recall).toBeGreaterThan(0.97);
    expect(e.overMergedClusters).toBe(0);
  });

  it('chooses thresholds on one split and reports another', () => {
    const choice = chooseThresholds(scored, truth, 'tune', 0.999);
    expect(choice.possible).toBeLessThanOrEqual(choice.match);
    const test = evaluate(scored, truth, choice.match, 'test');
    expect(test.truePairs).toBe(countTruePairs(truth, 'test'));
    expect(test.truePairs).toBeGreaterThan(20);
    expect(test.precision).toBeGreaterThan(0.98);
  });

  it('gives a comparison the data lacks weight 0, or copies it from another model', () => {
    const noAddress = originals.map((r) => ({ ...r, addressTokens: [] }));
    const bare = trainModel(noAddress, copies.map((r) => ({ ...r, addressTokens: [] })), { randomPairs: 20_000 });
    expect(bare.report.untrained).toEqual(['address']);
    for (const l of bare.model.comparisons[5]!.levels) expect(l.m).toBe(l.u);
    const filled = trainModel(noAddress, copies.map((r) => ({ ...r, addressTokens: [] })), { randomPairs: 20_000, fillFrom: model });
    expect(filled.model.comparisons[5]).toEqual(model.comparisons[5]);
  });

  it('trains the identifier comparison when asked, and refuses an unknown one', () => {
    const withId = (rs: MatchRecord[]) => rs.map((r, i) => ({ ...r, identifier: `999${String(i).padStart(7, '0')}` }));
    const t = trainModel(withId(originals), withId(copies), { randomPairs: 20_000, comparisons: ['givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address', 'identifier'] });
    const id = t.model.comparisons[6]!;
    expect(id.name).toBe('identifier');
    expect(Math.log2(id.levels[0]!.m / id.levels[0]!.u)).toBeGreaterThan(8);
    expect(() => trainModel(originals, copies, { comparisons: ['givenName', 'eyeColour'] })).toThrow(/unknown comparison 'eyeColour'/);
  });
});

describe('clusters', () => {
  it('counts a component holding two true people as over-merged', () => {
    // left 0 (A) – right 0 (A) – left 1 (B): one component with A and B
    const scored: ScoredPairs = {
      left: Int32Array.from([0, 1, 2]),
      right: Int32Array.from([0, 0, 1]),
      count: 3,
      weight: Float64Array.from([10, 10, 10]),
      probability: Float64Array.from([0.999, 0.999, 0.2]),
    };
    const t = { left: ['A', 'B', 'C'], right: ['A', 'C'] };
    expect(clusterCounts(scored, t, 0.5)).toEqual({ clusters: 1, overMerged: 1 });
    expect(clusterCounts(scored, t, 0.1)).toEqual({ clusters: 2, overMerged: 1 });
    expect(clusterCounts(scored, t, 0.9999)).toEqual({ clusters: 0, overMerged: 0 });
  });
});

describe('splitOf', () => {
  it('is fixed by the entity and close to 70 / 15 / 15', () => {
    expect(splitOf('rec-1')).toBe(splitOf('rec-1'));
    const counts = { train: 0, tune: 0, test: 0 };
    for (let i = 0; i < 10_000; i++) counts[splitOf(String(i))]++;
    expect(counts.train / 10_000).toBeCloseTo(0.7, 1);
    expect(counts.tune / 10_000).toBeCloseTo(0.15, 1);
    expect(counts.test / 10_000).toBeCloseTo(0.15, 1);
  });
});

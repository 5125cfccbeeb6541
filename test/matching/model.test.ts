import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { compileScorer, decide, MatchModelSchema, scoreVector, weightToProbability, type MatchModel } from '../../src/matching/model.js';

// Chosen so the weights are exact powers of two:
//   prior  λ = 1/1025        → log2(λ/(1−λ)) = log2(1/1024) = −10
//   name   exact 0.8/0.0125  → log2 64 = 6;  else 0.2/0.8 → log2 ¼ = −2
//   dob    exact 0.8/0.025   → log2 32 = 5;  near 0.15/0.075 → log2 2 = 1;  else 0.05/0.9 → log2(1/18) = −4.169925…
const model: MatchModel = {
  version: 1,
  lambda: 1 / 1025,
  comparisons: [
    {
      name: 'name',
      levels: [
        { label: 'exact', m: 0.8, u: 0.0125 },
        { label: 'else', m: 0.2, u: 0.8 },
      ],
      tf: { level: 0, minimumU: 0.001 },
    },
    {
      name: 'dob',
      levels: [
        { label: 'exact', m: 0.8, u: 0.025 },
        { label: 'near', m: 0.15, u: 0.075 },
        { label: 'else', m: 0.05, u: 0.9 },
      ],
    },
  ],
  thresholds: { match: 0.9, possible: 0.5 },
};

describe('scoreVector', () => {
  it.each([
    [[0, 0], 1, 2 / 3], // −10 + 6 + 5 = 1; 2/(1+2)
    [[0, 1], -3, 1 / 9], // −10 + 6 + 1; (1/8)/(1+1/8)
    [[1, 2], -12 - Math.log2(18), 1 / 73729], // −10 − 2 − log2 18; 2^w = 1/73728
    [[-1, 0], -5, 1 / 33], // null name adds nothing
    [[-1, -1], -10, 1 / 1025], // all null: the prior, λ itself
  ])('scores %j: weight %d, probability %d (hand-computed)', (vector, weight, probability) => {
    const s = scoreVector(model, vector);
    expect(s.weight).toBeCloseTo(weight, 12);
    expect(s.probability).toBeCloseTo(probability, 14);
    expect(s.probability / probability).toBeCloseTo(1, 12);
  });

  it('names each comparison’s level and weight; a null level contributes 0', () => {
    expect(scoreVector(model, [-1, 1]).contributions).toEqual([
      { comparison: 'name', level: 'null', weight: 0 },
      { comparison: 'dob', level: 'near', weight: 1 },
    ]);
    expect(scoreVector(model, [-1, 1]).weight).toBeCloseTo(-9, 12);
  });

  it('term frequency: a rare exact name scores higher than a common one', () => {
    const rare = scoreVector(model, [0, 0], () => 0.0005); // below minimumU: log2(0.0125/0.001) = log2 12.5
    const common = scoreVector(model, [0, 0], () => 0.05); // log2(0.0125/0.05) = −2
    const unknown = scoreVector(model, [0, 0], () => undefined);
    expect(rare.weight).toBeCloseTo(1 + Math.log2(12.5), 12);
    expect(common.weight).toBeCloseTo(1 - 2, 12);
    expect(unknown.weight).toBeCloseTo(1, 12);
    expect(rare.probability).toBeGreaterThan(unknown.probability);
    expect(unknown.probability).toBeGreaterThan(common.probability);
    expect(rare.contributions[1]).toEqual({ comparison: 'name', level: 'exact (term frequency)', weight: Math.log2(12.5) });
  });

  it('term frequency only applies at the TF level', () => {
    let asked = 0;
    const s = scoreVector(model, [1, 0], () => (asked++, 0.0001));
    expect(asked).toBe(0);
    expect(s.weight).toBeCloseTo(-10 - 2 + 5, 12);
  });

  it('refuses a vector of the wrong length or with a level out of range', () => {
    expect(() => scoreVector(model, [0])).toThrow(/1 levels; the model has 2/);
    expect(() => scoreVector(model, [0, 3])).toThrow(/dob: level 3/);
    expect(() => scoreVector(model, [-2, 0])).toThrow(/name: level -2/);
  });
});

describe('probability for extreme weights', () => {
  it.each([200, -200, 1100, -1100, 60, -60])('stays in (0, 1) at w = %d', (w) => {
    const p = weightToProbability(w);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(Number.isFinite(p)).toBe(true);
  });

  it('is 2^w for very negative w and near 1 for very positive w', () => {
    expect(weightToProbability(-200) / 2 ** -200).toBeCloseTo(1, 12);
    expect(weightToProbability(200)).toBeCloseTo(1, 15);
  });

  it('through scoreVector, |w| = 210', () => {
    const strong = (m: number, u: number): MatchModel => ({
      version: 1,
      lambda: 0.5,
      comparisons: ['a', 'b'].map((name) => ({ name, levels: [{ label: 'x', m, u }] })),
      thresholds: { match: 0.9, possible: 0.5 },
    });
    const high = scoreVector(strong(1, 2 ** -105), [0, 0]);
    const low = scoreVector(strong(2 ** -105, 1), [0, 0]);
    expect(high.weight).toBeCloseTo(210, 9);
    expect(low.weight).toBeCloseTo(-210, 9);
    for (const p of [high.probability, low.probability]) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });
});

describe('decide', () => {
  it.each([
    [0.95, 'match'],
    [0.9, 'match'],
    [0.8999, 'possible'],
    [0.5, 'possible'],
    [0.4999, 'no-match'],
    [0, 'no-match'],
  ])('%d → %s', (p, d) => {
    expect(decide(model, p)).toBe(d);
  });
});

describe('MatchModelSchema', () => {
  const paths = (m: unknown) => {
    const r = MatchModelSchema.safeParse(m);
    expect(r.success).toBe(false);
    return r.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('accepts the model and survives a JSON round trip', () => {
    expect(MatchModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
  });

  it('refuses m = 0, naming the field', () => {
    const bad = structuredClone(model);
    bad.comparisons[1]!.levels[2]!.m = 0;
    expect(paths(bad)).toEqual([{ path: 'comparisons.1.levels.2.m', message: expect.stringContaining('m must be above 0') }]);
  });

  it('refuses λ = 1, naming the field', () => {
    expect(paths({ ...model, lambda: 1 })).toEqual([{ path: 'lambda', message: expect.stringContaining('lambda') }]);
    expect(paths({ ...model, lambda: 0 })[0]!.path).toBe('lambda');
  });

  it('refuses possible > match, naming the field', () => {
    expect(paths({ ...model, thresholds: { match: 0.5, possible: 0.9 } })).toEqual([
      { path: 'thresholds.possible', message: 'thresholds.possible must not be above thresholds.match' },
    ]);
  });

  it('refuses u > 1 and a TF level that is not a level', () => {
    const bad = structuredClone(model);
    bad.comparisons[0]!.levels[0]!.u = 1.5;
    expect(paths(bad)[0]!.path).toBe('comparisons.0.levels.0.u');
    const badTf = structuredClone(model);
    badTf.comparisons[0]!.tf = { level: 2, minimumU: 0.001 };
    expect(paths(badTf)[0]!.path).toBe('comparisons.0.tf.level');
  });
});

describe('compileScorer', () => {
  it('equals scoreVector on random vectors, with nulls and term frequencies', () => {
    const rand = seededRandom(7);
    const six: MatchModel = {
      version: 1,
      lambda: 0.003,
      comparisons: [7, 6, 5, 2, 4, 4].map((n, c) => ({
        name: `c${c}`,
        levels: Array.from({ length: n }, (_, k) => ({ label: `l${k}`, m: 0.01 + rand() * 0.99, u: 0.001 + rand() * 0.999 })),
        ...(c < 2 ? { tf: { level: 0, minimumU: 0.001 } } : {}),
      })),
      thresholds: { match: 0.99, possible: 0.5 },
    };
    const score = compileScorer(six);
    for (let k = 0; k < 5000; k++) {
      const v = six.comparisons.map((c) => Math.floor(rand() * (c.levels.length + 1)) - 1);
      const tfValue = rand() * 0.01;
      const tf = k % 2 === 0 ? () => tfValue : undefined;
      const slow = scoreVector(six, v, tf);
      expect(score.weight(v, tf)).toBeCloseTo(slow.weight, 10);
      const fast = score(v, tf);
      expect(fast.weight).toBeCloseTo(slow.weight, 10);
      expect(fast.probability).toBeCloseTo(slow.probability, 12);
      expect(score.probability(v, tf)).toBe(fast.probability);
    }
  });

  it('refuses bad vectors rather than reading another comparison’s slot', () => {
    const score = compileScorer(model);
    expect(() => score([0, 3])).toThrow(/dob: level 3/);
    expect(() => score([2, 0])).toThrow(/name: level 2/);
    expect(() => score([0.5, 0])).toThrow(/name: level 0.5/);
    expect(() => score([0, 0, 0])).toThrow(/3 levels/);
  });

  it('refuses an invalid model', () => {
    expect(() => compileScorer({ ...model, lambda: 1 })).toThrow(/lambda/);
  });
});

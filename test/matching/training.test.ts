import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { scoreVector } from '../../src/matching/model.js';
import { buildModel, estimateM, estimateU } from '../../src/matching/training.js';
import type { ComparisonDef } from '../../src/matching/types.js';

const COMPARISONS: ComparisonDef[] = [
  { name: 'name', levels: ['exact', 'fuzzy', 'else'] },
  { name: 'dob', levels: ['exact', 'near', 'else'] },
  { name: 'postcode', levels: ['unit', 'sector', 'district', 'else'] },
];
const TRUE_M = [
  [0.85, 0.1, 0.05],
  [0.9, 0.07, 0.03],
  [0.7, 0.15, 0.1, 0.05],
];
const TRUE_U = [
  [0.01, 0.04, 0.95],
  [0.003, 0.02, 0.977],
  [0.005, 0.05, 0.145, 0.8],
];
const LAMBDA = 0.01;
const NULL_RATE = 0.05;
const SEED = 5;

function draw(rand: () => number, p: number[]): number {
  let r = rand();
  for (let k = 0; k < p.length - 1; k++) {
    r -= p[k]!;
    if (r < 0) return k;
  }
  return p.length - 1;
}

/** A pair's comparison vector: each comparison null with probability NULL_RATE, else a level drawn from m (match) or u. */
function pair(rand: () => number, match: boolean): number[] {
  return COMPARISONS.map((_, i) => (rand() < NULL_RATE ? -1 : draw(rand, (match ? TRUE_M : TRUE_U)[i]!)));
}

describe('estimateU', () => {
  it('recovers u within 0.02 from 100,000 random non-matching pairs', () => {
    const rand = seededRandom(1);
    const u = estimateU(
      Array.from({ length: 100_000 }, () => pair(rand, false)),
      COMPARISONS,
    );
    u.forEach((ui, i) => {
      expect(ui.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      ui.forEach((x, l) => expect(Math.abs(x - TRUE_U[i]![l]!)).toBeLessThan(0.02));
    });
  });

  it('smooths: a level never seen still gets u above 0', () => {
    const u = estimateU(
      [
        [2, 2, 3],
        [2, -1, 3],
      ],
      COMPARISONS,
    );
    expect(u[0]).toEqual([1 / 5, 1 / 5, 3 / 5]); // (0+1)/(2+3), (2+1)/(2+3)
    expect(u[1]).toEqual([1 / 4, 1 / 4, 2 / 4]); // one non-null pair
    for (const x of u.flat()) expect(x).toBeGreaterThan(0);
  });

  it('gives the uniform 1/levels to a comparison that is always null, and takes any iterable', () => {
    function* gen() {
      yield [0, -1, 0];
    }
    expect(estimateU(gen(), COMPARISONS)[1]).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('refuses a vector that does not fit the comparisons', () => {
    expect(() => estimateU([[0, 0]], COMPARISONS)).toThrow(/2 levels; there are 3/);
    expect(() => estimateU([[0, 3, 0]], COMPARISONS)).toThrow(/dob: level 3/);
  });
});

describe('estimateM', () => {
  // With λ = 0.01 the 50,000 pairs hold about 500 matches, so the sample's own m is off
  // the truth by a standard error of about 0.02 per level (seed 2 draws a sample whose
  // matches have postcode unit 0.65 against 0.7; seeds 3 and 5–11 pass). The sharper
  // check of EM itself is against the m of the sample's own true matches.
  const rand = seededRandom(SEED);
  const labels: boolean[] = [];
  const candidates = Array.from({ length: 50_000 }, () => {
    const match = rand() < LAMBDA;
    labels.push(match);
    return pair(rand, match);
  });
  const sampleM = COMPARISONS.map((c, i) => {
    const counts = new Array<number>(c.levels.length).fill(0);
    candidates.forEach((v, k) => labels[k] && v[i]! >= 0 && counts[v[i]!]!++);
    const n = counts.reduce((a, b) => a + b, 0);
    return counts.map((x) => x / n);
  });

  it('recovers m within 0.05 and λ within 25% from 50,000 candidate pairs (u fixed at the truth)', () => {
    const r = estimateM(candidates, COMPARISONS, TRUE_U, { lambda: 0.05 });
    expect(r.converged).toBe(true);
    r.m.forEach((mi, i) => {
      expect(mi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      mi.forEach((x, l) => expect(Math.abs(x - TRUE_M[i]![l]!), `m[${i}][${l}] = ${x}`).toBeLessThan(0.05));
      mi.forEach((x, l) => expect(Math.abs(x - sampleM[i]![l]!), `m[${i}][${l}] = ${x} vs sample`).toBeLessThan(0.02));
    });
    expect(Math.abs(r.lambda - LAMBDA) / LAMBDA).toBeLessThan(0.25);
    const sampleLambda = labels.filter(Boolean).length / labels.length;
    expect(Math.abs(r.lambda - sampleLambda) / sampleLambda).toBeLessThan(0.1);
  });

  it('recovers m with u estimated from random pairs, as in use', () => {
    const r2 = seededRandom(3);
    const u = estimateU(
      Array.from({ length: 100_000 }, () => pair(r2, false)),
      COMPARISONS,
    );
    const r = estimateM(candidates, COMPARISONS, u, { lambda: 0.001 });
    expect(r.converged).toBe(true);
    r.m.forEach((mi, i) => mi.forEach((x, l) => expect(Math.abs(x - TRUE_M[i]![l]!), `m[${i}][${l}] = ${x}`).toBeLessThan(0.05)));
    expect(Math.abs(r.lambda - LAMBDA) / LAMBDA).toBeLessThan(0.25);
    const model = buildModel(COMPARISONS, u, r.m, r.lambda, { match: 0.99, possible: 0.5 });
    expect(scoreVector(model, [0, 0, 0]).probability).toBeGreaterThan(0.99);
    expect(scoreVector(model, [2, 2, 3]).probability).toBeLessThan(1e-4);
  });

  it('a fixed (blocked-on) comparison keeps its starting m and is left out of the E step', () => {
    // A session blocked on dob: only pairs agreeing exactly on dob are candidates.
    const r3 = seededRandom(4);
    const blocked: number[][] = [];
    while (blocked.length < 20_000) {
      const v = pair(r3, r3() < LAMBDA);
      if (v[1] === 0) blocked.push(v);
    }
    const startDob = [0.5, 0.3, 0.2];
    const startM = [[0.6, 0.3, 0.1], startDob, [0.4, 0.3, 0.2, 0.1]];
    const r = estimateM(blocked, COMPARISONS, TRUE_U, { lambda: 0.1, fixed: ['dob'], startM });
    expect(r.m[1]).toEqual(startDob);
    expect(r.converged).toBe(true);
    for (const i of [0, 2]) r.m[i]!.forEach((x, l) => expect(Math.abs(x - TRUE_M[i]![l]!), `m[${i}][${l}] = ${x}`).toBeLessThan(0.05));
    // Within the blocked sample the share of matches is 0.01·0.9 / (0.01·0.9 + 0.99·0.003) ≈ 0.75.
    expect(r.lambda).toBeGreaterThan(0.65);
    expect(r.lambda).toBeLessThan(0.85);
    expect(startM[1]).toBe(startDob); // the caller's arrays are not changed
    expect(startM[0]).toEqual([0.6, 0.3, 0.1]);
  });

  it('stops at maxIterations and says it did not converge', () => {
    const r = estimateM(candidates, COMPARISONS, TRUE_U, { lambda: 0.05, maxIterations: 2, tolerance: 1e-12 });
    expect(r).toMatchObject({ iterations: 2, converged: false });
  });

  it('keeps m above 0 for a level no candidate pair shows', () => {
    const r = estimateM(
      candidates.map((v) => v.map((l, i) => (i === 0 && l === 1 ? 2 : l))),
      COMPARISONS,
      TRUE_U,
      { lambda: 0.05 },
    );
    expect(r.m[0]![1]).toBeGreaterThan(0);
    expect(r.m[0]![1]).toBeLessThan(1e-5);
  });

  it('refuses bad options', () => {
    expect(() => estimateM(candidates, COMPARISONS, TRUE_U, { lambda: 1 })).toThrow(/lambda/);
    expect(() => estimateM(candidates, COMPARISONS, TRUE_U, { lambda: 0.1, fixed: ['nhs'] })).toThrow(/nhs/);
    expect(() => estimateM(candidates, COMPARISONS, TRUE_U.slice(0, 2), { lambda: 0.1 })).toThrow(/u has 2/);
    expect(() => estimateM([], COMPARISONS, TRUE_U, { lambda: 0.1 })).toThrow(/no candidate pairs/);
  });
});

describe('buildModel', () => {
  it('labels levels from the comparisons and validates', () => {
    const model = buildModel(COMPARISONS, TRUE_U, TRUE_M, LAMBDA, { match: 0.9, possible: 0.5 }, { name: { level: 0, minimumU: 0.001 } });
    expect(model.version).toBe(1);
    expect(model.comparisons[2]!.levels[1]).toEqual({ label: 'sector', m: 0.15, u: 0.05 });
    expect(model.comparisons[0]!.tf).toEqual({ level: 0, minimumU: 0.001 });
    expect(model.comparisons[1]!.tf).toBeUndefined();
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('refuses an invalid model, naming the field', () => {
    const m = TRUE_M.map((x) => [...x]);
    m[1]![2] = 0;
    expect(() => buildModel(COMPARISONS, TRUE_U, m, LAMBDA, { match: 0.9, possible: 0.5 })).toThrow(/comparisons.*1.*levels.*2.*m/s);
    expect(() => buildModel(COMPARISONS, TRUE_U, TRUE_M, LAMBDA, { match: 0.5, possible: 0.9 })).toThrow(/thresholds\.possible/);
    expect(() => buildModel(COMPARISONS, TRUE_U, TRUE_M, LAMBDA, { match: 0.9, possible: 0.5 }, { nhs: { level: 0, minimumU: 0.001 } })).toThrow(/nhs/);
  });
});

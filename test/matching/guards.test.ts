import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardDecision } from '../../src/matching/guards.js';
import { createMatcher, loadMatcher } from '../../src/matching/matcher.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { applyIndexPrior } from '../../src/services/index-mode.js';
import { priorWeight } from '../../src/matching/model.js';

// COMPARISONS order: givenName, surname, birthDate, sex, postcode, address.
const ALL_AGREE = [0, 0, 0, 0, 0, 0];

describe('guardDecision', () => {
  it('leaves a match whose names and date of birth agree, and never touches possible or no-match', () => {
    expect(guardDecision(ALL_AGREE, 'match')).toEqual({ decision: 'match' });
    expect(guardDecision([1, 2, 1, 0, 0, 0], 'match')).toEqual({ decision: 'match' }); // nickname, name token, swapped day/month
    expect(guardDecision([6, 6, 4, 1, 3, 3], 'possible')).toEqual({ decision: 'possible' });
    expect(guardDecision([6, 6, 4, 1, 3, 3], 'no-match')).toEqual({ decision: 'no-match' });
  });

  it.each([
    ['first names differ (Oliver / Olivia)', [3, 0, 0, 0, 0, 0], 'first names'],
    ['a first name is missing', [-1, 0, 0, 0, 0, 0], 'first names'],
    ['dates of birth a year apart', [0, 0, 3, 0, 0, 0], 'dates of birth'],
    ['a date of birth is missing', [0, 0, -1, 0, 0, 0], 'dates of birth'],
    ['surnames wholly different', [0, 6, 0, 0, 0, 0], 'surnames'],
  ])('lowers a match to possible when %s', (_what, vector, reason) => {
    const g = guardDecision(vector, 'match');
    expect(g.decision).toBe('possible');
    expect(g.guard).toContain(reason);
  });
});

describe('the gateway matcher', () => {
  const model = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'config', 'matching', 'model.json'), 'utf8'));
  const child = (id: string, given: string, birthDate = '2019-02-02'): MatchRecord => ({ id, givenNames: [given], family: 'PEMBERTON', birthDate, sex: 'male', postcode: 'LS7 3CD', addressTokens: ['3', 'TWIN', 'LANE'] });

  it('scores candidates best first and puts twins in review, not in one person', () => {
    const m = createMatcher(model);
    const [same, twin] = m.score(child('in', 'OLIVER'), [child('twin', 'OLIVIA'), child('same', 'OLIVER')]);
    expect(same!.id).toBe('same');
    expect(same!.decision).toBe('match');
    expect(twin!.decision).not.toBe('match');
    expect(same!.explanation.map((e) => e.comparison)).toEqual(['givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address']);
  });

  it('refuses a model for other comparisons, and a bad model file stops start-up naming the file and field', () => {
    expect(() => createMatcher({ ...model, comparisons: model.comparisons.slice(1) })).toThrow(/comparisons are surname/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-model-'));
    fs.mkdirSync(path.join(dir, 'matching'));
    expect(() => loadMatcher(dir)).toThrow(/model\.json: cannot read the match model/);
    fs.writeFileSync(path.join(dir, 'matching', 'model.json'), JSON.stringify({ ...model, lambda: 2 }));
    expect(() => loadMatcher(dir)).toThrow(/model\.json: lambda: .*below 1/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('applyIndexPrior', () => {
  const mode = { lambda: 1e-4, thresholds: { match: 0.99, possible: 0.5 } };
  // A weight that is a match at the model's λ (p ≈ 0.998) but not among a million people.
  const score = { id: 'p1', weight: 9, probability: 0.998, decision: 'match' as const, explanation: [] };

  it('leaves a small index at the model’s prior', () => {
    expect(applyIndexPrior(mode, [score], 1000)).toEqual([score]);
  });

  it('lowers a match to possible when the index is large enough that the evidence no longer clears the threshold', () => {
    const [s] = applyIndexPrior(mode, [score], 1_000_000);
    expect(s!.decision).toBe('possible');
    expect(s!.guard).toContain('1,000,000 people');
    // Strong evidence still links: the shift is log2 of the prior ratio, about 7.6 bits here.
    expect(priorWeight(0.5 / 1_000_000) - priorWeight(1e-4)).toBeCloseTo(Math.log2(0.5e-6 / (1 - 0.5e-6)) - Math.log2(1e-4 / (1 - 1e-4)), 9);
    expect(applyIndexPrior(mode, [{ ...score, weight: 20 }], 1_000_000)[0]!.decision).toBe('match');
  });

  it('never raises a possible or a no-match', () => {
    const low = [{ ...score, decision: 'possible' as const }, { ...score, decision: 'no-match' as const }];
    expect(applyIndexPrior(mode, low, 1_000_000)).toEqual(low);
  });
});

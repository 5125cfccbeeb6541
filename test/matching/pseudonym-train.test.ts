import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../src/cli/link.js';
import { devKeySet } from '../../src/crypto/keys.js';
import { DEFAULT_ENCODING, createPseudonymiser } from '../../src/matching/pseudonym.js';
import { createPseudonymMatcher, loadPseudonymMatcher } from '../../src/matching/pseudonym-matcher.js';
import { trainPseudonymModel } from '../../src/matching/pseudonym-train.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { seededRandom } from '../helpers/random.js';

const GIVEN = ['OLIVER', 'OLIVIA', 'AMELIA', 'JACK', 'HARRY', 'ISLA', 'GEORGE', 'AVA', 'NOAH', 'EMILY', 'LEO', 'GRACE', 'ARTHUR', 'FREYA', 'OSCAR', 'LILY'];
const FAMILY = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'JOHNSON', 'DAVIES', 'PATEL', 'WRIGHT', 'KHAN', 'EVANS', 'THOMAS', 'ROBERTS'];
const STREETS = ['HIGH STREET', 'CHURCH ROAD', 'MILL LANE', 'PARK AVENUE', 'STATION ROAD', 'VICTORIA STREET'];

/** n people, and a second file with the same people, a quarter of them with one field changed. */
function people(n: number, seed = 1): { left: MatchRecord[]; right: MatchRecord[] } {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const two = (x: number) => String(x).padStart(2, '0');
  const left: MatchRecord[] = [];
  const right: MatchRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r: MatchRecord = {
      id: `a${i}`,
      givenNames: [pick(GIVEN)],
      family: pick(FAMILY),
      birthDate: `20${two(5 + Math.floor(rand() * 14))}-${two(1 + Math.floor(rand() * 12))}-${two(1 + Math.floor(rand() * 28))}`,
      postcode: `LS${1 + Math.floor(rand() * 20)} ${1 + Math.floor(rand() * 9)}${pick(['AA', 'AB', 'BD', 'XY'])}`,
      addressTokens: [String(1 + Math.floor(rand() * 200)), ...pick(STREETS).split(' ')],
    };
    left.push(r);
    const copy: MatchRecord = { ...r, id: `b${i}` };
    const change = rand();
    if (change < 0.08) copy.family = `${r.family!.slice(0, -1)}E`;
    else if (change < 0.16) copy.postcode = undefined;
    else if (change < 0.25) copy.addressTokens = [String(1 + Math.floor(rand() * 200)), ...r.addressTokens.slice(1)];
    right.push(copy);
  }
  return { left, right };
}

describe('trainPseudonymModel', () => {
  const { left, right } = people(1200);
  const encoder = createPseudonymiser(devKeySet().linkageSecret);
  const L = left.map((r) => encoder.record(r));
  const R = right.map((r) => encoder.record(r));
  const truth = { left: left.map((r) => r.id.slice(1)), right: right.map((r) => r.id.slice(1)) };

  it('trains from encodings alone and chooses thresholds on the tuning split', () => {
    const { model, report, evaluation } = trainPseudonymModel(L, R, { encoding: DEFAULT_ENCODING, randomPairs: 50_000, truth });
    expect(report.untrained).toEqual(['identifier', 'sex']);
    expect(report.expectedMatches).toBeGreaterThan(600);
    expect(report.expectedMatches).toBeLessThan(2400);
    expect(evaluation!.test.match.precision).toBeGreaterThanOrEqual(0.99);
    expect(evaluation!.test.match.recall).toBeGreaterThan(0.9);
    expect(model.thresholds.possible).toBeLessThanOrEqual(model.thresholds.match);
    // The model is one the online matcher accepts.
    expect(createPseudonymMatcher(model, devKeySet().linkageSecret).model.thresholds).toEqual(model.thresholds);
  });

  it('without truth keeps the given thresholds, and refuses records of two encodings', () => {
    const { model } = trainPseudonymModel(L, R, { randomPairs: 20_000, thresholds: { match: 0.95, possible: 0.4 } });
    expect(model.thresholds).toEqual({ match: 0.95, possible: 0.4 });
    const other = createPseudonymiser(Buffer.alloc(32, 3)).record(left[0]!);
    expect(() => trainPseudonymModel([...L, other], R)).toThrow(/one encoding/);
  });
});

describe('sgw match train --pseudonymised', () => {
  it('writes a model the gateway loads, with the dev key or SGW_LINKAGE_KEY, never both', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-ptrain-'));
    try {
      const { left, right } = people(600, 2);
      const csv = (rs: MatchRecord[]) => ['id,given,family,dob,postcode,address', ...rs.map((r) => [r.id, r.givenNames[0], r.family, r.birthDate, r.postcode ?? '', r.addressTokens.join(' ')].join(','))].join('\n');
      fs.writeFileSync(path.join(dir, 'a.csv'), csv(left));
      fs.writeFileSync(path.join(dir, 'b.csv'), csv(right));
      fs.writeFileSync(path.join(dir, 'map.yaml'), 'id: id\ngivenName: given\nsurname: family\nbirthDate: dob\npostcode: postcode\naddress: address\n');
      fs.mkdirSync(path.join(dir, 'matching'));
      const out = path.join(dir, 'matching', 'model-pseudonymised.json');
      const opts = { left: path.join(dir, 'a.csv'), right: path.join(dir, 'b.csv'), columns: path.join(dir, 'map.yaml'), out, truth: 'id', truthPattern: '^[ab](\\d+)$', randomPairs: 20_000, pseudonymised: true };
      const lines: string[] = [];
      const { test } = await runTrain({ ...opts, devKey: true }, (l) => lines.push(l), {});
      expect(lines.join('\n')).toMatch(/development linkage key/);
      expect(test!.precision).toBeGreaterThanOrEqual(0.99);
      const text = fs.readFileSync(out, 'utf8');
      for (const clear of [left[0]!.family!, left[0]!.birthDate!]) expect(text).not.toContain(clear);
      expect(loadPseudonymMatcher(dir, Buffer.alloc(32, 5)).model.thresholds.match).toBeGreaterThan(0);
      await expect(runTrain(opts, () => {}, {})).rejects.toThrow(/SGW_LINKAGE_KEY .*is not set/);
      const key = Buffer.alloc(32, 4).toString('base64');
      await expect(runTrain({ ...opts, devKey: true }, () => {}, { SGW_LINKAGE_KEY: key })).rejects.toThrow(/use one or the other/);
      await runTrain(opts, () => {}, { SGW_LINKAGE_KEY: key });
      await expect(runTrain({ ...opts, pseudonymised: false, devKey: true }, () => {})).rejects.toThrow(/only applies with --pseudonymised/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

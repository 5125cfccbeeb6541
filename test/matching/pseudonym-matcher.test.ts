import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devKeySet } from '../../src/crypto/keys.js';
import type { MatchModel } from '../../src/matching/model.js';
import { DEFAULT_ENCODING, createPseudonymiser } from '../../src/matching/pseudonym.js';
import { defaultDiceBands, pseudonymComparator } from '../../src/matching/pseudonym-compare.js';
import {
  PSEUDONYM_GUARD_BANDS,
  createPseudonymMatcher,
  guardPseudonymDecision,
  loadPseudonymMatcher,
  pseudonymModelFile,
  type PseudonymMatcher,
} from '../../src/matching/pseudonym-matcher.js';
import { buildModel } from '../../src/matching/training.js';
import type { Person } from '../../src/model/person.js';

const CONFIG = path.resolve(import.meta.dirname, '../../config');
const devSecret = devKeySet().linkageSecret;
const otherSecret = Buffer.alloc(32, 9);

function child(id: string, over: { given?: string[]; family?: string; birthDate?: string; sex?: Person['sex']; identifier?: string; postcode?: string; lines?: string[] } = {}): Person {
  return {
    id,
    identifiers: [{ system: 'https://example.org/la-child-id', value: over.identifier ?? `LA-${id}` }],
    names: [{ use: 'official', given: over.given ?? ['Oliver'], ...(over.family === '' ? {} : { family: over.family ?? 'Whittaker' }) }],
    ...(over.birthDate === '' ? {} : { birthDate: over.birthDate ?? '2015-03-12' }),
    sex: over.sex ?? 'male',
    addresses: [{ lines: over.lines ?? ['17 Brackenridge Road', 'Leeds'], postcode: over.postcode ?? 'LS1 4AP' }],
    owner: 'la:383',
    provenance: { agency: 'la:383', format: 'config', receivedAt: '2024-01-01T00:00:00Z' },
    securityLabel: 'N',
  };
}

/** A model with strong weights at every agreeing band, so only the guards keep a pair from 'match'. */
function strongModel(): MatchModel {
  const { comparisons } = pseudonymComparator(defaultDiceBands(DEFAULT_ENCODING.hardening));
  const u = comparisons.map((c) => c.levels.map((_, k) => (k === c.levels.length - 1 ? 0.9 : 0.1 / (c.levels.length - 1))));
  // identifier neutral (weight 0): agencies' identifiers differ for the same child
  const m = comparisons.map((c, i) => (c.name === 'identifier' ? [...u[i]!] : c.levels.map((_, k) => (k === c.levels.length - 1 ? 0.01 : 0.99 / (c.levels.length - 1)))));
  return buildModel(comparisons, u, m, 1e-4, { match: 0.9, possible: 0.1 });
}

const matchers: [string, () => PseudonymMatcher][] = [
  ['the shipped FEBRL4 model, dev key', () => loadPseudonymMatcher(CONFIG, devSecret)],
  ['the shipped FEBRL4 model, another key', () => loadPseudonymMatcher(CONFIG, otherSecret)],
  ['a model with strong weights at every band', () => createPseudonymMatcher(strongModel(), otherSecret)],
];

describe.each(matchers)('pseudonymised matcher: %s', (_, make) => {
  const pm = make();
  const score = (a: Person, b: Person) => pm.score(pm.encode(a), [{ id: b.id, pseudonym: pm.encode(b) }])[0]!;

  it('never links twins automatically: same surname, date of birth and address, first names Oliver and Olivia', () => {
    const oliver = child('a');
    const olivia = child('b', { given: ['Olivia'], sex: 'female' });
    const oliviaSameSex = child('c', { given: ['Olivia'] });
    for (const twin of [olivia, oliviaSameSex]) {
      for (const [x, y] of [
        [oliver, twin],
        [twin, oliver],
      ] as const) {
        const s = score(x, y);
        expect(s.decision).not.toBe('match');
      }
    }
  });

  it('links the same child sent by another agency under another identifier', () => {
    const s = score(child('a'), child('b', { identifier: 'OTHER-1' }));
    expect(s.decision).toBe('match');
    expect(s.guard).toBeUndefined();
    expect(s.probability).toBeGreaterThanOrEqual(pm.model.thresholds.match);
  });

  it('does not link a sibling two years younger with the same first name, nor a record missing a first name or date of birth', () => {
    expect(score(child('a'), child('b', { birthDate: '2017-08-12' })).decision).not.toBe('match');
    expect(score(child('a'), child('b', { given: [] })).decision).not.toBe('match');
    expect(score(child('a'), child('b', { birthDate: '' })).decision).not.toBe('match');
  });
});

describe('pseudonymised matcher', () => {
  const pm = loadPseudonymMatcher(CONFIG, otherSecret);

  it('stores no clear text: names, dates, postcodes, address words and identifier values are absent', () => {
    const text = JSON.stringify(pm.encode(child('a', { identifier: '9434765919' })));
    for (const clear of ['OLIVER', 'Oliver', 'WHITTAKER', 'Whittaker', '2015', 'LS1', '4AP', 'Brackenridge', 'BRACKENRIDGE', '9434765919', 'LEEDS']) expect(text).not.toContain(clear);
  });

  it('files identifier pseudonyms and blocking pseudonyms; the same child under two agencies shares keys', () => {
    const a = pm.blockingKeys(pm.encode(child('a')));
    const b = pm.blockingKeys(pm.encode(child('b', { identifier: 'OTHER-1' })));
    expect(a.filter((k) => k.startsWith('pi:'))).toHaveLength(1);
    expect(a.filter((k) => k.startsWith('pb:dob|'))).toHaveLength(1);
    expect(new Set(a).size).toBe(a.length);
    expect(a.filter((k) => b.includes(k)).length).toBeGreaterThan(10);
    expect(a.join(' ')).not.toMatch(/2015|OLIVER|LS1/);
    // Same identifier, everything else different: still a candidate.
    const c = pm.blockingKeys(pm.encode(child('c', { given: ['Amelia'], family: 'Brown', birthDate: '2019-01-02', postcode: 'M1 1AA', lines: ['1 High Street'], identifier: 'LA-a' })));
    expect(c.filter((k) => a.includes(k))).toEqual(a.filter((k) => k.startsWith('pi:')));
  });

  it('explains each comparison by its band only, best candidate first', () => {
    const out = pm.score(pm.encode(child('a')), [
      { id: 'far', pseudonym: pm.encode(child('far', { given: ['Amelia'], family: 'Brown', birthDate: '2019-01-02', postcode: 'M1 1AA', lines: ['1 High Street', 'Manchester'] })) },
      { id: 'same', pseudonym: pm.encode(child('same')) },
    ]);
    expect(out.map((s) => s.id)).toEqual(['same', 'far']);
    expect(out[0]!.explanation.map((e) => e.comparison)).toEqual(['identifier', 'givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address']);
    expect(out[0]!.explanation.find((e) => e.comparison === 'givenName')!.level).toBe('dice >= 0.995');
    expect(out[1]!.decision).toBe('no-match');
  });

  it('refuses records encoded under another key', () => {
    const dev = loadPseudonymMatcher(CONFIG, devSecret);
    expect(() => pm.score(pm.encode(child('a')), [{ id: 'x', pseudonym: dev.encode(child('x')) }])).toThrow(/candidate x was encoded as .*re-encode/);
    expect(() => pm.score(dev.encode(child('a')), [])).toThrow(/the incoming record/);
  });
});

describe('band → guard mapping', () => {
  const surnameLevels = pseudonymComparator(defaultDiceBands(DEFAULT_ENCODING.hardening)).comparisons[2]!.levels.length;
  // identifier, givenName, surname, birthDate, sex, postcode, address
  const v = (given: number, surname: number, dob: number) => [1, given, surname, dob, 0, 0, 0];

  it('only ever lowers a match', () => {
    expect(guardPseudonymDecision(v(4, 5, 3), 'possible', surnameLevels)).toEqual({ decision: 'possible' });
    expect(guardPseudonymDecision(v(4, 5, 3), 'no-match', surnameLevels)).toEqual({ decision: 'no-match' });
    expect(guardPseudonymDecision(v(0, 0, 0), 'match', surnameLevels)).toEqual({ decision: 'match' });
  });

  it('takes the top given-name band, or the forename/surname swap, as the same first name', () => {
    expect(guardPseudonymDecision(v(1, 0, 0), 'match', surnameLevels).decision).toBe('possible');
    expect(guardPseudonymDecision(v(-1, 0, 0), 'match', surnameLevels).decision).toBe('possible');
    expect(guardPseudonymDecision(v(4, PSEUDONYM_GUARD_BANDS.swappedSurnameLevel, 0), 'match', surnameLevels).decision).toBe('match');
  });

  it('takes the top two date-of-birth bands as agreeing, and a surname below every band (or missing) as different', () => {
    expect(guardPseudonymDecision(v(0, 0, 1), 'match', surnameLevels).decision).toBe('match');
    expect(guardPseudonymDecision(v(0, 0, 2), 'match', surnameLevels).guard).toMatch(/dates of birth/);
    expect(guardPseudonymDecision(v(0, 0, -1), 'match', surnameLevels).guard).toMatch(/dates of birth/);
    expect(guardPseudonymDecision(v(0, surnameLevels - 2, 0), 'match', surnameLevels).decision).toBe('match');
    expect(guardPseudonymDecision(v(0, surnameLevels - 1, 0), 'match', surnameLevels).guard).toMatch(/surnames/);
    expect(guardPseudonymDecision(v(0, -1, 0), 'match', surnameLevels).guard).toMatch(/surnames/);
  });

  it('matches the measured Dice of the default encoding: one digit off is in the agreeing bands, a two-digit change and OLIVER/OLIVIA are not', () => {
    const p = createPseudonymiser(otherSecret);
    const bands = defaultDiceBands(DEFAULT_ENCODING.hardening);
    const pm = createPseudonymMatcher(strongModel(), otherSecret);
    const dob = (a: string, b: string) => pm.score(pm.encode(child('a', { birthDate: a })), [{ id: 'b', pseudonym: pm.encode(child('b', { birthDate: b })) }])[0]!.explanation.find((e) => e.comparison === 'birthDate')!.level;
    expect(dob('2015-03-12', '2015-03-13')).toBe(`dice >= ${bands.birthDate[1]}`);
    expect(dob('2015-03-12', '2016-03-12')).toBe(`dice >= ${bands.birthDate[1]}`);
    expect(dob('2015-03-12', '2017-08-12')).not.toMatch(new RegExp(`^dice >= (${bands.birthDate[0]}|${bands.birthDate[1]})$`));
    expect(p.encoding).toBe(pm.encoding);
  });
});

describe('loadPseudonymMatcher', () => {
  const withFile = (content: unknown, fn: (dir: string, file: string) => void) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-pm-'));
    try {
      fs.mkdirSync(path.join(dir, 'matching'));
      const file = path.join(dir, 'matching', 'model-pseudonymised.json');
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      fn(dir, file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const shipped = JSON.parse(fs.readFileSync(path.join(CONFIG, 'matching', 'model-pseudonymised.json'), 'utf8')) as Record<string, unknown>;

  it('reads the shipped model and its encoding', () => {
    const pm = loadPseudonymMatcher(CONFIG, devSecret);
    expect(pm.model.thresholds.possible).toBeLessThanOrEqual(pm.model.thresholds.match);
    expect(pm.encoding).toBe(createPseudonymiser(devSecret).encoding);
  });

  it('names the file and the field of a bad model', () => {
    withFile('{ not json', (dir, file) => expect(() => loadPseudonymMatcher(dir, devSecret)).toThrow(new RegExp(`${file}: cannot read`)));
    withFile({ ...shipped, thresholds: { match: 0.5 } }, (dir, file) => expect(() => loadPseudonymMatcher(dir, devSecret)).toThrow(`${file}: thresholds.possible`));
    withFile({ ...shipped, encoding: { ...DEFAULT_ENCODING, length: 1000 } }, (dir, file) => expect(() => loadPseudonymMatcher(dir, devSecret)).toThrow(`${file}: encoding.length`));
    withFile({ ...shipped, encoding: { ...DEFAULT_ENCODING, hardening: 'none' } }, (dir) => expect(() => loadPseudonymMatcher(dir, devSecret)).toThrow(/Dice bands .* 'none'/));
    const clear = JSON.parse(fs.readFileSync(path.join(CONFIG, 'matching', 'model.json'), 'utf8')) as unknown;
    withFile(clear, (dir, file) => expect(() => loadPseudonymMatcher(dir, devSecret)).toThrow(`${file}: comparisons`));
  });

  it('writes what it reads', () => {
    const model = strongModel();
    withFile(pseudonymModelFile(model, DEFAULT_ENCODING), (dir) => expect(loadPseudonymMatcher(dir, devSecret).model).toEqual(model));
  });
});

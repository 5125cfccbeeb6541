import { describe, expect, it } from 'vitest';
import { ADDRESS, BIRTH_DATE, COMPARISONS, GIVEN, IDENTIFIER_COMPARISON, POSTCODE, SEX, SURNAME, areNicknames, comparatorFor, comparePrepared, compareRecords, prepare } from '../../src/matching/comparisons.js';
import type { MatchRecord } from '../../src/matching/types.js';

const base: MatchRecord = {
  id: 'a',
  givenNames: ['BRONWEN'],
  family: 'FARTHINGALE',
  birthDate: '2015-03-07',
  sex: 'female',
  postcode: 'LS6 2AB',
  addressTokens: ['12', 'TINDER', 'LANE', 'HEADINGLEY'],
};
const rec = (over: Partial<MatchRecord>): MatchRecord => ({ ...base, id: 'b', ...over });

/** Expected level names per comparison; omitted comparisons are expected at level 0 (both records share base's value). */
type Expected = Partial<Record<'given' | 'surname' | 'dob' | 'sex' | 'postcode' | 'address', string | null>>;
const ORDER = ['given', 'surname', 'dob', 'sex', 'postcode', 'address'] as const;

/** A level name to its index in COMPARISONS (null → -1), so the table reads as levels, not numbers. */
function levels(expected: Expected): number[] {
  return ORDER.map((key, i) => {
    const name = expected[key];
    if (name === null) return -1;
    if (name === undefined) return 0;
    const index = COMPARISONS[i]!.levels.indexOf(name);
    if (index < 0) throw new Error(`no level ${name} in ${COMPARISONS[i]!.name}`);
    return index;
  });
}

const CASES: [string, MatchRecord, MatchRecord, Expected][] = [
  ['identical records', base, rec({}), {}],
  ['twins at one address, unrelated first names', base, rec({ givenNames: ['TAMSIN'], sex: 'male' }), { given: 'else', sex: 'else' }],
  ['twins at one address, similar first names', rec({ givenNames: ['OLIVER'], sex: 'male' }), rec({ givenNames: ['OLIVIA'] }), { given: 'jaro-winkler >= 0.70', sex: 'else' }],
  ['forename and surname swapped', rec({ givenNames: ['ELLIS'], family: 'MORROW' }), rec({ givenNames: ['MORROW'], family: 'ELLIS' }), { given: 'else', surname: 'given and family swapped' }],
  ['surname equals the other given name one way only: not swapped', rec({ givenNames: ['ELLIS'], family: 'MORROW' }), rec({ givenNames: ['MORROW'], family: 'QUENBY' }), { given: 'else', surname: 'else' }],
  ['surname in both name fields is exact, not swapped', rec({ givenNames: ['ELLIS'], family: 'ELLIS' }), rec({ givenNames: ['ELLIS'], family: 'ELLIS' }), {}],
  ['day and month swapped', base, rec({ birthDate: '2015-07-03' }), { dob: 'day and month swapped' }],
  ['one-digit typo in the day', base, rec({ birthDate: '2015-03-01' }), { dob: 'damerau-levenshtein <= 1' }],
  ['adjacent digits transposed', rec({ birthDate: '2015-12-13' }), rec({ birthDate: '2015-12-31' }), { dob: 'damerau-levenshtein <= 1' }],
  ['one-digit typo in the year', base, rec({ birthDate: '2016-03-07' }), { dob: 'damerau-levenshtein <= 1' }],
  ['birth dates months apart', base, rec({ birthDate: '2014-11-20' }), { dob: 'within a year' }],
  ['birth dates exactly a year apart', base, rec({ birthDate: '2014-03-07' }), { dob: 'damerau-levenshtein <= 1' }],
  ['birth dates a year and a day apart', base, rec({ birthDate: '2014-03-06' }), { dob: 'else' }],
  ['birth dates years apart', base, rec({ birthDate: '2011-09-28' }), { dob: 'else' }],
  ['postcode sector only', base, rec({ postcode: 'LS6 2XY' }), { postcode: 'sector' }],
  ['postcode district only', base, rec({ postcode: 'LS6 4AB' }), { postcode: 'district' }],
  ['postcode district differs', base, rec({ postcode: 'LS7 2AB' }), { postcode: 'else' }],
  ['district LS1 is not a prefix match of LS12', rec({ postcode: 'LS1 2AB' }), rec({ postcode: 'LS12 2AB' }), { postcode: 'else' }],
  ['non-UK postcodes equal', rec({ postcode: '4223' }), rec({ postcode: '4223' }), {}],
  ['non-UK postcodes differ', rec({ postcode: '4223' }), rec({ postcode: '4224' }), { postcode: 'else' }],
  ['hyphenated first name against one of its parts', rec({ givenNames: ['MARY-JANE'] }), rec({ givenNames: ['JANE'] }), { given: 'nickname or name token' }],
  ['one of the parts against a double-barrelled first name', rec({ givenNames: ['ROSE'] }), rec({ givenNames: ['LILY ROSE'] }), { given: 'nickname or name token' }],
  ['first name close (JW >= 0.92)', rec({ givenNames: ['JASMIN'] }), rec({ givenNames: ['JASMINE'] }), { given: 'jaro-winkler >= 0.92' }],
  ['first name JW >= 0.88', rec({ givenNames: ['GARETH'] }), rec({ givenNames: ['GARRETT'] }), { given: 'jaro-winkler >= 0.88' }],
  ['first name sounds alike', rec({ givenNames: ['CATRIN'] }), rec({ givenNames: ['KATRYN'] }), { given: 'double metaphone' }],
  ['surname close (JW >= 0.92)', base, rec({ family: 'FARTHINGAIL' }), { surname: 'jaro-winkler >= 0.92' }],
  ['surname sounds alike', rec({ family: 'PHELPSWORTH' }), rec({ family: 'FELPSWORTH' }), { surname: 'double metaphone' }],
  ['surname JW >= 0.88, sounds different', rec({ family: 'HASKETT' }), rec({ family: 'HASKELL' }), { surname: 'jaro-winkler >= 0.88' }],
  ['surname unrelated', base, rec({ family: 'QUENBY' }), { surname: 'else' }],
  ['double-barrelled surname against one of its parts', rec({ family: 'HOLT-BRAMWELL' }), rec({ family: 'BRAMWELL' }), { surname: 'name token' }],
  ['nickname of the first name (Alfie/Alfred)', rec({ givenNames: ['ALFIE'] }), rec({ givenNames: ['ALFRED'] }), { given: 'nickname or name token' }],
  ['two nicknames of one formal name (Bill/Billy)', rec({ givenNames: ['BILL'] }), rec({ givenNames: ['BILLY'] }), { given: 'nickname or name token' }],
  ['first name against the other side’s middle name', rec({ givenNames: ['JOHN', 'PAUL'] }), rec({ givenNames: ['PAUL'] }), { given: 'nickname or name token' }],
  ['address shares most words', base, rec({ addressTokens: ['12', 'TINDER', 'LANE', 'HEADINGLEY', 'LEEDS'] }), { address: 'jaccard >= 0.8' }],
  ['address shares some words', base, rec({ addressTokens: ['12', 'TINDER', 'LANE'] }), { address: 'jaccard >= 0.5' }],
  ['address shares one word', base, rec({ addressTokens: ['4', 'TINDER', 'CLOSE'] }), { address: 'any token shared' }],
  ['address shares nothing', base, rec({ addressTokens: ['7', 'QUARREL', 'STREET'] }), { address: 'else' }],
  [
    'every field missing on one side',
    base,
    { id: 'b', givenNames: [], addressTokens: [] },
    { given: null, surname: null, dob: null, sex: null, postcode: null, address: null },
  ],
  ['sex unknown or other counts as missing', rec({ sex: 'unknown' }), rec({ sex: 'other' }), { sex: null }],
  ['sex on one side only', base, rec({ sex: undefined }), { sex: null }],
  ['a malformed birth date counts as missing', base, rec({ birthDate: '2015-03' }), { dob: null }],
];

describe('compareRecords', () => {
  it.each(CASES)('%s', (_name, a, b, expected) => {
    const want = levels(expected);
    expect(compareRecords(a, b)).toEqual(want);
    expect(compareRecords(b, a)).toEqual(want); // symmetric
  });

  it('never puts twins with different first names at an exact, nickname or close-name level', () => {
    for (const [g1, g2] of [['BRONWEN', 'TAMSIN'], ['OLIVER', 'OLIVIA'], ['ROWAN', 'RUBY']]) {
      const v = compareRecords(rec({ givenNames: [g1!] }), rec({ givenNames: [g2!] }));
      expect(v[GIVEN]).toBeGreaterThan(COMPARISONS[GIVEN]!.levels.indexOf('jaro-winkler >= 0.88'));
      expect([v[SURNAME], v[BIRTH_DATE], v[POSTCODE], v[ADDRESS]]).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('COMPARISONS', () => {
  it('agrees with the vector compareRecords returns: one entry per comparison, each within its levels', () => {
    const vectors = CASES.map(([, a, b]) => compareRecords(a, b));
    for (const v of vectors) {
      expect(v).toHaveLength(COMPARISONS.length);
      v.forEach((level, i) => {
        expect(level).toBeGreaterThanOrEqual(-1);
        expect(level).toBeLessThan(COMPARISONS[i]!.levels.length);
      });
    }
    // every level of every comparison is reached by some case
    COMPARISONS.forEach((c, i) => {
      const reached = new Set(vectors.map((v) => v[i]));
      c.levels.forEach((level, j) => expect(reached.has(j), `${c.name}: ${level}`).toBe(true));
      expect(c.levels.at(-1)).toBe('else');
    });
    expect(COMPARISONS.map((c) => c.name)).toEqual(['givenName', 'surname', 'birthDate', 'sex', 'postcode', 'address']);
    expect([GIVEN, SURNAME, BIRTH_DATE, SEX, POSTCODE, ADDRESS]).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('comparePrepared', () => {
  it('gives the same vector as compareRecords and can fill a reused buffer', () => {
    const out = new Int8Array(COMPARISONS.length);
    for (const [, a, b] of CASES) {
      const pa = prepare(a);
      const pb = prepare(b);
      expect(comparePrepared(pa, pb, out)).toBe(out);
      expect(Array.from(out)).toEqual(compareRecords(a, b));
      expect(comparePrepared(pa, pb)).toEqual(compareRecords(a, b));
    }
  });

  it('returns a fresh array without a buffer', () => {
    const pa = prepare(base);
    expect(comparePrepared(pa, pa)).not.toBe(comparePrepared(pa, pa));
  });
});

describe('areNicknames', () => {
  it('reads the project nickname list, both ways round', () => {
    expect(areNicknames('WILLIAM', 'BILL')).toBe(true);
    expect(areNicknames('BILL', 'WILLIAM')).toBe(true);
    expect(areNicknames('OLIVER', 'OLIVIA')).toBe(false);
  });
});

describe('comparatorFor', () => {
  it('compiles the comparisons a model names, the identifier among them', () => {
    const c = comparatorFor([...COMPARISONS.map((x) => x.name), 'identifier']);
    expect(c.defs.at(-1)).toBe(IDENTIFIER_COMPARISON);
    const level = (x: string | undefined, y: string | undefined) => c.compare(prepare(rec({ identifier: x })), prepare(rec({ identifier: y })), new Array<number>(7))[6];
    expect(level('9990001234', '9990001234')).toBe(0);
    expect(level('9990001234', '9990001243')).toBe(1); // adjacent digits swapped: one edit
    expect(level('9990001234', '9990004321')).toBe(2);
    expect(level('9990001234', undefined)).toBe(-1);
  });

  it('gives the gateway six the same vector as comparePrepared', () => {
    const c = comparatorFor(COMPARISONS.map((x) => x.name));
    for (const [, a, b] of CASES) expect(c.compare(prepare(a), prepare(b), new Array<number>(6))).toEqual(compareRecords(a, b));
  });

  it('refuses a comparison it does not know, naming it and the known ones', () => {
    expect(() => comparatorFor(['givenName', 'shoeSize'])).toThrow(/unknown comparison 'shoeSize'.*givenName, surname/);
  });
});

import { describe, expect, it } from 'vitest';
import type { EncodingOptions, Hardening } from '../../src/matching/pseudonym.js';
import {
  CLK_FIELDS,
  DEFAULT_ENCODING,
  HARDENINGS,
  createPseudonymiser,
  dateTokens,
  nameTokens,
  postcodeTokens,
  pseudonymRecordFromJson,
  pseudonymRecordToJson,
  pseudonymisePerson,
} from '../../src/matching/pseudonym.js';
import type { Person } from '../../src/model/person.js';
import { balance, bitsFromBase64, bitsToBase64, dice, popcount, popcount32, xorFold } from '../../src/matching/pseudonym-bits.js';
import { candidatePairs, defaultDiceBands, preparePseudonym, pseudonymComparator } from '../../src/matching/pseudonym-compare.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { seededRandom } from '../helpers/random.js';

const secret = Buffer.alloc(32, 1);
const otherSecret = Buffer.alloc(32, 2);
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const person: MatchRecord = {
  id: 'r1',
  givenNames: ['JOSEPHINE'],
  family: 'WHITTAKER',
  birthDate: '2015-03-12',
  sex: 'female',
  postcode: 'LS1 4AP',
  addressTokens: ['17', 'BRACKENRIDGE', 'ROAD'],
};
const withHardening = (hardening: Hardening): EncodingOptions => ({ ...DEFAULT_ENCODING, hardening });

describe('keyed pseudonyms of identifiers and blocking keys', () => {
  it('are the same for the same input and key, and different under another key', () => {
    const a = createPseudonymiser(secret);
    const b = createPseudonymiser(secret);
    const c = createPseudonymiser(otherSecret);
    expect(a.identifier(NHS, '9990000018')).toBe(b.identifier(NHS, '9990000018'));
    expect(a.identifier(NHS, '9990000018')).not.toBe(c.identifier(NHS, '9990000018'));
    expect(a.identifier(NHS, '9990000018')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.blockingKey('dob', '2015-03-12')).toBe(b.blockingKey('dob', '2015-03-12'));
    expect(a.blockingKey('dob', '2015-03-12')).not.toBe(c.blockingKey('dob', '2015-03-12'));
    expect(a.record(person).blocking).toEqual(b.record(person).blocking);
    expect(a.encoding).toBe(b.encoding);
    expect(a.encoding).not.toBe(c.encoding);
  });

  it('encode a canonical Person with each of its identifiers under its system', () => {
    const p = createPseudonymiser(secret);
    const child = {
      id: 'person-1',
      identifiers: [
        { system: NHS, value: '9990000018' },
        { system: 'urn:sgw:la-child-id:383', value: 'LC-000123' },
      ],
      names: [{ use: 'official', given: ['Josephine'], family: 'Whittaker' }],
      birthDate: '2015-03-12',
      sex: 'female',
      addresses: [{ lines: ['17 Brackenridge Road'], postcode: 'ls1 4ap' }],
    } as unknown as Person;
    const r = pseudonymisePerson(p, child);
    expect(r.identifiers).toEqual([
      { system: NHS, pseudonym: p.identifier(NHS, '9990000018') },
      { system: 'urn:sgw:la-child-id:383', pseudonym: p.identifier('urn:sgw:la-child-id:383', 'LC-000123') },
    ]);
    expect(r.clk).toEqual(p.record(person).clk);
  });

  it('are namespaced by identifier system and ignore spacing', () => {
    const p = createPseudonymiser(secret);
    expect(p.identifier(NHS, '999 000 0018')).toBe(p.identifier(NHS, '9990000018'));
    expect(p.identifier(NHS, '9990000018')).not.toBe(p.identifier('urn:sgw:la-child-id:383', '9990000018'));
    // a blocking key under one rule never equals the same text under another
    expect(p.blockingKey('dob', 'X')).not.toBe(p.blockingKey('postcode', 'X'));
  });
});

describe('Bloom-filter encodings (CLKs)', () => {
  it('are deterministic under one key and change with the key', () => {
    for (const h of HARDENINGS) {
      const a = createPseudonymiser(secret, withHardening(h)).record(person);
      const b = createPseudonymiser(secret, withHardening(h)).record(person);
      const c = createPseudonymiser(otherSecret, withHardening(h)).record(person);
      for (const f of CLK_FIELDS) {
        expect(a.clk[f]).toEqual(b.clk[f]);
        expect(dice(a.clk[f]!, c.clk[f]!)).toBeLessThan(0.95);
      }
    }
  });

  it('hold no clear text: no name, date, postcode, address word or identifier appears in the output', () => {
    const p = createPseudonymiser(secret);
    const json = JSON.stringify(pseudonymRecordToJson(p.record(person, [{ system: NHS, value: '9990000018' }])));
    for (const clear of ['JOSEPHINE', 'Josephine', 'josephine', 'JOSE', 'WHITTAKER', 'Whittaker', 'WHITT', '2015-03-12', '20150312', '2015', 'LS1 4AP', 'LS14AP', 'BRACKENRIDGE', 'Brackenridge', '9990000018']) {
      expect(json).not.toContain(clear);
    }
  });

  it('score similar names above dissimilar ones, under every hardening', () => {
    for (const h of HARDENINGS) {
      const p = createPseudonymiser(secret, withHardening(h));
      const d = (x: string, y: string) => dice(p.clk('givenName', nameTokens(x)), p.clk('givenName', nameTokens(y)));
      expect(d('JOSEPHINE', 'JOSEPHINE')).toBe(1);
      expect(d('JOSEPHINE', 'JOSPEHINE')).toBeGreaterThan(d('JOSEPHINE', 'MARGARET'));
      expect(d('CATHERINE', 'KATHERINE')).toBeGreaterThan(d('CATHERINE', 'OLIVIA'));
      const dd = (x: string, y: string) => dice(p.clk('birthDate', dateTokens(x)), p.clk('birthDate', dateTokens(y)));
      expect(dd('2015-03-12', '2015-03-13')).toBeGreaterThan(dd('2015-03-12', '1987-11-29'));
      expect(dd('2015-03-12', '2015-12-03')).toBeGreaterThan(dd('2015-03-12', '1987-11-29')); // day and month swapped
      const dp = (x: string, y: string) => dice(p.clk('postcode', postcodeTokens(x)), p.clk('postcode', postcodeTokens(y)));
      expect(dp('LS1 4AP', 'LS1 4AQ')).toBeGreaterThan(dp('LS1 4AP', 'LS2 9JT'));
      expect(dp('LS1 4AP', 'LS2 9JT')).toBeGreaterThan(dp('LS1 4AP', 'SW1A 2AA'));
    }
  });

  it('offer random hashing: other positions than double hashing, the same guarantees', () => {
    const random = createPseudonymiser(secret, { ...DEFAULT_ENCODING, hashing: 'random' });
    const double = createPseudonymiser(secret);
    expect(random.encoding).not.toBe(double.encoding);
    expect(random.clk('givenName', nameTokens('JOSEPHINE'))).toEqual(createPseudonymiser(secret, { ...DEFAULT_ENCODING, hashing: 'random' }).clk('givenName', nameTokens('JOSEPHINE')));
    expect(dice(random.clk('givenName', nameTokens('JOSEPHINE')), double.clk('givenName', nameTokens('JOSEPHINE')))).toBeLessThan(0.95);
    const d = (x: string, y: string) => dice(random.clk('surname', nameTokens(x)), random.clk('surname', nameTokens(y)));
    expect(d('WHITTAKER', 'WHITAKER')).toBeGreaterThan(d('WHITTAKER', 'OKONKWO'));
    expect(popcount(random.clk('surname', nameTokens('WHITTAKER')))).toBe(DEFAULT_ENCODING.length / 2);
  });

  it('set exactly k distinct bits for one token, under many keys and with either hashing', () => {
    const random = seededRandom(11);
    for (let n = 0; n < 50; n++) {
      const key = Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256)));
      for (const hashing of ['double', 'random'] as const) {
        const p = createPseudonymiser(key, { ...DEFAULT_ENCODING, hardening: 'none', hashing });
        for (const token of ['TT', 'JO', ' W']) {
          const bits = popcount(p.clk('surname', [token]));
          if (hashing === 'double') expect(bits).toBe(DEFAULT_ENCODING.bitsPerToken.surname);
          else expect(bits).toBeGreaterThanOrEqual(DEFAULT_ENCODING.bitsPerToken.surname - 2); // independent positions may coincide
        }
      }
    }
  });

  it('have the configured length; balancing sets exactly half the bits', () => {
    for (const h of HARDENINGS) {
      for (const length of [512, 1024, 2048]) {
        const p = createPseudonymiser(secret, { ...withHardening(h), length });
        for (const name of ['AL', 'JOSEPHINE', 'MARY-ANNE ELIZABETH']) {
          const bits = p.clk('givenName', nameTokens(name));
          expect(bits.length * 32).toBe(length);
          if (h === 'balance' || h === 'xor-fold+balance') expect(popcount(bits)).toBe(length / 2);
        }
      }
    }
  });

  it('refuse a short linkage secret and a length that is not a multiple of 64', () => {
    expect(() => createPseudonymiser(Buffer.alloc(16))).toThrow(/at least 32/);
    expect(() => createPseudonymiser(secret, { ...DEFAULT_ENCODING, length: 1000 })).toThrow();
  });

  it('survive a JSON round trip', () => {
    const p = createPseudonymiser(secret);
    const r = p.record(person, [{ system: NHS, value: '9990000018' }]);
    const back = pseudonymRecordFromJson(JSON.parse(JSON.stringify(pseudonymRecordToJson(r))));
    expect(back).toEqual(r);
    expect(() => pseudonymRecordFromJson({ ...pseudonymRecordToJson(r), clk: { givenName: 'AAA' } })).toThrow(/clk.givenName/);
  });
});

describe('bit-array operations', () => {
  const random = seededRandom(7);
  const randomBits = (words: number) => Uint32Array.from({ length: words }, () => Math.floor(random() * 2 ** 32));

  it('count bits like the naive loop', () => {
    for (let n = 0; n < 200; n++) {
      const x = Math.floor(random() * 2 ** 32);
      let naive = 0;
      for (let i = 0; i < 32; i++) naive += (x >>> i) & 1;
      expect(popcount32(x)).toBe(naive);
    }
    expect(popcount32(0xffffffff)).toBe(32);
  });

  it('XOR folding halves the length and each output bit is the XOR of its two halves', () => {
    const bits = randomBits(32);
    const folded = xorFold(bits);
    expect(folded.length).toBe(16);
    for (let i = 0; i < 16; i++) expect(folded[i]).toBe((bits[i]! ^ bits[i + 16]!) >>> 0);
    expect(() => xorFold(new Uint32Array(3))).toThrow();
  });

  it('balancing doubles the length, sets exactly half, and keeps Dice 1 for equal filters', () => {
    const bits = randomBits(8);
    const perm = Uint32Array.from({ length: 512 }, (_, i) => (i * 197) % 512); // 197 is odd: a permutation of 0..511
    const b = balance(bits, perm);
    expect(b.length).toBe(16);
    expect(popcount(b)).toBe(256);
    expect(dice(b, balance(bits, perm))).toBe(1);
    expect(popcount(balance(new Uint32Array(8), perm))).toBe(256);
  });

  it('Dice is 1 for equal filters, 0 for disjoint ones and refuses different lengths', () => {
    const a = Uint32Array.of(0b1111, 0);
    expect(dice(a, a)).toBe(1);
    expect(dice(a, Uint32Array.of(0b110000, 0))).toBe(0);
    expect(dice(a, Uint32Array.of(0b0011, 0))).toBeCloseTo(4 / 6);
    expect(() => dice(a, new Uint32Array(3))).toThrow(/bits/);
    expect(bitsFromBase64(bitsToBase64(a))).toEqual(a);
  });
});

describe('comparing pseudonymised records', () => {
  const p = createPseudonymiser(secret);
  const comparator = pseudonymComparator(defaultDiceBands(DEFAULT_ENCODING.hardening));
  const level = (v: number[], name: string) => v[comparator.comparisons.findIndex((c) => c.name === name)];
  const enc = (r: MatchRecord, ids: { system: string; value: string }[] = []) => preparePseudonym(p.record(r, ids));

  it('puts the same person at the top level of every comparison', () => {
    const v = comparator.compare(enc(person, [{ system: NHS, value: '9990000018' }]), enc({ ...person, id: 'r2' }, [{ system: NHS, value: '999 000 0018' }]));
    expect(v).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(v).toHaveLength(comparator.comparisons.length);
  });

  it('sees a forename/surname swap, a missing field as null, and a different identifier as else', () => {
    const swapped = { ...person, id: 'r3', givenNames: ['WHITTAKER'], family: 'JOSEPHINE', postcode: undefined };
    const v = comparator.compare(enc(person, [{ system: NHS, value: '9990000018' }]), enc(swapped, [{ system: NHS, value: '9990000026' }]));
    expect(comparator.comparisons[2]!.levels[level(v, 'surname')!]).toBe('forename and surname swapped');
    expect(level(v, 'postcode')).toBe(-1);
    expect(level(v, 'identifier')).toBe(1);
  });

  it('refuses to compare records from different encodings', () => {
    const other = preparePseudonym(createPseudonymiser(otherSecret).record(person));
    expect(() => comparator.compare(enc(person), other)).toThrow(/different encodings/);
  });

  it('finds candidate pairs through shared blocking pseudonyms only', () => {
    const left = [p.record(person), p.record({ id: 'r9', givenNames: ['ZED'], family: 'QUIN', birthDate: '1970-01-01', postcode: 'SW1A 2AA', addressTokens: ['2', 'MILL', 'LANE'] })];
    const right = [p.record({ ...person, id: 'x1', givenNames: ['JOSEPHNE'] })];
    expect(candidatePairs(left, right)).toEqual([[0, 0]]);
    expect(candidatePairs([...left, ...right])).toEqual([[0, 2]]);
  });
});

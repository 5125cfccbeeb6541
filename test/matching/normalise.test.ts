import { describe, expect, it } from 'vitest';
import { addressTokens, FEBRL_COLUMNS, matchRecordFromRow, normaliseDate, normaliseName, normalisePostcode, toMatchRecord } from '../../src/matching/normalise.js';
import { normaliseIdentifier, normaliseSex } from '../../src/matching/normalise.js';
import type { Person } from '../../src/model/person.js';

describe('normaliseName', () => {
  it.each([
    ['Zoë', 'ZOE'],
    ['Éloïse Ñúñez', 'ELOISE NUNEZ'],
    ['Søren Łapczyk', 'SOREN LAPCZYK'],
    ["o'Quillan", 'OQUILLAN'],
    ['O’Quillan', 'OQUILLAN'],
    ['  Tamsin   Rowe. ', 'TAMSIN ROWE'],
    ['Dorn, Elspeth', 'DORN ELSPETH'],
  ])('%j → %j (upper case, accents stripped, punctuation dropped, spaces collapsed)', (raw, expected) => {
    expect(normaliseName(raw)).toBe(expected);
  });

  it('keeps the hyphen inside a hyphenated name and joins spaced or dashed ones', () => {
    expect(normaliseName('mary-jane')).toBe('MARY-JANE');
    expect(normaliseName('Fenwick - Oddleigh')).toBe('FENWICK-ODDLEIGH');
    expect(normaliseName('Fenwick–Oddleigh')).toBe('FENWICK-ODDLEIGH'); // en dash
  });

  it('drops a leading, trailing or lone hyphen', () => {
    expect(normaliseName('-Briony-')).toBe('BRIONY');
    expect(normaliseName(' - ')).toBe('');
  });
});

describe('normalisePostcode', () => {
  it.each([
    ['ls11aa', 'LS1 1AA'],
    ['LS1  1AA', 'LS1 1AA'],
    [' sw1a1aa ', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
    ['b338th', 'B33 8TH'],
    ['cr2 6xh', 'CR2 6XH'],
    ['dn55 1pt', 'DN55 1PT'],
    ['W1A-0AX', 'W1A 0AX'],
    ['gir0aa', 'GIR 0AA'],
  ])('puts UK postcode %j in standard form %j', (raw, expected) => {
    expect(normalisePostcode(raw)).toBe(expected);
  });

  it('leaves a non-UK postcode as it is, upper case', () => {
    expect(normalisePostcode('4223')).toBe('4223');
    expect(normalisePostcode(' ab 12 ')).toBe('AB 12');
  });

  it('is undefined when empty', () => {
    expect(normalisePostcode('')).toBeUndefined();
    expect(normalisePostcode('  ')).toBeUndefined();
    expect(normalisePostcode(undefined)).toBeUndefined();
  });
});

describe('addressTokens', () => {
  it('splits on spaces and commas, drops empties and punctuation', () => {
    expect(addressTokens(['Flat 2, 14 Wickham Row,', '', undefined, 'Stoke-on-Trent'])).toEqual(['FLAT', '2', '14', 'WICKHAM', 'ROW', 'STOKE', 'ON', 'TRENT']);
  });
});

describe('normaliseDate', () => {
  it('accepts real dates in either format', () => {
    expect(normaliseDate('2016-02-29')).toBe('2016-02-29');
    expect(normaliseDate('20160229', 'YYYYMMDD')).toBe('2016-02-29');
    expect(normaliseDate(' 19991231 ', 'YYYYMMDD')).toBe('1999-12-31');
  });

  it.each([
    ['2015-02-29', 'YYYY-MM-DD'],
    ['19991301', 'YYYYMMDD'],
    ['19990431', 'YYYYMMDD'],
    ['19990400', 'YYYYMMDD'],
    ['1900-02-29', 'YYYY-MM-DD'],
    ['', 'YYYYMMDD'],
    ['1999-04-01', 'YYYYMMDD'],
    ['unknown', 'YYYY-MM-DD'],
  ] as const)('makes %j (%s) undefined, not an error', (raw, format) => {
    expect(normaliseDate(raw, format)).toBeUndefined();
  });
});

describe('toMatchRecord', () => {
  const person = {
    id: 'p1',
    identifiers: [{ system: 'https://example.org/la', value: '1' }],
    names: [
      { use: 'usual', given: ['Bee'], family: 'Quenby' },
      { use: 'official', given: ['Beátrix', 'anne-marie'], family: "D'Arbley-Quenby" },
    ],
    birthDate: '2014-06-09',
    sex: 'female',
    addresses: [
      { lines: ['Flat 3, Larkspur House', '7 Tinder Lane'], city: 'Leeds', postcode: 'ls6 2ab' },
      { lines: ['1 Other Road'], postcode: 'LS7 1AA' },
    ],
    owner: 'la',
    provenance: {},
    securityLabel: 'N',
  } as unknown as Person;

  it('takes the official name, the birth date, the sex and the first address', () => {
    expect(toMatchRecord(person)).toEqual({
      id: 'p1',
      givenNames: ['BEATRIX', 'ANNE-MARIE'],
      family: 'DARBLEY-QUENBY',
      birthDate: '2014-06-09',
      sex: 'female',
      postcode: 'LS6 2AB',
      addressTokens: ['FLAT', '3', 'LARKSPUR', 'HOUSE', '7', 'TINDER', 'LANE'],
    });
  });

  it('falls back to the first name and leaves absent fields undefined', () => {
    const bare = { ...person, names: [{ given: ['Corin'] }], birthDate: undefined, sex: undefined, addresses: [] } as unknown as Person;
    expect(toMatchRecord(bare)).toEqual({
      id: 'p1',
      givenNames: ['CORIN'],
      family: undefined,
      birthDate: undefined,
      sex: undefined,
      postcode: undefined,
      addressTokens: [],
    });
  });
});

describe('matchRecordFromRow', () => {
  it('reads a FEBRL row', () => {
    const row = {
      rec_id: 'rec-17-org',
      given_name: 'jorvik',
      surname: 'tennant-bly',
      street_number: '42',
      address_1: 'quarrel street',
      address_2: 'larch glen',
      suburb: 'east wimbly',
      postcode: '2617',
      state: 'act',
      date_of_birth: '19870314',
      soc_sec_id: '1234567',
    };
    expect(matchRecordFromRow(row, FEBRL_COLUMNS)).toEqual({
      id: 'rec-17-org',
      givenNames: ['JORVIK'],
      family: 'TENNANT-BLY',
      birthDate: '1987-03-14',
      postcode: '2617',
      addressTokens: ['42', 'QUARREL', 'STREET', 'LARCH', 'GLEN', 'EAST', 'WIMBLY'],
    });
  });

  it('makes a bad date, blank cells and missing columns absent fields', () => {
    const row = { rec_id: 'rec-18-dup-0', given_name: '', surname: ' ', date_of_birth: '19870230', postcode: '' };
    expect(matchRecordFromRow(row, FEBRL_COLUMNS)).toEqual({
      id: 'rec-18-dup-0',
      givenNames: [],
      family: undefined,
      birthDate: undefined,
      postcode: undefined,
      addressTokens: [],
    });
  });

  it('splits a given-names cell into names, keeping a hyphenated name whole', () => {
    const r = matchRecordFromRow({ id: '1', forenames: 'Ruaridh  Mary-Jane', dob: '2011-01-05' }, { id: 'id', given: 'forenames', birthDate: 'dob' });
    expect(r.givenNames).toEqual(['RUARIDH', 'MARY-JANE']);
    expect(r.birthDate).toBe('2011-01-05');
  });
});

describe('normaliseSex and normaliseIdentifier', () => {
  it('reads M/F/male/female in any case; anything else is no evidence', () => {
    expect([' M', 'f', 'Male', 'FEMALE'].map(normaliseSex)).toEqual(['male', 'female', 'male', 'female']);
    expect(['', 'unknown', 'female | male', 't2227949953', undefined].map(normaliseSex)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('keeps letters and digits of an identifier, upper case', () => {
    expect(normaliseIdentifier('999 000 1234')).toBe('9990001234');
    expect(normaliseIdentifier(' - ')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { householdKey, personHouseholdKey } from '../../src/matching/household.js';

describe('householdKey', () => {
  it('uses the UPRN where given, whatever the lines say', () => {
    expect(householdKey({ lines: ['Flat 2', '12 Sample Road'], postcode: 'LS6 2AB', uprn: '000100012345' })).toEqual({ key: 'uprn|100012345', basis: 'uprn' });
  });

  it('otherwise the postcode in standard form with the house and flat numbers', () => {
    expect(householdKey({ lines: ['Flat 2', '12 Sample Road'], postcode: 'ls62ab' })).toEqual({ key: 'address|LS6 2AB|2 12', basis: 'address' });
    expect(householdKey({ lines: ['12 Sample Rd'], postcode: 'LS6 2AB' })?.key).toBe(householdKey({ lines: ['12, Sample Road'], postcode: 'LS6  2AB' })?.key);
  });

  it('tells flats and numbered houses in one postcode apart', () => {
    const keys = [['Flat 2, 12 Sample Road'], ['Flat 3, 12 Sample Road'], ['12A Sample Road'], ['12 Sample Road']].map((lines) => householdKey({ lines, postcode: 'LS6 2AB' })?.key);
    expect(new Set(keys).size).toBe(4);
  });

  it('uses a named house’s name when it has no number', () => {
    expect(householdKey({ lines: ['Rose Cottage', 'Mill Lane'], postcode: 'YO1 7AA' })?.key).toBe('address|YO1 7AA|ROSE COTTAGE');
  });

  it('has no household without a postcode or UPRN, or without lines', () => {
    expect(householdKey({ lines: ['12 Sample Road'] })).toBeNull();
    expect(householdKey({ lines: [], postcode: 'LS6 2AB' })).toBeNull();
    expect(householdKey(undefined)).toBeNull();
  });

  it('takes a person’s current address, not one that has ended', () => {
    const person = {
      addresses: [
        { lines: ['1 Old Street'], postcode: 'LS1 1AA', period: { end: '2025-01-01' } },
        { lines: ['2 New Street'], postcode: 'LS2 2BB' },
      ],
    };
    expect(personHouseholdKey(person)?.key).toBe('address|LS2 2BB|2');
  });
});

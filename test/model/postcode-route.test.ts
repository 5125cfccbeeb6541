import { describe, expect, it } from 'vitest';
import { fullPostcode, lookupKeys, routeKey } from '../../src/model/postcode-route.js';

describe('postcode routing keys', () => {
  it('puts full postcodes in standard form and refuses what is not one', () => {
    expect(fullPostcode(' ls1  4ap ')).toBe('LS1 4AP');
    expect(fullPostcode('EC2Y8AA')).toBe('EC2Y 8AA');
    expect(fullPostcode('LS1 4A')).toBeUndefined();
    expect(fullPostcode('2000')).toBeUndefined();
  });

  it('tells a postcode, a sector and a district apart (LS14 is a district, LS1 4 a sector)', () => {
    expect(routeKey('ls1 4ap')).toEqual({ key: 'LS1 4AP', granularity: 'postcode' });
    expect(routeKey('ls1  4')).toEqual({ key: 'LS1 4', granularity: 'sector' });
    expect(routeKey('LS14')).toEqual({ key: 'LS14', granularity: 'district' });
    expect(routeKey('ec1a')).toEqual({ key: 'EC1A', granularity: 'district' });
    expect(routeKey('LS')).toBeUndefined();
    expect(routeKey('LS1 4A')).toBeUndefined();
  });

  it('looks a postcode up by itself, then its sector, then its district', () => {
    expect(lookupKeys('ls14ap')).toEqual(['LS1 4AP', 'LS1 4', 'LS1']);
    expect(lookupKeys('LS1 4')).toEqual(['LS1 4', 'LS1']);
    expect(lookupKeys('LS1')).toEqual(['LS1']);
    expect(lookupKeys('nowhere')).toEqual([]);
  });
});

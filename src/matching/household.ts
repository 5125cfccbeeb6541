/**
 * The household key of an address: the UPRN where one is given (the Ordnance Survey's
 * unique property reference names one dwelling), else the postcode with the tokens that
 * tell dwellings apart inside it: house and flat numbers ('FLAT 2, 12 SAMPLE ROAD' →
 * '2 12'), or, for a house with a name and no number, the words of that name. Without a
 * postcode or UPRN there is no household: a street name alone is not one dwelling.
 */
import type { Person } from '../model/person.js';
import { addressTokens, normalisePostcode } from './normalise.js';

export interface HouseholdKey {
  key: string;
  basis: 'uprn' | 'address';
}

type Address = Person['addresses'][number];

const HAS_DIGIT = /\d/;

export function householdKey(address: Address | undefined): HouseholdKey | null {
  if (!address) return null;
  if (address.uprn) return { key: `uprn|${address.uprn.replace(/^0+/, '')}`, basis: 'uprn' };
  const postcode = normalisePostcode(address.postcode);
  if (!postcode) return null;
  const [first = ''] = address.lines;
  const lineTokens = addressTokens(address.lines);
  const numbers = lineTokens.filter((t) => HAS_DIGIT.test(t));
  const dwelling = numbers.length > 0 ? numbers : addressTokens([first]);
  if (dwelling.length === 0) return null;
  return { key: `address|${postcode}|${dwelling.join(' ')}`, basis: 'address' };
}

/** The household key of a person's current address: the first without an end date. */
export function personHouseholdKey(person: Pick<Person, 'addresses'>): HouseholdKey | null {
  return householdKey(person.addresses.find((a) => a.period?.end === undefined));
}

/**
 * Keys of the postcode routing table: a full postcode, a postcode sector or a postcode
 * district (outward code), each in standard form (upper case, one space before the
 * inward code), so a lookup can fall back from the full postcode to coarser rows.
 */
import { normalisePostcode } from '../matching/normalise.js';

/** How much of a postcode a routing row covers. */
export type RouteGranularity = 'postcode' | 'sector' | 'district';

/** A routing key in standard form and what it covers. */
export interface RouteKey {
  key: string;
  granularity: RouteGranularity;
}

const OUTWARD = '[A-Z]{1,2}[0-9][A-Z0-9]?';
const FULL_RE = new RegExp(`^${OUTWARD} [0-9][A-Z]{2}$`);
const SECTOR_RE = new RegExp(`^${OUTWARD} [0-9]$`);
const DISTRICT_RE = new RegExp(`^${OUTWARD}$`);

/**
 * A full UK postcode in standard form ('ls11aa' → 'LS1 1AA'), or undefined when the text
 * is not one. Uses the matching normaliser so routing and the person index agree.
 */
export function fullPostcode(text: string): string | undefined {
  const p = normalisePostcode(text);
  return p !== undefined && (FULL_RE.test(p) || p === 'GIR 0AA') ? p : undefined;
}

/**
 * A routing key from a routing file: a full postcode, a sector ('LS1 1': the space is
 * needed, since 'LS11' is a district) or a district ('LS1'). Undefined when it is none.
 */
export function routeKey(text: string): RouteKey | undefined {
  const full = fullPostcode(text);
  if (full) return { key: full, granularity: 'postcode' };
  const spaced = text.toUpperCase().replace(/\s+/g, ' ').trim();
  if (SECTOR_RE.test(spaced)) return { key: spaced, granularity: 'sector' };
  if (DISTRICT_RE.test(spaced)) return { key: spaced, granularity: 'district' };
  return undefined;
}

/**
 * The keys a postcode may be routed by, most specific first: the postcode, its sector
 * and its district ('LS1 1AA' → 'LS1 1AA', 'LS1 1', 'LS1'). Empty when it is not a full
 * postcode; a bare district or sector asks only for itself and what contains it.
 */
export function lookupKeys(text: string): string[] {
  const full = fullPostcode(text);
  if (full) {
    const [outward = '', inward = ''] = full.split(' ');
    return [full, `${outward} ${inward.slice(0, 1)}`, outward];
  }
  const partial = routeKey(text);
  if (partial?.granularity === 'sector') return [partial.key, partial.key.split(' ')[0] ?? ''];
  return partial ? [partial.key] : [];
}

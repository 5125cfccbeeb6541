/**
 * The shapes the person matcher works on. A MatchRecord is a person reduced to what
 * matching compares, already normalised (upper case, no punctuation, ISO dates, UK
 * postcodes in standard form). Comparisons turn a pair of records into a comparison
 * vector: one level index per comparison, the first level whose condition holds, or -1
 * when either side lacks the field (no evidence either way).
 */
export interface MatchRecord {
  id: string;
  /** Given names in order; a double-barrelled or hyphenated name is one entry ('MARY-JANE'). */
  givenNames: string[];
  family?: string | undefined;
  /** YYYY-MM-DD. */
  birthDate?: string | undefined;
  sex?: 'male' | 'female' | 'other' | 'unknown' | undefined;
  /** Standard UK form, e.g. 'LS1 1AA'. */
  postcode?: string | undefined;
  /** Address words other than the postcode, normalised (house number, street, locality). */
  addressTokens: string[];
  /**
   * A person identifier compared by the optional 'identifier' comparison (exact / one edit /
   * else): in the benchmarks FEBRL's soc_sec_id, standing in for an NHS number. Digits and
   * letters only, upper case. The gateway's six comparisons do not read it.
   */
  identifier?: string | undefined;
}

/** One comparison (given name, date of birth…) and its ordered levels, best evidence first; the last is 'else'. */
export interface ComparisonDef {
  name: string;
  levels: readonly string[];
}

/** Level index per comparison, in the order of the comparison definitions; -1 = null. */
export type ComparisonVector = readonly number[] | Int8Array;

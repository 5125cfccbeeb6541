// Local, minimal typing of the three talisman modules (CommonJS, untyped) the matcher
// uses. Each module's `module.exports` is the function itself, so a default import works.
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, boost threshold 0.7); 1 when a === b. */
  export default function jaroWinkler(a: string, b: string): number;
}

declare module 'talisman/metrics/damerau-levenshtein.js' {
  interface DamerauLevenshtein {
    /** Damerau-Levenshtein distance between a and b. */
    (a: string, b: string): number;
    /** The distance, or Infinity as soon as it is known to exceed max. */
    limited(max: number, a: string, b: string): number;
  }
  const damerauLevenshtein: DamerauLevenshtein;
  export default damerauLevenshtein;
}

declare module 'talisman/phonetics/double-metaphone.js' {
  /** [primary, alternate] Double Metaphone codes; both '' for a word with no letters. */
  export default function doubleMetaphone(word: string): [string, string];
}

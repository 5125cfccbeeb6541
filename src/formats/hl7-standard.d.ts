// Local, minimal typing of the parts of `hl7-standard` (CommonJS, untyped) the HL7 v2
// reader uses. hl7-standard's option names are inverted relative to HL7 terms:
// `subComponents` is the repetition separator (default '~') and `repeatingFields` the
// subcomponent separator (default '&'). The field ('|') and component ('^') separators
// are fixed, and escape sequences are left as they are.
declare module 'hl7-standard' {
  /**
   * One field as transformed: a plain string; an array of strings (the field holds only
   * subcomponents of its first component); an object of components keyed `SEG.n.k`, each
   * a string or an array of subcomponents; or an array of such objects (the field repeats).
   */
  export type Hl7StandardComponents = Record<string, string | string[]>;
  export type Hl7StandardField = string | string[] | Hl7StandardComponents | Hl7StandardComponents[];

  export interface Hl7StandardSegment {
    type: string;
    /** Position of the segment among the message's lines (0-based). */
    index: number;
    /** Fields keyed `SEG.n` (`MSH.2` onwards for MSH), in field order. */
    data: Record<string, Hl7StandardField>;
  }

  export interface Hl7StandardOptions {
    /** The repetition separator (default '~'). */
    subComponents?: string;
    /** The subcomponent separator (default '&'). */
    repeatingFields?: string;
    lineEndings?: string;
  }

  export default class HL7 {
    constructor(data?: string, opts?: Hl7StandardOptions);
    /** Segments by id, each id's occurrences in message order; filled by transform(). */
    transformed: Record<string, Hl7StandardSegment[]>;
    /** Parses `data`; throws (when no callback is given) on text that is not HL7. */
    transform(cb?: (err: Error | null, result: unknown) => unknown, batch?: boolean): void;
  }
}

import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { Provenance } from '../model/provenance.js';

/** The wire formats `POST /ingest` reads. The same names label provenance. */
export type WireFormat = Exclude<Provenance['format'], 'config' | 'police-json' | 'police-xml'>;

/** Every format a reader parses: the ingest formats and the XML form of a police notification (`POST /notifications` only). */
export type SourceFormat = WireFormat | 'police-xml';

/**
 * What a reader gives back: the message as a plain JSON tree (no classes, no prototypes
 * beyond Object), plus what the envelope says about the message. Readers know syntax,
 * never business rules.
 */
export interface ParsedMessage<T = unknown> {
  format: WireFormat;
  tree: T;
  /** The sender's message id (MSH-10, Bundle.id, CIN SerialNo…), when there is one. */
  messageId?: string | undefined;
  /** Problems that do not stop reading (for example an empty FHIR element skipped). */
  warnings: GatewayIssue[];
}

/**
 * The error every reader throws when the bytes are not a well-formed message of its
 * format: 400 GW_ERR_MALFORMED_BODY, with one issue per problem, each naming where
 * (line/segment/element path) and what was expected.
 */
export function malformed(format: SourceFormat, issues: GatewayIssue[] | string, expression?: string): GatewayError {
  if (typeof issues === 'string') {
    return new GatewayError('GW_ERR_MALFORMED_BODY', `${format}: ${issues}`, expression ? { expression } : {});
  }
  const summary = issues.map((i) => (i.expression?.length ? `${i.expression.join(', ')}: ${i.diagnostics}` : i.diagnostics)).join('; ');
  return new GatewayError('GW_ERR_MALFORMED_BODY', `${format}: ${summary}`, { issues });
}

/**
 * Decodes bytes as UTF-8, refusing invalid sequences rather than replacing them, and
 * refusing a NUL character: no text format the gateway reads carries one, and PostgreSQL
 * cannot store one (let through, it failed the commit with a 503).
 */
export function decodeUtf8(format: SourceFormat, bytes: Uint8Array | string): string {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw malformed(format, 'the body is not valid UTF-8; send the message encoded as UTF-8');
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw malformed(format, `the body holds a NUL character (U+0000) at character ${nul + 1}; send text only`, 'body');
  return text;
}

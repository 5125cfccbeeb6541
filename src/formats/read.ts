import { readCinCensus } from './cin-census.js';
import { readCpisCsv } from './cpis-csv.js';
import { readFhirJson, readFhirXml, sniffFhirFormat } from './fhir.js';
import { readHl7v2, splitHl7Messages } from './hl7v2.js';
import { readSsda903Csv, readSsda903Xml } from './ssda903.js';
import type { ParsedMessage, WireFormat } from './types.js';
import { decodeUtf8, malformed } from './types.js';

export const WIRE_FORMATS: readonly WireFormat[] = ['fhir-r4-json', 'fhir-r4-xml', 'hl7v2', 'cin-census-xml', 'ssda903-csv', 'ssda903-xml', 'cpis-csv'];

/** Short names accepted by `?format=` and `--format`, besides the full format names. */
const ALIASES: Readonly<Record<string, WireFormat>> = {
  fhir: 'fhir-r4-json',
  'fhir-json': 'fhir-r4-json',
  'fhir-xml': 'fhir-r4-xml',
  hl7: 'hl7v2',
  'hl7-v2': 'hl7v2',
  adt: 'hl7v2',
  cin: 'cin-census-xml',
  'cin-census': 'cin-census-xml',
  ssda903: 'ssda903-csv',
  '903': 'ssda903-csv',
  cpis: 'cpis-csv',
  'cpis-upload': 'cpis-csv',
};

export function formatFromName(name: string): WireFormat | undefined {
  const n = name.trim().toLowerCase();
  return (WIRE_FORMATS as readonly string[]).includes(n) ? (n as WireFormat) : ALIASES[n];
}

/** Media types that name one format. Generic XML and CSV need `?format=` or sniffing. */
const MEDIA_TYPES: Readonly<Record<string, WireFormat>> = {
  'application/fhir+json': 'fhir-r4-json',
  'application/fhir+xml': 'fhir-r4-xml',
  'application/hl7-v2': 'hl7v2',
  'x-application/hl7-v2+er7': 'hl7v2',
};

/**
 * Decides a body's format: `?format=` when given, else the content type, else a look at
 * the first bytes (MSH for HL7 v2, a CIN `<Message>`, an SSDA903 `<EXPSSDA903>`, FHIR).
 * Undefined when nothing says.
 */
export function detectFormat(bytes: Uint8Array | string, contentType: string | undefined, formatParam?: string): WireFormat | undefined {
  if (formatParam) return formatFromName(formatParam);
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  if (media && MEDIA_TYPES[media]) return MEDIA_TYPES[media];
  const head = (typeof bytes === 'string' ? bytes.slice(0, 2048) : Buffer.from(bytes.subarray(0, 2048)).toString('utf8')).replace(/^\uFEFF/, '').replace(/^[\s\v]+/, '');
  if (head.startsWith('MSH') || head.startsWith('FHS') || head.startsWith('BHS')) return 'hl7v2';
  if (head.startsWith('<')) {
    if (/<Message[\s>]/.test(head) && /<(Children|Header|CollectionDetails)[\s>]/.test(head)) return 'cin-census-xml';
    if (/<EXPSSDA903[\s>]/.test(head)) return 'ssda903-xml';
    if (/xmlns="http:\/\/hl7\.org\/fhir"/.test(head)) return 'fhir-r4-xml';
  }
  if (head.startsWith('{')) return sniffFhirFormat(undefined, head);
  if (/^nhs_number\s*,/i.test(head)) return 'cpis-csv';
  if (/^CHILD\s*,|,\s*CHILD\s*,/.test(head.split(/\r?\n/)[0] ?? '')) return 'ssda903-csv';
  return undefined;
}

/**
 * Reads a body into one or more messages (an HL7 v2 batch holds several; every other
 * format holds one). Throws 400 GW_ERR_MALFORMED_BODY naming what is wrong.
 */
export async function readMessages(format: WireFormat, bytes: Uint8Array | string): Promise<ParsedMessage[]> {
  switch (format) {
    case 'fhir-r4-json':
      return [readFhirJson(bytes)];
    case 'fhir-r4-xml':
      return [await readFhirXml(bytes)];
    case 'hl7v2': {
      const text = decodeUtf8('hl7v2', bytes);
      const messages = splitHl7Messages(text);
      if (messages.length === 0) throw malformed('hl7v2', 'the body holds no HL7 v2 message (expected a first segment MSH)');
      return messages.map((m) => readHl7v2(m));
    }
    case 'cin-census-xml':
      return [await readCinCensus(bytes)];
    case 'ssda903-csv':
      return [readSsda903Csv(bytes)];
    case 'ssda903-xml':
      return [await readSsda903Xml(bytes)];
    case 'cpis-csv':
      return [readCpisCsv(bytes)];
  }
}

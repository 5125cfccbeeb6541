/**
 * Property-based hostile input (fast-check): random bytes and mutated valid samples
 * (truncation, byte flips, inserted and deleted bytes, swapped delimiters, repeated slices)
 * for every reader in src/formats and for the HTTP endpoints that take a body.
 *
 * Runs per property: SGW_FUZZ_RUNS for a reader (default 300), a fifteenth of that, at
 * least 20, for an HTTP endpoint (each run is a request and two database reads). The seed
 * is SGW_FUZZ_SEED (default fixed, so CI is repeatable; a failure prints the seed and the
 * path that reproduce it).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readCinCensus } from '../../src/formats/cin-census.js';
import { readCpisCsv } from '../../src/formats/cpis-csv.js';
import { readFhirJson, readFhirXml } from '../../src/formats/fhir.js';
import { readPoliceNotificationXml } from '../../src/formats/police-notification-xml.js';
import { detectFormat, readMessages } from '../../src/formats/read.js';
import { readSsda903Csv, readSsda903Xml } from '../../src/formats/ssda903.js';
import { loadMappingRegistry } from '../../src/mapping/registry.js';
import { readSubmission } from '../../src/services/police-notifications.js';
import type { HostileCase, TokenName } from './harness.js';
import { CARE_TEAM_JSON, FHIR_XML_CONSENT, PLAN_BUNDLE_JSON, POLICE_XML, policeJson, SAMPLES } from './payloads.js';

export const READER_RUNS = Number(process.env.SGW_FUZZ_RUNS ?? 300);
export const HTTP_RUNS = Math.max(20, Math.round(READER_RUNS / 15));
export const FUZZ_SEED = Number(process.env.SGW_FUZZ_SEED ?? 20261207);

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** One change to a valid sample. Positions are taken modulo the length at the time. */
type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'swap'; from: number; to: number }
  | { kind: 'repeat'; at: number; len: number; times: number };

function mutation(delimiters: string): fc.Arbitrary<Mutation> {
  const d = fc.integer({ min: 0, max: delimiters.length - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('swap' as const), from: d, to: d }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 60 }), times: fc.integer({ min: 2, max: 200 }) }),
  );
}

function apply(sample: Uint8Array, m: Mutation, delimiters: string): Uint8Array {
  const b = Buffer.from(sample);
  const at = (n: number) => (b.length === 0 ? 0 : n % b.length);
  switch (m.kind) {
    case 'truncate':
      return b.subarray(0, at(m.at));
    case 'flip': {
      if (b.length > 0) b[at(m.at)] = b[at(m.at)]! ^ m.mask;
      return b;
    }
    case 'insert':
      return Buffer.concat([b.subarray(0, at(m.at)), m.bytes, b.subarray(at(m.at))]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at(m.at)), b.subarray(at(m.at) + m.len)]);
    case 'swap': {
      // Every occurrence of one delimiter becomes another: a sender with the wrong separators.
      const from = delimiters.charCodeAt(m.from);
      const to = delimiters.charCodeAt(m.to);
      return b.map((x) => (x === from ? to : x));
    }
    case 'repeat': {
      const s = at(m.at);
      const slice = b.subarray(s, s + m.len);
      return Buffer.concat([b.subarray(0, s), ...Array.from({ length: m.times }, () => slice), b.subarray(s)]);
    }
  }
}

/** A valid sample changed by one to four mutations. */
export function mutated(sample: string, delimiters: string): fc.Arbitrary<Uint8Array> {
  const bytes = enc(sample);
  return fc.array(mutation(delimiters), { minLength: 1, maxLength: 4 }).map((ms) => ms.reduce<Uint8Array>((acc, m) => apply(acc, m, delimiters), bytes));
}

/** Random bytes, and random text (which is valid UTF-8 and so reaches the parsers proper). */
export const randomInput: fc.Arbitrary<Uint8Array> = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ unit: 'binary', maxLength: 1024 }).map(enc));

export interface ReaderSpec {
  name: string;
  read: (bytes: Uint8Array) => unknown;
  sample: string;
  delimiters: string;
}

const HL7_DELIMS = '|^~\\&\r\n';
const XML_DELIMS = '<>/="\'&;! ';
const CSV_DELIMS = ',;"\r\n\t=';
const JSON_DELIMS = '{}[]":,\\';

const registry = loadMappingRegistry();

export const READERS: ReaderSpec[] = [
  { name: 'FHIR R4 JSON', read: readFhirJson, sample: PLAN_BUNDLE_JSON, delimiters: JSON_DELIMS },
  { name: 'FHIR R4 XML', read: readFhirXml, sample: FHIR_XML_CONSENT, delimiters: XML_DELIMS },
  { name: 'HL7 v2 (batch split and read)', read: (b) => readMessages('hl7v2', b), sample: SAMPLES.hl7v2.body, delimiters: HL7_DELIMS },
  { name: 'CIN census XML', read: readCinCensus, sample: SAMPLES['cin-census-xml'].body, delimiters: XML_DELIMS },
  { name: 'SSDA903 CSV', read: (b) => readSsda903Csv(b), sample: SAMPLES['ssda903-csv'].body, delimiters: CSV_DELIMS },
  { name: 'SSDA903 XML', read: readSsda903Xml, sample: SAMPLES['ssda903-xml'].body, delimiters: XML_DELIMS },
  { name: 'CP-IS CSV', read: (b) => readCpisCsv(b), sample: SAMPLES['cpis-csv'].body, delimiters: CSV_DELIMS },
  { name: 'police notification XML (read and mapped)', read: (b) => readSubmission(registry, Buffer.from(b), 'xml'), sample: POLICE_XML, delimiters: XML_DELIMS },
  { name: 'police notification XML (reader only)', read: readPoliceNotificationXml, sample: POLICE_XML, delimiters: XML_DELIMS },
  { name: 'police notification JSON', read: (b) => readSubmission(registry, Buffer.from(b), 'json'), sample: JSON.stringify(policeJson()), delimiters: JSON_DELIMS },
  {
    name: 'format detection',
    read: (b) => {
      for (const ct of [undefined, 'application/xml', 'text/csv', 'application/fhir+json']) detectFormat(b, ct);
      return {};
    },
    sample: SAMPLES.hl7v2.body,
    delimiters: HL7_DELIMS,
  },
];

/**
 * The reader property: a valid parse (an object) or a typed refusal (a GatewayError with a
 * 4xx status and at least one issue), never anything else thrown; and no prototype touched.
 * Returns whether the input was refused.
 */
export async function judgeReader(read: (bytes: Uint8Array) => unknown, bytes: Uint8Array, tally: { cases: number; crashes: number }): Promise<void> {
  tally.cases++;
  try {
    const out = await read(bytes);
    expect(out).toBeTypeOf('object');
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status >= 500) tally.crashes++;
    expect(err, `a reader threw something other than a 4xx GatewayError: ${String(err)}`).toBeInstanceOf(GatewayError);
    const g = err as GatewayError;
    expect(g.status).toBeGreaterThanOrEqual(400);
    expect(g.status).toBeLessThan(500);
    expect(g.issues.length).toBeGreaterThan(0);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** HTTP targets: a valid body, where it goes, and what breaks it. */
export const HTTP_TARGETS: { name: string; path: string; as: TokenName; contentType: string; sample: string; delimiters: string }[] = [
  { name: 'POST /ingest HL7 v2', path: '/ingest', as: 'hospital', contentType: 'application/hl7-v2', sample: SAMPLES.hl7v2.body, delimiters: HL7_DELIMS },
  { name: 'POST /ingest CIN census', path: '/ingest?format=cin', as: 'laReturns', contentType: 'application/xml', sample: SAMPLES['cin-census-xml'].body, delimiters: XML_DELIMS },
  { name: 'POST /ingest SSDA903 CSV', path: '/ingest?format=ssda903', as: 'laReturns', contentType: 'text/csv', sample: SAMPLES['ssda903-csv'].body, delimiters: CSV_DELIMS },
  { name: 'POST /ingest SSDA903 XML', path: '/ingest?format=ssda903-xml', as: 'laReturns', contentType: 'application/xml', sample: SAMPLES['ssda903-xml'].body, delimiters: XML_DELIMS },
  { name: 'POST /ingest CP-IS CSV', path: '/ingest?format=cpis', as: 'laReturns', contentType: 'text/csv', sample: SAMPLES['cpis-csv'].body, delimiters: CSV_DELIMS },
  { name: 'POST /ingest FHIR JSON', path: '/ingest?format=fhir', as: 'laCase', contentType: 'application/fhir+json', sample: SAMPLES['fhir-r4-json'].body, delimiters: JSON_DELIMS },
  { name: 'POST /ingest FHIR XML', path: '/ingest?format=fhir-xml', as: 'laCase', contentType: 'application/fhir+xml', sample: FHIR_XML_CONSENT, delimiters: XML_DELIMS },
  { name: 'POST /fhir/CareTeam (FHIR body parser)', path: '/fhir/CareTeam', as: 'laCase', contentType: 'application/fhir+json', sample: CARE_TEAM_JSON, delimiters: JSON_DELIMS },
  { name: 'POST /fhir transaction (FHIR body parser)', path: '/fhir', as: 'laCase', contentType: 'application/fhir+json', sample: PLAN_BUNDLE_JSON, delimiters: JSON_DELIMS },
  { name: 'POST /notifications JSON', path: '/notifications', as: 'police', contentType: 'application/json', sample: JSON.stringify(policeJson()), delimiters: JSON_DELIMS },
  { name: 'POST /notifications XML', path: '/notifications', as: 'police', contentType: 'application/xml', sample: POLICE_XML, delimiters: XML_DELIMS },
];

export const httpCase = (target: (typeof HTTP_TARGETS)[number], body: Uint8Array): HostileCase => ({
  name: target.name,
  method: 'POST',
  path: target.path,
  as: target.as,
  contentType: target.contentType,
  body: Buffer.from(body),
});

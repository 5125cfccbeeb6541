/**
 * Building blocks of hostile input: valid synthetic samples of every inbound format (so a
 * case can break one thing at a time) and the generic ways of breaking them. Written by
 * the project; NHS numbers come from testNhsNumber.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { careTeam, planBundle, testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, cpisCsv, episodesCsv } from '../helpers/messages.js';

export const NHS = testNhsNumber(9100);

export const mappingCase = (rel: string): string => fs.readFileSync(path.join(PACKAGE_ROOT, 'mappings', rel), 'utf8');

/** A police notification as the JSON of /schemas/police-notification.json. */
export function policeJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    force: 'E23000010',
    reference: '13/990001/26',
    type: 'child-concern',
    occurredAt: '2026-11-19T22:40:00Z',
    location: { lines: ['1 Example Street'], city: 'Leeds', postcode: 'LS1 4AP' },
    persons: [{ ref: 'c1', roles: ['subject-child'], nhsNumber: NHS, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04' }],
    officer: { collarNumber: '4521' },
    narrative: 'SYNTHETIC-NARRATIVE hostile corpus.',
    familyTold: true,
    ...overrides,
  };
}

/** Valid samples of each raw format /ingest reads, with the content type that names it. */
export const SAMPLES = {
  hl7v2: { body: adt({ nhs: NHS, control: 'HOSTILE-1' }), contentType: 'application/hl7-v2', as: 'hospital' },
  'cin-census-xml': { body: cinCensus([{ id: 'HOSTILE1', cpp: { start: '2025-06-01' } }]), contentType: 'application/xml', as: 'laReturns' },
  'ssda903-csv': { body: episodesCsv([{ child: 'HOSTILE1', decom: '01/04/2025' }]), contentType: 'text/csv', as: 'laReturns' },
  'ssda903-xml': {
    body: '<?xml version="1.0" encoding="UTF-8"?><EXPSSDA903><CHILD><HEADER><CHILDID>HOSTILE1</CHILDID><UPN>UN2</UPN><SEX>1</SEX><DOB>05/06/2012</DOB><ETHNIC>WBRI</ETHNIC></HEADER><EPISODE><DECOM>01/04/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD></EXPSSDA903>',
    contentType: 'application/xml',
    as: 'laReturns',
  },
  'cpis-csv': { body: cpisCsv([{ nhs_number: NHS, nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-09-01', la_code: '383', local_id: 'H-1' }]), contentType: 'text/csv', as: 'laReturns' },
  'fhir-r4-json': { body: JSON.stringify(planBundle(NHS)), contentType: 'application/fhir+json', as: 'laCase' },
  'fhir-r4-xml': { body: mappingCase('fhir-r4/uk-core/cases/consent-not-sought.input.xml'), contentType: 'application/fhir+xml', as: 'laCase' },
} as const;

export const FHIR_XML_CONSENT = mappingCase('fhir-r4/uk-core/cases/consent-not-sought.input.xml');
export const POLICE_XML = mappingCase('police-notification/1.0/cases/missing-child.input.xml');
export const CARE_TEAM_JSON = JSON.stringify(careTeam(NHS));
export const PLAN_BUNDLE_JSON = JSON.stringify(planBundle(NHS));

/** Cut points spread through a text: every case keeps a prefix that cannot be the whole. */
export function truncations(text: string, n: number): string[] {
  const out: string[] = [];
  for (let k = 1; k <= n; k++) out.push(text.slice(0, Math.floor((text.length * k) / (n + 1))));
  return out;
}

/** Byte sequences that are not UTF-8: stray continuation, overlong forms, surrogates, cut sequences, bytes never used. */
export const INVALID_UTF8: { name: string; bytes: number[] }[] = [
  { name: 'lone continuation byte', bytes: [0x80] },
  { name: 'overlong slash (C0 AF)', bytes: [0xc0, 0xaf] },
  { name: 'overlong NUL (C0 80)', bytes: [0xc0, 0x80] },
  { name: 'three-byte overlong slash (E0 80 AF)', bytes: [0xe0, 0x80, 0xaf] },
  { name: 'four-byte overlong (F0 80 80 AF)', bytes: [0xf0, 0x80, 0x80, 0xaf] },
  { name: 'UTF-16 surrogate half (ED A0 80)', bytes: [0xed, 0xa0, 0x80] },
  { name: 'cut two-byte sequence', bytes: [0xc3] },
  { name: 'cut three-byte sequence', bytes: [0xe2, 0x82] },
  { name: 'byte FF', bytes: [0xff] },
  { name: 'byte FE', bytes: [0xfe] },
  { name: 'code point beyond U+10FFFF (F4 90 80 80)', bytes: [0xf4, 0x90, 0x80, 0x80] },
  { name: 'Latin-1 e-acute (E9) in a name', bytes: [0x52, 0xe9, 0x6e] },
  { name: 'a NUL byte', bytes: [0x00] },
];

/** Puts invalid bytes in the middle of a valid text (at a place where text is expected). */
export function withBytes(text: string, at: string, bytes: number[]): Buffer {
  const i = text.indexOf(at);
  if (i < 0) throw new Error(`marker ${at} not in sample`);
  const before = Buffer.from(text.slice(0, i + at.length), 'utf8');
  const after = Buffer.from(text.slice(i + at.length), 'utf8');
  return Buffer.concat([before, Buffer.from(bytes), after]);
}

/** XML attacks on a document whose root element is `root`: external entities, expansion bombs, DTD tricks. */
export function xmlAttacks(root: string, inner: string): { name: string; body: string }[] {
  const laughs = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');
  return [
    { name: 'XXE file', body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><${root}>&xxe;${inner}</${root}>` },
    { name: 'XXE http', body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]><${root}>&xxe;${inner}</${root}>` },
    { name: 'XXE parameter entity', body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><${root}>${inner}</${root}>` },
    { name: 'external DTD', body: `<?xml version="1.0"?><!DOCTYPE ${root} SYSTEM "http://127.0.0.1:1/evil.dtd"><${root}>${inner}</${root}>` },
    { name: 'billion laughs', body: `<?xml version="1.0"?><!DOCTYPE ${root} [${laughs}]><${root}>&lol9;${inner}</${root}>` },
    { name: 'quadratic blowup', body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "${'x'.repeat(5000)}">]><${root}>${'&a;'.repeat(2000)}${inner}</${root}>` },
    { name: 'lower-case doctype', body: `<?xml version="1.0"?><!doctype ${root} [<!entity a "b">]><${root}>${inner}</${root}>` },
    { name: 'undeclared entity', body: `<?xml version="1.0"?><${root}>&undeclared;${inner}</${root}>` },
    { name: 'XInclude', body: `<?xml version="1.0"?><${root} xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/>${inner}</${root}>` },
    { name: 'numeric reference to NUL', body: `<?xml version="1.0"?><${root}>&#0;${inner}</${root}>` },
    { name: 'unclosed root', body: `<?xml version="1.0"?><${root}>${inner}` },
    { name: 'mismatched close', body: `<?xml version="1.0"?><${root}>${inner}</${root}x>` },
    { name: 'two roots', body: `<?xml version="1.0"?><${root}>${inner}</${root}><${root}/>` },
    { name: 'text after root', body: `<?xml version="1.0"?><${root}>${inner}</${root}>trailing` },
    { name: 'attribute without quotes', body: `<?xml version="1.0"?><${root} a=b>${inner}</${root}>` },
    { name: 'duplicate attribute', body: `<?xml version="1.0"?><${root} a="1" a="2">${inner}</${root}>` },
    { name: 'deep nesting (10 000)', body: `<?xml version="1.0"?><${root}>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</${root}>` },
    { name: 'declared UTF-16 but UTF-8 bytes', body: `<?xml version="1.0" encoding="UTF-16"?><${root}>${inner}</${root}>` },
    { name: 'CDATA never closed', body: `<?xml version="1.0"?><${root}><![CDATA[${inner}</${root}>` },
    { name: 'comment never closed', body: `<?xml version="1.0"?><${root}><!-- ${inner}</${root}>` },
  ];
}

/** JSON texts that are not a JSON object a reader could use. */
export const BAD_JSON: { name: string; body: string }[] = [
  { name: 'one brace', body: '{' },
  { name: 'cut after a key', body: '{"resourceType":' },
  { name: 'trailing comma', body: '{"resourceType":"CareTeam",}' },
  { name: 'single quotes', body: "{'resourceType':'CareTeam'}" },
  { name: 'bare word', body: 'resourceType' },
  { name: 'two objects', body: '{"a":1}{"b":2}' },
  { name: 'NaN value', body: '{"a":NaN}' },
  { name: 'comment', body: '{"a":1 /* c */}' },
  { name: 'unterminated string', body: '{"a":"b}' },
  { name: 'control character in a string', body: '{"a":"b\u0001c"}' },
  { name: 'NUL byte', body: '{"a":"\u0000"' },
  { name: 'bad escape', body: '{"a":"\\x41"}' },
  { name: 'lone surrogate escape then cut', body: '{"a":"\\ud800' },
  { name: 'array', body: '[]' },
  { name: 'string', body: '"CareTeam"' },
  { name: 'number', body: '42' },
  { name: 'null', body: 'null' },
  { name: 'true', body: 'true' },
  { name: 'whitespace only', body: '   \n\t ' },
  { name: 'hex number', body: '{"a":0x10}' },
];

export const deepArray = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
export const deepObject = (n: number, key = 'a'): string => `${`{"${key}":`.repeat(n)}1${'}'.repeat(n)}`;

/** Keys that could reach Object.prototype if a reader merged input into an object. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** SQL metacharacters and look-alikes for search parameters. */
export const SQL_VALUES = [
  "'",
  "' OR '1'='1",
  "1'; DROP TABLE persons; --",
  '/* */ OR 1=1',
  "' UNION SELECT entry FROM audit_log --",
  '\\',
  '%_',
  '\u2019 OR 1=1',
  '\uff07 OR \uff071\uff07=\uff071',
  "';\u0000--",
];

/** Dates no calendar has, and years no record should hold. */
export const BAD_DATES = ['0000-00-00', '2023-02-30', '2023-13-01', '2023-00-10', '2023-04-31', '2023-02-29', '9999-99-99', '99999-01-01'];
export const BAD_TIMES = ['2023-01-01T24:00:00Z', '2023-01-01T23:60:00Z', '2023-01-01T12:00:61Z', '2023-01-01T12:00:00+25:00'];
/** Formula-leading cells (CSV injection). */
export const FORMULAS = ['=HYPERLINK("http://127.0.0.1")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,1)', '\t=1+1', '\r=1+1'];

export { adt, cinCensus, cpisCsv, episodesCsv };

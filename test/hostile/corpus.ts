/**
 * The hostile corpus, generated from tables: every inbound format and endpoint crossed
 * with the ways input goes wrong. Each case must be refused with a clear 4xx and change
 * nothing (see harness.ts); `harmless` cases are legitimate searches for odd text.
 */
import { careTeam, planBundle } from '../helpers/fixtures.js';
import type { HostileCase, TokenName } from './harness.js';
import {
  adt,
  BAD_DATES,
  BAD_JSON,
  BAD_TIMES,
  cinCensus,
  cpisCsv,
  deepArray,
  deepObject,
  episodesCsv,
  FHIR_XML_CONSENT,
  FORMULAS,
  INVALID_UTF8,
  NHS,
  POLICE_XML,
  policeJson,
  PROTO_KEYS,
  SAMPLES,
  SQL_VALUES,
  truncations,
  withBytes,
  xmlAttacks,
} from './payloads.js';

/** The body limit the corpus gateway runs with (SGW_MAX_BODY_BYTES), small so that "over the limit" is cheap to send. */
export const MAX_BODY_BYTES = 256 * 1024;

interface JsonEndpoint {
  path: string;
  as: TokenName;
  contentType: string;
  /** A valid body for this endpoint, when it has one that would be accepted. */
  valid?: Record<string, unknown>;
}

/** Every endpoint that takes a JSON body. */
export const JSON_ENDPOINTS: JsonEndpoint[] = [
  { path: '/fhir', as: 'laCase', contentType: 'application/fhir+json', valid: planBundle(NHS) },
  { path: '/fhir/CareTeam', as: 'laCase', contentType: 'application/fhir+json', valid: careTeam(NHS, { id: 'HOSTILE-PLAN' }) },
  { path: '/fhir/Consent', as: 'laCase', contentType: 'application/fhir+json' },
  { path: '/fhir/Patient/$match', as: 'hospital', contentType: 'application/fhir+json' },
  { path: '/matching/link', as: 'laCase', contentType: 'application/json' },
  { path: '/matching/unlink', as: 'laCase', contentType: 'application/json' },
  { path: '/matching/not-a-match', as: 'laCase', contentType: 'application/json' },
  { path: '/matching/reviews/review-1', as: 'laCase', contentType: 'application/json' },
  { path: '/alerts/alert-1/close', as: 'laCase', contentType: 'application/json' },
  { path: '/notifications', as: 'police', contentType: 'application/json', valid: policeJson() },
];

const post = (name: string, path: string, as: TokenName, contentType: string, body: string | Buffer): HostileCase => ({ name, method: 'POST', path, as, contentType, body });

/** Malformed, non-object, deeply nested, oversized and prototype-key JSON on every JSON endpoint. */
export function jsonBodyCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const e of JSON_ENDPOINTS) {
    for (const b of BAD_JSON) out.push(post(`JSON ${b.name}`, e.path, e.as, e.contentType, b.body));
    out.push(post('JSON arrays nested 20 000 deep', e.path, e.as, e.contentType, deepArray(20_000)));
    out.push(post('JSON objects nested 5 000 deep', e.path, e.as, e.contentType, deepObject(5_000)));
    out.push(post('JSON over the body limit', e.path, e.as, e.contentType, JSON.stringify({ resourceType: 'Basic', pad: 'x'.repeat(MAX_BODY_BYTES) })));
    if (e.valid) {
      const text = JSON.stringify(e.valid);
      for (const [k, cut] of truncations(text, 4).entries()) out.push(post(`JSON valid body cut short #${k + 1}`, e.path, e.as, e.contentType, cut));
      // Valid JSON, but a string holding U+0000 (which PostgreSQL cannot store) or another control character.
      for (const ctl of ['\\u0000', '\\u0007', '\\u001b[31m']) out.push(post(`JSON string holding ${ctl}`, e.path, e.as, e.contentType, text.replace(/"([A-Za-z][^"]*)"(?=[,}\]])/, `"$1${ctl}"`)));
    }
  }
  return out;
}

/** `__proto__`, `constructor` and `prototype` keys, at the top and nested, on every JSON endpoint. */
export function protoKeyCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const e of JSON_ENDPOINTS) {
    const base = e.valid ?? { resourceType: 'Parameters' };
    const baseText = JSON.stringify(base).slice(1, -1);
    for (const key of PROTO_KEYS) {
      const payload = key === 'constructor' ? '{"prototype":{"polluted":"yes"}}' : '{"polluted":"yes"}';
      out.push(post(`JSON "${key}" key at the top`, e.path, e.as, e.contentType, `{"${key}":${payload},${baseText}}`));
      out.push(post(`JSON "${key}" key nested`, e.path, e.as, e.contentType, `{${baseText},"extension":[{"url":"x","${key}":${payload}}]}`));
    }
  }
  return out;
}

/** Valid bodies with one invalid UTF-8 sequence inside a text value. */
export function invalidUtf8Cases(): HostileCase[] {
  const out: HostileCase[] = [];
  const targets: { label: string; path: string; as: TokenName; contentType: string; text: string; marker: string }[] = [
    { label: 'FHIR Bundle (POST /fhir)', path: '/fhir', as: 'laCase', contentType: 'application/fhir+json', text: JSON.stringify(planBundle(NHS)), marker: '"family":"Test' },
    { label: 'CareTeam', path: '/fhir/CareTeam', as: 'laCase', contentType: 'application/fhir+json', text: JSON.stringify(careTeam(NHS, { id: 'HOSTILE-PLAN' })), marker: '"value":"HOSTILE' },
    { label: 'police JSON', path: '/notifications', as: 'police', contentType: 'application/json', text: JSON.stringify(policeJson()), marker: 'SYNTHETIC' },
    { label: 'police XML', path: '/notifications', as: 'police', contentType: 'application/xml', text: POLICE_XML, marker: '<Given>Rob' },
    { label: 'HL7 v2', path: '/ingest', as: 'hospital', contentType: SAMPLES.hl7v2.contentType, text: SAMPLES.hl7v2.body, marker: 'TESTER^AL' },
    { label: 'CIN census', path: '/ingest', as: 'laReturns', contentType: 'application/xml', text: SAMPLES['cin-census-xml'].body, marker: '<LAchildID>HOST' },
    { label: 'SSDA903 CSV', path: '/ingest?format=ssda903', as: 'laReturns', contentType: 'text/csv', text: SAMPLES['ssda903-csv'].body, marker: 'HOSTILE' },
    { label: 'SSDA903 XML', path: '/ingest', as: 'laReturns', contentType: 'application/xml', text: SAMPLES['ssda903-xml'].body, marker: '<CHILDID>HOST' },
    { label: 'CP-IS CSV', path: '/ingest?format=cpis', as: 'laReturns', contentType: 'text/csv', text: SAMPLES['cpis-csv'].body, marker: ',H-' },
    { label: 'FHIR XML', path: '/ingest', as: 'laCase', contentType: 'application/fhir+xml', text: FHIR_XML_CONSENT, marker: '<display value="Duty' },
  ];
  for (const t of targets) {
    for (const u of INVALID_UTF8) out.push(post(`${t.label} with ${u.name}`, t.path, t.as, t.contentType, withBytes(t.text, t.marker, u.bytes)));
  }
  return out;
}

/** XML external entities, entity-expansion bombs and broken XML on every XML entry point. */
export function xmlCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const targets: { label: string; path: string; as: TokenName; contentType: string; root: string; inner: string }[] = [
    { label: 'CIN census', path: '/ingest?format=cin', as: 'laReturns', contentType: 'application/xml', root: 'Message', inner: '<Header/><Children/>' },
    { label: 'SSDA903 XML', path: '/ingest?format=ssda903-xml', as: 'laReturns', contentType: 'application/xml', root: 'EXPSSDA903', inner: '<CHILD/>' },
    { label: 'FHIR XML', path: '/ingest', as: 'laCase', contentType: 'application/fhir+xml', root: 'Patient xmlns="http://hl7.org/fhir"', inner: '<gender value="female"/>' },
    { label: 'police XML', path: '/notifications', as: 'police', contentType: 'application/xml', root: 'PoliceNotification xmlns="https://sgw.example/ns/police-notification/1"', inner: '<Force>E23000010</Force>' },
  ];
  for (const t of targets) {
    const rootName = t.root.split(' ')[0]!;
    for (const a of xmlAttacks(rootName, t.inner)) {
      // xmlAttacks writes <root>…</root>; put the namespace declaration on the opening tag.
      const body = t.root === rootName ? a.body : a.body.replace(`<${rootName}>`, `<${t.root}>`).replace(`<${rootName} `, `<${t.root} `);
      out.push(post(`${t.label}: ${a.name}`, t.path, t.as, t.contentType, body));
    }
  }
  return out;
}

/** Every raw format cut short at several points, and empty. */
export function truncationCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [format, s] of Object.entries(SAMPLES)) {
    const path = `/ingest?format=${format}`;
    for (const [k, cut] of truncations(s.body, 6).entries()) out.push(post(`${format} cut short #${k + 1}`, path, s.as, s.contentType, cut));
    out.push(post(`${format} empty body`, path, s.as, s.contentType, ''));
    out.push(post(`${format} whitespace body`, path, s.as, s.contentType, ' \r\n\t '));
    out.push(post(`${format} over the body limit`, path, s.as, s.contentType, s.body + ' '.repeat(MAX_BODY_BYTES)));
  }
  return out;
}

const hl7 = (name: string, body: string): HostileCase => post(`HL7 ${name}`, '/ingest', 'hospital', 'application/hl7-v2', body);

/** HL7 v2 delimiter and escape abuse, broken segments, huge repeats and impossible dates. */
export function hl7Cases(): HostileCase[] {
  const good = adt({ nhs: NHS, control: 'HOSTILE-HL7' });
  const [msh, ...rest] = good.split('\r');
  const withMsh = (m: string) => [m, ...rest].join('\r');
  const pidField = (n: number, value: string) =>
    good
      .split('\r')
      .map((seg) => {
        if (!seg.startsWith('PID|')) return seg;
        const f = seg.split('|');
        f[n] = value;
        return f.join('|');
      })
      .join('\r');
  const pv1Field = (n: number, value: string) =>
    good
      .split('\r')
      .map((seg) => {
        if (!seg.startsWith('PV1|')) return seg;
        const f = seg.split('|');
        f[n] = value;
        return f.join('|');
      })
      .join('\r');
  const cases: HostileCase[] = [
    hl7('MSH alone', 'MSH'),
    hl7('MSH with only the field separator', 'MSH|'),
    hl7('MSH-2 of three characters', withMsh(msh!.replace('^~\\&', '^~\\'))),
    hl7('MSH-2 empty', withMsh(msh!.replace('^~\\&', ''))),
    hl7('MSH-2 repeating one character', withMsh(msh!.replace('^~\\&', '^^^^'))),
    hl7('MSH-1 a letter', good.replace(/\|/g, 'A').replace(/^MSHA/, 'MSHA')),
    hl7('MSH-1 a carriage return', `MSH\r^~\\&\r${rest.join('\r')}`),
    hl7('MSH-1 the same as the component separator', good.replace(/\|/g, '^')),
    hl7('MSH-9 missing', withMsh(msh!.replace('ADT^A04^ADT_A01', ''))),
    hl7('message type ORU', withMsh(msh!.replace('ADT^A04^ADT_A01', 'ORU^R01^ORU_R01'))),
    hl7('event A99', withMsh(msh!.replace('ADT^A04^ADT_A01', 'ADT^A99^ADT_A01'))),
    hl7('no PID segment', good.split('\r').filter((s) => !s.startsWith('PID')).join('\r')),
    hl7('PID-3 empty', pidField(3, '')),
    hl7('PID-3 of separators only', pidField(3, '^^^~^^^~~')),
    hl7('PID-3 with 5 000 repeats', pidField(3, Array.from({ length: 5000 }, (_, i) => `H${i}^^^RR8^MR`).join('~'))),
    hl7('PID-5 with 5 000 repeats', pidField(5, Array.from({ length: 5000 }, () => 'TESTER^ALEX').join('~'))),
    hl7('5 000 NK1 segments', `${good}\r${Array.from({ length: 5000 }, (_, i) => `NK1|${i + 1}|TESTER^SAM|MTH`).join('\r')}`),
    hl7('20 000 unknown Z segments', `${good}\r${Array.from({ length: 20_000 }, () => 'ZZZ|1').join('\r')}`),
    hl7('a segment name of two letters', `${good}\rZZ|1`),
    hl7('a segment name with a digit first', `${good}\r1AB|1`),
    hl7('NUL bytes in a segment', pidField(5, 'TES\u0000TER^ALEX')),
    hl7('escape \\X\\ with odd hex', pidField(5, 'TEST\\X4\\ER^ALEX')),
    hl7('escape \\X\\ with non-hex', pidField(5, 'TEST\\XZZ\\ER^ALEX')),
    hl7('escape never closed', pidField(5, 'TESTER\\X41^ALEX')),
    hl7('escape \\X00\\ decoding to NUL', pidField(5, 'TEST\\X00\\ER^ALEX')),
    hl7('escape \\X\\ decoding to invalid UTF-8', pidField(5, 'TEST\\XC0AF\\ER^ALEX')),
    hl7('escape \\Z\\ custom sequence', pidField(5, 'TEST\\Zabc\\ER^ALEX')),
    hl7('escape \\C\\ charset switch', pidField(5, 'TEST\\C2842\\ER^ALEX')),
    hl7('escape char alone at the end', pidField(5, 'TESTER^ALEX\\')),
    hl7('a batch of two messages', `${good}\r${good.replace('HOSTILE-HL7', 'HOSTILE-HL7-2')}`),
  ];
  for (const d of ['00000000', '20230230', '20231301', '20230000', '99991231', '2023', '2023-01-01', '2023013']) cases.push(hl7(`PID-7 birth date ${d}`, pidField(7, d)));
  for (const d of ['202311202400', '202311201260', '20231120126061', '20230230120000', '000000000000', '2023-11-20T12:00']) cases.push(hl7(`PV1-44 arrival ${d}`, pv1Field(44, d)));
  return cases;
}

const csvPost = (name: string, format: 'cpis' | 'ssda903', body: string | Buffer): HostileCase => post(name, `/ingest?format=${format}`, 'laReturns', 'text/csv', body);

/** CP-IS and SSDA903 CSV: quoting abuse, wrong headers, formula cells in coded columns, impossible dates. */
export function csvCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const cpisRow = (o: Record<string, string>) => cpisCsv([{ nhs_number: NHS, nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-09-01', la_code: '383', local_id: 'H-1', ...o }]);
  const episodes = (o: { decom?: string; ls?: string; dec?: string }) => episodesCsv([{ child: 'HOSTILE1', decom: o.decom ?? '01/04/2025', ...(o.ls ? { ls: o.ls } : {}), ...(o.dec ? { dec: o.dec } : {}) }]);
  for (const [name, body] of [
    ['unclosed quote', 'nhs_number,plan_type,start_date,la_code\n"9990000018,CPP,2026-09-01,383'],
    ['quote inside an unquoted cell', `nhs_number,plan_type,start_date,la_code\n99900"00018,CPP,2026-09-01,383`],
    ['a row with an extra cell', `${cpisRow({})},extra`],
    ['a row with a missing cell', 'nhs_number,plan_type,start_date,la_code\n9990000018,CPP,2026-09-01'],
    ['header only', 'nhs_number,plan_type,start_date,la_code\n'],
    ['a required column missing', 'nhs_number,plan_type,start_date\n9990000018,CPP,2026-09-01'],
    ['a repeated column', 'nhs_number,nhs_number,plan_type,start_date,la_code\n9990000018,9990000018,CPP,2026-09-01,383'],
    ['an unnamed column', 'nhs_number,,plan_type,start_date,la_code\n9990000018,x,CPP,2026-09-01,383'],
    ['a column named __proto__', 'nhs_number,__proto__,plan_type,start_date,la_code\n9990000018,x,CPP,2026-09-01,383'],
    ['semicolons for commas', 'nhs_number;plan_type;start_date;la_code\n9990000018;CPP;2026-09-01;383'],
    ['10 000 rows of one bad NHS number', `nhs_number,plan_type,start_date,la_code\n${'1234567890,CPP,2026-09-01,383\n'.repeat(10_000)}`],
  ] as const) out.push(csvPost(`CP-IS CSV ${name}`, 'cpis', body));
  for (const f of FORMULAS) {
    out.push(csvPost(`CP-IS CSV formula ${JSON.stringify(f.slice(0, 6))} as the NHS number`, 'cpis', cpisRow({ nhs_number: `"${f}"` })));
    out.push(csvPost(`CP-IS CSV formula ${JSON.stringify(f.slice(0, 6))} as the plan type`, 'cpis', cpisRow({ plan_type: `"${f}"` })));
    out.push(csvPost(`SSDA903 CSV formula ${JSON.stringify(f.slice(0, 6))} as the legal status`, 'ssda903', episodes({ ls: `"${f}"` })));
  }
  for (const d of BAD_DATES) out.push(csvPost(`CP-IS CSV start date ${d}`, 'cpis', cpisRow({ start_date: d })));
  for (const d of ['00/00/0000', '30/02/2023', '01/13/2023', '31/04/2023', '29/02/2023', '2023-04-01', '1/4/2023', '01/04/99999']) out.push(csvPost(`SSDA903 CSV DECOM ${d}`, 'ssda903', episodes({ decom: d })));
  out.push(csvPost('SSDA903 CSV unclosed quote', 'ssda903', 'CHILD,DECOM\n"HOSTILE1,01/04/2025'));
  out.push(csvPost('SSDA903 CSV unknown table header', 'ssda903', 'CHILDX,DECOMX\nHOSTILE1,01/04/2025'));
  return out;
}

/** CIN census: impossible dates and schema breaches in an otherwise valid return. */
export function cinCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const cin = (name: string, body: string) => post(`CIN census ${name}`, '/ingest?format=cin', 'laReturns', 'application/xml', body);
  for (const d of [...BAD_DATES, '2023-1-1', '01/01/2023', '']) {
    out.push(cin(`birth date ${JSON.stringify(d)}`, cinCensus([{ id: 'HOSTILE1', birthDate: d }])));
    out.push(cin(`plan start ${JSON.stringify(d)}`, cinCensus([{ id: 'HOSTILE1', cpp: { start: d } }])));
  }
  out.push(cin('an unknown ethnicity code', cinCensus([{ id: 'HOSTILE1', ethnicity: '=CMD()' }])));
  out.push(cin('an LEA that is no local authority', cinCensus([{ id: 'HOSTILE1' }], { lea: "1'; --" })));
  out.push(cin('2 000 children with the same id', cinCensus(Array.from({ length: 2000 }, () => ({ id: 'HOSTILE1' })))));
  out.push(cin('a child id 10 000 characters long', cinCensus([{ id: 'X'.repeat(10_000) }])));
  return out;
}

/** Police notifications: impossible dates, huge repeats and wrong shapes. */
export function policeCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const send = (name: string, body: Record<string, unknown>) => post(`police JSON ${name}`, '/notifications', 'police', 'application/json', JSON.stringify(body));
  const person = (o: Record<string, unknown>) => ({ ref: 'c1', roles: ['subject-child'], nhsNumber: NHS, name: { given: ['Sam'], family: 'Testchild' }, birthDate: '2018-05-04', ...o });
  for (const d of [...BAD_DATES, ...BAD_TIMES, '2023-01-01']) out.push(send(`occurredAt ${d}`, policeJson({ occurredAt: d })));
  for (const d of BAD_DATES) out.push(send(`birth date ${d}`, policeJson({ persons: [person({ birthDate: d })] })));
  out.push(send('5 000 persons', policeJson({ persons: Array.from({ length: 5000 }, (_, i) => person({ ref: `p${i}` })) })));
  out.push(send('5 000 roles', policeJson({ persons: [person({ roles: Array.from({ length: 5000 }, () => 'subject-child') })] })));
  out.push(send('a person who is a string', policeJson({ persons: ['c1'] })));
  out.push(send('persons an object', policeJson({ persons: { c1: {} } })));
  out.push(send('the force a number', policeJson({ force: 23000010 })));
  out.push(send('an NHS number with SQL', policeJson({ persons: [person({ nhsNumber: "9990000018' OR '1'='1" })] })));
  return out;
}

/** FHIR resources with impossible dates and huge repeats. */
export function fhirCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const d of [...BAD_DATES, ...BAD_TIMES]) {
    out.push(post(`CareTeam period.start ${d}`, '/fhir/CareTeam', 'laCase', 'application/fhir+json', JSON.stringify(careTeam(NHS, { start: d }))));
    out.push(post(`Bundle Patient.birthDate ${d}`, '/fhir', 'laCase', 'application/fhir+json', JSON.stringify(planBundle(NHS)).replace('"2018-05-04"', JSON.stringify(d))));
  }
  const bundle = planBundle(NHS) as { entry: unknown[] };
  out.push(post('Bundle with 3 000 copies of one entry', '/fhir', 'laCase', 'application/fhir+json', JSON.stringify({ ...bundle, entry: Array.from({ length: 3000 }, () => bundle.entry[0]) })));
  out.push(post('CareTeam with 5 000 identifiers of no value', '/fhir/CareTeam', 'laCase', 'application/fhir+json', JSON.stringify({ ...careTeam(NHS), identifier: Array.from({ length: 5000 }, () => ({ system: 'x' })) })));
  out.push(post('a FHIR resource type that is not one', '/ingest', 'laCase', 'application/fhir+json', JSON.stringify({ resourceType: "Patient'; DROP TABLE persons; --" })));
  for (const b of BAD_JSON) out.push(post(`/ingest FHIR JSON ${b.name}`, '/ingest?format=fhir', 'laCase', 'application/fhir+json', b.body));
  for (const b of BAD_JSON.slice(0, 6)) {
    out.push(post(`/validate FHIR JSON ${b.name}`, '/validate?format=fhir', 'laCase', 'application/fhir+json', b.body));
    out.push(post(`/fhir/$validate ${b.name}`, '/fhir/$validate', 'laCase', 'application/fhir+json', b.body));
  }
  return out;
}

const get = (name: string, path: string, as: TokenName, extra: Partial<HostileCase> = {}): HostileCase => ({ name, method: 'GET', path, as, ...extra });

/** SQL metacharacters in every search parameter and path id; impossible dates in date parameters. */
export function searchCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const q = encodeURIComponent;
  const nhsSystem = 'https://fhir.nhs.uk/Id/nhs-number';
  for (const v of SQL_VALUES) {
    const tag = JSON.stringify(v);
    out.push(get(`CareTeam NHS number ${tag}`, `/fhir/CareTeam?patient:identifier=${q(`${nhsSystem}|${v}`)}`, 'hospital', { headers: { IsUnscheduledAccessEvent: 'false' } }));
    out.push(get(`CareTeam identifier system ${tag}`, `/fhir/CareTeam?patient:identifier=${q(`${v}|${NHS}`)}`, 'hospital', { headers: { IsUnscheduledAccessEvent: 'false' } }));
    out.push(get(`Flag NHS number ${tag}`, `/fhir/Flag?patient:identifier=${q(`${nhsSystem}|${v}`)}`, 'hospital'));
    out.push(get(`Consent NHS number ${tag}`, `/fhir/Consent?patient:identifier=${q(`${nhsSystem}|${v}`)}`, 'laCase'));
    out.push(get(`AuditEvent NHS number ${tag}`, `/fhir/AuditEvent?patient:identifier=${q(`${nhsSystem}|${v}`)}`, 'auditor'));
    out.push(get(`AuditEvent date ${tag}`, `/fhir/AuditEvent?date=${q(v)}`, 'auditor'));
    out.push(get(`AuditEvent agent ${tag}`, `/fhir/AuditEvent?agent=${q(v)}`, 'auditor', { harmless: !v.includes('\u0000') }));
    out.push(get(`AuditEvent _count ${tag}`, `/fhir/AuditEvent?_count=${q(v)}`, 'auditor'));
    out.push(get(`Communication recipient ${tag}`, `/fhir/Communication?recipient=${q(v)}`, 'laCase'));
    out.push(get(`notifications since ${tag}`, `/notifications?since=${q(v)}`, 'police'));
    out.push(get(`alerts status ${tag}`, `/alerts?status=${q(v)}`, 'laCase'));
    out.push(get(`webhook deliveries status ${tag}`, `/webhooks/deliveries?status=${q(v)}`, 'laCase'));
    out.push(get(`match reviews status ${tag}`, `/matching/reviews?status=${q(v)}`, 'laCase'));
    out.push(get(`match reviews _offset ${tag}`, `/matching/reviews?_offset=${q(v)}`, 'laCase'));
    out.push(get(`disclosures _count ${tag}`, `/people/p-1/disclosures?_count=${q(v)}`, 'laCase'));
    out.push(get(`audit inclusion proof entry ${tag}`, `/audit/proof/inclusion?entry=${q(v)}`, 'auditor', { audited: false }));
    out.push(get(`unknown parameter named ${tag}`, `/fhir/CareTeam?${q(v)}=1&patient:identifier=${q(`${nhsSystem}|${NHS}`)}`, 'hospital', { headers: { IsUnscheduledAccessEvent: 'false' } }));
    for (const p of ['/fhir/CareTeam/', '/fhir/Consent/', '/people/', '/records/', '/notifications/', '/alerts/', '/matching/reviews/']) {
      out.push(get(`path id ${tag} on ${p}`, `${p}${q(v)}`, p === '/notifications/' ? 'police' : 'laCase'));
    }
    out.push(get(`chronology of ${tag}`, `/people/${q(v)}/chronology`, 'laCase'));
    out.push(get(`Organization ${tag}`, `/fhir/Organization/${q(v)}`, 'laCase', { audited: false }));
  }
  for (const d of [...BAD_DATES, ...BAD_TIMES]) {
    out.push(get(`AuditEvent date ${d}`, `/fhir/AuditEvent?date=${q(d)}`, 'auditor'));
    out.push(get(`AuditEvent date ge${d}`, `/fhir/AuditEvent?date=ge${q(d)}`, 'auditor'));
    out.push(get(`notifications since ${d}`, `/notifications?since=${q(d)}`, 'police'));
  }
  return out;
}

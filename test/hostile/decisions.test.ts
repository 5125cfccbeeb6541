import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLink } from '../../src/cli/link.js';
import { runPseudonymise } from '../../src/cli/pseudonymise.js';
import { ingestFiles } from '../../src/cli/ingest-files.js';
import { loadConfig } from '../../src/config/env.js';
import { coverageCsv } from '../../src/conformance/reports/coverage-csv.js';
import type { RunResult } from '../../src/conformance/result.js';
import { generateKeyBase64 } from '../../src/crypto/keys.js';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, cpisCsv } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import { peopleWithCopies } from '../matching/linkage-fixtures.js';
import { FORMULAS } from './payloads.js';

// What the hostile corpus led to, where the answer is not simply "refused": the cases that
// are now accepted, the codes chosen, and the CSV files the gateway writes.

let t: TestGateway;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-hostile-'));

beforeAll(async () => {
  t = await createTestGateway(undefined, { SGW_WEBHOOKS: 'off' });
});
afterAll(async () => {
  await t?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = async (p: string, body: string, type: string, who: [string, string, string]) =>
  request(t.gateway.app)
    .post(p)
    .set('Authorization', `Bearer ${await t.token(...who)}`)
    .set('Content-Type', type)
    .send(body);
const HOSPITAL: [string, string, string] = ['ods:RR8', 'unscheduled-care', 'TREAT'];
const LA: [string, string, string] = ['la:383', 'la-social-worker', 'statutory-return'];
const count = async (table: string) => Number((await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
const codes = (res: request.Response): string[] => res.body.issue.flatMap((i: { details: { coding: { code: string }[] } }) => i.details.coding.map((c) => c.code));

describe('HL7 v2: an A04 whose PID-3 holds only a hospital number', () => {
  it('is stored under that number (it was refused with "Person.identifiers.0.value … undefined")', async () => {
    const res = await post('/ingest', adt({ noNhs: true, mrn: 'H777001', visit: 'V777001', control: 'MRN-ONLY-1', family: 'MRNONLY' }), 'application/hl7-v2', HOSPITAL);
    expect(res.status).toBe(201);
    expect(res.body.records.map((r: { type: string; outcome: string }) => [r.type, r.outcome])).toEqual([
      ['Person', 'created'],
      ['Attendance', 'created'],
      ['Relationship', 'created'],
    ]);
    const person = await request(t.gateway.app)
      .get(`/people/${res.body.records[0].id}`)
      .set('Authorization', `Bearer ${await t.token(...HOSPITAL)}`);
    expect(person.status).toBe(200);
    const identifiers = JSON.stringify(person.body);
    expect(identifiers).toContain('H777001');
    expect(identifiers).not.toContain(NHS_SYSTEM);
  });

  it('a birth date after the day the message arrived is refused with 422 naming PID-7', async () => {
    const res = await post('/ingest', adt({ nhs: testNhsNumber(7701), birthDate: '99991231', control: 'FUTURE-1', visit: 'VF-1' }), 'application/hl7-v2', HOSPITAL);
    expect(res.status).toBe(422);
    expect(res.body.issue[0].diagnostics).toMatch(/Person\.birthDate: 9999-12-31 is after the day the message was received \(2026-11-20\)/);
    expect(res.body.issue[0].expression[0]).toMatch(/F7/);
  });
});

describe('CP-IS bulk upload: an upload of which nothing is accepted is not a 200', () => {
  const bad = { nhs_number: '1234567890', nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-09-01', la_code: '383' };
  const good = (n: number) => ({ nhs_number: testNhsNumber(n), nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-09-01', la_code: '383', local_id: `P${n}` });

  it('none accepted: 422, one issue per record with its line and CP-IS code, nothing stored', async () => {
    const plans = await count('protection_plans');
    const res = await post('/ingest?format=cpis', cpisCsv([bad, { ...good(7710), start_date: '2023-02-30' }]), 'text/csv', LA);
    expect(res.status).toBe(422);
    expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(['line 2', 'line 3']);
    expect(codes(res)).toEqual(['GW_ERR_VALIDATION_FAILED', 'CPR04', 'GW_ERR_VALIDATION_FAILED', 'CPR07']);
    expect(res.body.issue[1].diagnostics).toContain('start_date "2023-02-30" is not a real date');
    expect(await count('protection_plans')).toBe(plans);
  });

  it('a header with no record: 400', async () => {
    const res = await post('/ingest?format=cpis', 'nhs_number,plan_type,start_date,la_code\n', 'text/csv', LA);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toContain('no records');
  });

  it('some accepted: still 200 answered per record; /validate of a bad upload still 200 with the results', async () => {
    const mixed = await post('/ingest?format=cpis', cpisCsv([good(7720), bad]), 'text/csv', LA);
    expect(mixed.status).toBe(200);
    expect(mixed.body.results.map((r: { result: string }) => r.result)).toEqual(['CPR06', 'CPR04']);
    const checked = await post('/validate?format=cpis', cpisCsv([bad]), 'text/csv', LA);
    expect(checked.status).toBe(200);
    expect(checked.body.results.map((r: { result: string }) => r.result)).toEqual(['CPR04']);
  });

  it('sgw ingest reports the refused upload with its result codes', async () => {
    const file = path.join(dir, 'bad-upload.csv');
    fs.writeFileSync(file, cpisCsv([bad, bad]));
    const config = loadConfig({ SGW_DATA_DIR: path.join(dir, 'cli-data'), SGW_LOG_LEVEL: 'silent', SGW_WEBHOOKS: 'off' });
    const [result] = await ingestFiles(config, [file], { agency: 'la:383' }, true);
    expect(result).toMatchObject({ ok: false, rejected: 2, resultCodes: { CPR04: 2 } });
  }, 60_000);
});

describe('400 or 422 for a CIN census (docs/errors.md)', () => {
  it('a breach of the census schema is the reader refusing: 400 naming the element', async () => {
    const res = await post('/ingest?format=cin', cinCensus([{ id: 'CODES1', ethnicity: 'XXXX' }]), 'application/xml', LA);
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('GW_ERR_MALFORMED_BODY');
    expect(res.body.issue[0].expression[0]).toMatch(/Ethnicity$/);
  });
  it('a census that reads but breaks a DfE rule: 422 naming the rule', async () => {
    const res = await post('/ingest?format=cin', cinCensus([{ id: 'CODES2', cpp: { start: '2025-09-01', end: '2025-08-01' } }]), 'application/xml', LA);
    expect(res.status).toBe(422);
    expect(codes(res)).toContain('CIN-8925');
  });
});

describe('a police submission that is not JSON', () => {
  it('is refused naming where, without quoting the body in the answer or the audit log', async () => {
    const res = await post('/notifications', '{"narrative":"SYNTHETIC-QUOTED-TEXT" "force"}', 'application/json', ['police:E23000010', 'police-submitter', 'law-enforcement']);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/line 1, column \d+/);
    expect(JSON.stringify(res.body)).not.toContain('SYNTHETIC-QUOTED-TEXT');
    const [last] = await t.testDb.db.query<{ entry: { reason: string } }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
    expect(last!.entry.reason).not.toContain('SYNTHETIC-QUOTED-TEXT');
  });
});

/** Every cell of a CSV text, parsed as a spreadsheet would split it. */
const cells = (text: string): string[] => {
  const rows: string[][] = parse(text, { relax_column_count: true });
  return rows.flat();
};
const FORMULA_START = /^[=+\-@\t\r]/;

describe('every CSV the gateway writes neutralises formula-leading cells', () => {
  it('sgw pseudonymise --id-map: local ids that look like formulas', async () => {
    const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const people = path.join(dir, 'people.csv');
    fs.writeFileSync(people, ['ref,first,last,dob', ...FORMULAS.map((f, i) => `${quoted(`${f}${i}`)},Sam${i},Testchild,2015-03-0${i + 1}`)].join('\n'));
    const columns = path.join(dir, 'map.yaml');
    fs.writeFileSync(columns, 'id: ref\ngivenName: first\nsurname: last\nbirthDate: dob\n');
    const idMap = path.join(dir, 'ids.csv');
    await runPseudonymise({ in: people, columns, out: path.join(dir, 'p.jsonl'), idMap }, { SGW_LINKAGE_KEY: generateKeyBase64(32) }, () => {});
    const written = cells(fs.readFileSync(idMap, 'utf8'));
    expect(written).toHaveLength(2 + FORMULAS.length * 2);
    expect(written.filter((c) => FORMULA_START.test(c))).toEqual([]);
    // Neutralised, not lost: each local id is there behind its apostrophe.
    expect(written.filter((c) => c.startsWith("'"))).toHaveLength(FORMULAS.length);
  });

  it('sgw link: pair files whose record ids look like formulas', async () => {
    const { originals, copies } = peopleWithCopies(60, 5);
    const header = 'record,forename,family_name,dob,gender,pc,house,street';
    const row = (id: string, r: (typeof originals)[number]) => [id, r.givenNames[0] ?? '', r.family ?? '', (r.birthDate ?? '').replace(/-/g, ''), r.sex === 'female' ? 'F' : 'M', r.postcode ?? '', r.addressTokens[0], r.addressTokens.slice(1).join(' ')].join(',');
    const left = path.join(dir, 'left.csv');
    const right = path.join(dir, 'right.csv');
    fs.writeFileSync(left, [header, ...originals.map((r, i) => row(`=L${i}`, r))].join('\n'));
    fs.writeFileSync(right, [header, ...copies.map((r, i) => row(`@R${i}`, r))].join('\n'));
    const columns = path.join(dir, 'link-map.yaml');
    fs.writeFileSync(columns, 'id: record\ngivenName: forename\nsurname: family_name\nbirthDate: dob\nbirthDateFormat: YYYYMMDD\nsex: gender\npostcode: pc\naddress: [house, street]\n');
    const out = path.join(dir, 'pairs.csv');
    const result = await runLink({ left, right, columns, out, threshold: 0.5 }, () => {});
    expect(result.pairsWritten).toBeGreaterThan(0);
    const written = cells(fs.readFileSync(out, 'utf8'));
    expect(written.filter((c) => FORMULA_START.test(c))).toEqual([]);
    expect(written).toContain("'=L0");
  });

  it('sgw conformance run --coverage: requirement texts that look like formulas', () => {
    const counts = { pass: 1, fail: 0, error: 0, skip: 0, omit: 0 };
    const run: RunResult = {
      tool: { name: 'sgw', version: '0' },
      target: 'http://localhost',
      runId: '1',
      startedAt: '2026-11-20T10:00:00Z',
      finishedAt: '2026-11-20T10:00:01Z',
      durationMs: 1,
      outcome: 'pass',
      counts,
      packs: [
        {
          id: '=pack',
          version: '1',
          title: 't',
          specs: [],
          inputs: {},
          outcome: 'pass',
          counts,
          durationMs: 1,
          requirements: FORMULAS.map((f, i) => ({ id: `+R${i}`, text: f, source: `-${f}`, tests: [`@T${i}`], outcome: 'pass' })),
          tests: [],
        },
      ],
    };
    const written = cells(coverageCsv(run));
    expect(written.length).toBe(6 * (1 + FORMULAS.length));
    expect(written.filter((c) => FORMULA_START.test(c))).toEqual([]);
  });
});

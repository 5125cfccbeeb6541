import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNhsNumber } from '../helpers/fixtures.js';
import { adt, cinCensus, cpisCsv, episodesCsv, ukCorePatient } from '../helpers/messages.js';
import { processDb } from '../helpers/process-db.js';
import { sgw } from '../helpers/sgw-process.js';

const pdb = processDb('cli', { dataDirInside: true });
const { dir, env } = pdb;

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function counts() {
  const db = await pdb.openDirect();
  try {
    const [row] = await db.query<{ persons: number; records: number; plans: number; audit: number }>(
      `SELECT (SELECT count(*)::int FROM persons) AS persons, (SELECT count(*)::int FROM canonical_records) AS records,
              (SELECT count(*)::int FROM protection_plans) AS plans, (SELECT count(*)::int FROM audit_log) AS audit`,
    );
    return row!;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  await pdb.create();
  expect(sgw(['migrate'], env).status).toBe(0);
});
afterAll(() => pdb.dispose());

describe('sgw ingest and sgw validate', () => {
  it('sgw validate checks files of several formats, prints a summary table, stores nothing, and exits 1 when one is refused', async () => {
    const before = await counts();
    const batch = write('feed.hl7', [adt({ nhs: testNhsNumber(8000), mrn: 'M8000', visit: 'V8000', control: 'C1' }), adt({ nhs: testNhsNumber(8010), mrn: 'M8010', visit: 'V8010', control: 'C2' })].join('\r\n'));
    const census = write('census.xml', cinCensus([{ id: 'CLI8000', cpp: { start: '2025-09-01' } }]));
    const bad = write('bad-episodes.csv', episodesCsv([{ child: 'CLI8100', decom: '01/06/2025', ls: 'ZZ' }]));
    const r = sgw(['validate', batch, census, bad], env);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/file\s+format\s+messages\s+records\s+warnings\s+left out\s+errors\s+outcome/);
    expect(r.stdout).toMatch(/feed\.hl7\s+hl7v2\s+2\s+6\s+.*ok/);
    expect(r.stdout).toMatch(/census\.xml\s+cin-census-xml\s+1\s+\d+\s+.*ok/);
    expect(r.stdout).toMatch(/bad-episodes\.csv\s+ssda903-csv\s+1\s+0\s+.*REJECTED/);
    expect(r.stdout).toMatch(/\[SSDA903-144\] Episodes\[row 2\]\.LS/);
    expect(await counts()).toEqual(before);
    // With --json, standard output is the JSON alone: start-up's log lines (a throw-away
    // database loads the demo routing table every time) go to standard error.
    const json = sgw(['validate', '--json', census], { ...env, SGW_LOG_LEVEL: 'info' });
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject([{ format: 'cin-census-xml', ok: true }]);
  }, 120_000); // two processes that each create a throw-away embedded database: over 30 s on a busy 2-core machine

  it('sgw ingest stores each message as its agency, audited, and a second run changes nothing', async () => {
    const feed = write('feed2.hl7', [adt({ nhs: testNhsNumber(8200), mrn: 'M8200', visit: 'V8200', control: 'C3' }), adt({ nhs: testNhsNumber(8210), mrn: 'M8210', visit: 'V8210', control: 'C4' })].join('\n'));
    const before = await counts();
    const r = sgw(['ingest', '--agency', 'ods:RR8', feed], env);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/feed2\.hl7\s+hl7v2\s+2\s+6\/0\/0\s+/);
    const after = await counts();
    expect(after.persons - before.persons).toBe(2);
    expect(after.records - before.records).toBe(4);
    expect(after.audit - before.audit).toBe(2); // one entry per message
    const again = sgw(['ingest', '--agency', 'ods:RR8', '--json', feed], env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ created: 0, updated: 0, unchanged: 6, ok: true });
  });

  it("sgw ingest takes each of a local authority's formats: FHIR, CIN census, SSDA903 and a CP-IS upload", async () => {
    const nhs = testNhsNumber(8400);
    const patient = write('patient.json', JSON.stringify(ukCorePatient(nhs, 'CLI8400')));
    const census = write('census3.xml', cinCensus([{ id: 'CLI8400', cpp: { start: '2025-09-01' } }]));
    const episodes = write('episodes.csv', episodesCsv([{ child: 'CLI8400', decom: '01/10/2025', ls: 'C2' }]));
    const upload = write('upload.csv', cpisCsv([{ nhs_number: testNhsNumber(8410), nhs_number_status: '01', plan_type: 'LAC', start_date: '2026-10-01', la_code: '383' }]));
    const before = await counts();
    const r = sgw(['ingest', '--agency', 'la:383', '--json', patient, census, episodes, upload], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { format: string; ok: boolean; created: number; resultCodes?: Record<string, number> }[];
    expect(results.map((x) => [x.format, x.ok])).toEqual([
      ['fhir-r4-json', true],
      ['cin-census-xml', true],
      ['ssda903-csv', true],
      ['cpis-csv', true],
    ]);
    expect(results[3]!.resultCodes).toEqual({ CPR06: 1 });
    const after = await counts();
    expect(after.plans - before.plans).toBe(3); // the census CPP, the SSDA903 care order, the upload
    expect(after.persons - before.persons).toBe(2); // the census and SSDA903 child is the Patient, by LA child id
  });

  it('sgw ingest applies a batch file in file order: a later update of a child wins, a bad message in the middle is refused alone', async () => {
    const child = { nhs: testNhsNumber(8600), mrn: 'M8600', family: 'ORDERLY', given: 'RUBY', birthDate: '20140202' };
    const others = (from: number) => Array.from({ length: 30 }, (_, i) => adt({ nhs: testNhsNumber(8700 + (from + i) * 10), mrn: `M87${from + i}`, visit: `V87${from + i}`, control: `C87${from + i}`, given: `KID${from + i}`, family: 'OTHERS' }));
    const messages = [
      adt({ ...child, visit: 'V8600', control: 'C8600', street: '1 FIRST STREET', postcode: 'LS1 1AA' }),
      ...others(0),
      adt({ ...child, event: 'A08', visit: 'V8600', control: 'C8601', street: '2 SECOND STREET', postcode: 'LS2 2BB' }),
      // The child's verified NHS number with another date of birth: refused, changing nothing.
      adt({ ...child, birthDate: '20150303', visit: 'V8602', control: 'C8602', street: '3 THIRD STREET', postcode: 'LS3 3CC' }),
      ...others(30),
      adt({ ...child, event: 'A08', visit: 'V8600', control: 'C8603', street: '4 FOURTH STREET', postcode: 'LS4 4DD' }),
    ];
    const file = write('ordered.hl7', ['FHS|^~\\&|PAS|RR8', 'BHS|^~\\&|PAS|RR8', ...messages, `BTS|${messages.length}`, 'FTS|1'].join('\r'));
    const before = await counts();
    const r = sgw(['ingest', '--agency', 'ods:RR8', '--json', file], env);
    expect(r.status, r.stderr).toBe(1);
    const [result] = JSON.parse(r.stdout) as { messages: number; ok: boolean; errors: { diagnostics: string }[] }[];
    expect(result).toMatchObject({ messages: 64, ok: false });
    expect(result!.errors.map((e) => e.diagnostics)).toEqual([expect.stringMatching(/different date of birth/)]);
    const after = await counts();
    expect(after.persons - before.persons).toBe(61);
    expect(after.audit - before.audit).toBe(64); // one entry per message, the refusal's too
    const db = await pdb.openDirect();
    try {
      const [row] = await db.query<{ postcodes: string[] }>(
        "SELECT array(SELECT a->>'postcode' FROM jsonb_array_elements(p.record->'addresses') a) AS postcodes FROM persons p JOIN person_identifiers i ON i.person_id = p.id WHERE i.value = $1",
        [child.nhs],
      );
      expect(row!.postcodes).toEqual(['LS4 4DD']);
    } finally {
      await db.close();
    }
  });

  it('sgw ingest refuses a format the agency may not send, and needs --agency', () => {
    const census = write('census2.xml', cinCensus([{ id: 'CLI8300' }]));
    const r = sgw(['ingest', '--agency', 'ods:RR8', census], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/REJECTED/);
    expect(r.stdout).toMatch(/unscheduled-care may not ingest:la-return/);
    const none = sgw(['ingest', census], env);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/needs --agency/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { testNhsNumber } from '../helpers/fixtures.js';
import { cinCensus, episodesCsv } from '../helpers/messages.js';
import { sgw } from '../helpers/sgw-process.js';

// `sgw conformance check` as a supplier runs it: a process on files, nothing stored anywhere.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-conformance-check-'));
const dataDir = path.join(dir, 'data');
const env = { SGW_DATA_DIR: dataDir, SGW_LOG_LEVEL: 'warn' };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Each run starts a process under tsx (and, for the ingest formats, a throw-away database): allow for a busy machine.
const SLOW = 120_000;

const EXAMPLES = path.join(PACKAGE_ROOT, 'docs', 'examples');
const FIXTURES = path.join(PACKAGE_ROOT, 'conformance', 'police-notifications', 'fixtures');
const example = (name: string) => path.join(EXAMPLES, name);
const fixture = (name: string) => path.join(FIXTURES, name);
const GOOD_EXAMPLES = ['adt-a04.hl7', 'cin-census.xml', 'cpis-upload.csv', 'patient-with-la-child-id.json', 'cpp-transaction.json', 'police-notification.json'].map(example);

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** The domestic-abuse fixture of the police notification pack, changed by `edit`. */
function notification(name: string, edit: (n: any) => void = () => undefined): string {
  const n = JSON.parse(fs.readFileSync(fixture('domestic-abuse.json'), 'utf8'));
  edit(n);
  return write(name, JSON.stringify(n, null, 2));
}

/** The lines of a file's report: its PASS/FAIL line and the issue lines under it. */
function section(stdout: string, file: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^(PASS|FAIL) {2}/.test(l) && l.includes(` ${file} `));
  expect(start, `no line for ${file} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return lines.slice(start, end);
}

describe('sgw conformance check', () => {
  it(
    'gives each file PASS or FAIL with the rule or error code of every issue, warnings included, and exits 1 when one fails',
    () => {
      const badCensus = write('bad-census.xml', cinCensus([{ id: 'CHK1000', cpp: { start: '2025-09-01', end: '2025-08-01' } }]));
      const badEpisodes = write('bad-episodes.csv', episodesCsv([{ child: 'CHK1100', decom: '01/06/2025', ls: 'ZZ' }]));
      const good = notification('good-notification.json', (n) => (n.reference = '13/900001/26'));
      const broken = notification('broken-notification.json', (n) => {
        n.force = 'E99999999';
        n.type = 'burglary';
        n.persons[0].nhsNumber = testNhsNumber(1000).slice(0, 9) + String((Number(testNhsNumber(1000)[9]) + 1) % 10);
        n.persons[1].roles = [];
      });
      const future = notification('future-notification.json', (n) => (n.occurredAt = new Date(Date.now() + 24 * 3600_000).toISOString()));
      const notes = write('notes.txt', 'not a message of any kind\n');
      const missing = path.join(dir, 'no-such-file.hl7');
      const files = [...GOOD_EXAMPLES, badCensus, badEpisodes, good, broken, future, fixture('notification.xml'), fixture('unknown-element.xml'), fixture('malformed.xml'), notes, missing];

      const r = sgw(['conformance', 'check', ...files], env);
      expect(r.status, r.stderr).toBe(1);
      for (const f of GOOD_EXAMPLES) expect(section(r.stdout, f)[0]).toMatch(/^PASS {2}/);
      expect(section(r.stdout, example('adt-a04.hl7'))[0]).toMatch(/ hl7v2 +1 message {2}0 warnings$/);
      expect(section(r.stdout, example('cin-census.xml'))[0]).toMatch(/ cin-census-xml +1 message/);
      expect(section(r.stdout, example('cpis-upload.csv'))[0]).toMatch(/ cpis-csv +1 message/);
      expect(section(r.stdout, example('police-notification.json'))[0]).toMatch(/ police-notification-json +1 message {2}0 warnings$/);
      // A record the empty offline index cannot place is a query, not a failure.
      expect(section(r.stdout, example('cpis-upload.csv'))).toContainEqual(expect.stringMatching(/^ {2}warning \[CPR01\] records\[line 3\]: /));

      const census = section(r.stdout, badCensus);
      expect(census[0]).toMatch(/^FAIL .* cin-census-xml +1 message/);
      expect(census).toContainEqual(expect.stringMatching(/^ {2}\[CIN-8925\] Message\.Children\.Child\[0\]\.CINdetails\[0\]\.ChildProtectionPlans\[0\]/));
      expect(section(r.stdout, badEpisodes)).toContainEqual(expect.stringMatching(/^ {2}\[SSDA903-144\] Episodes\[row 2\]\.LS: /));

      expect(section(r.stdout, good)).toEqual([expect.stringMatching(/^PASS .* police-notification-json +1 message {2}0 warnings$/)]);
      const bad = section(r.stdout, broken);
      expect(bad[0]).toMatch(/^FAIL .* police-notification-json/);
      for (const field of ['force', 'type', 'persons.0.nhsNumber', 'persons.1.roles']) {
        expect(bad).toContainEqual(expect.stringMatching(new RegExp(`^ {2}\\[GW_ERR_VALIDATION_FAILED\\] ${field.replace(/\./g, '\\.')}: \\S`)));
      }
      expect(section(r.stdout, future)).toContainEqual(expect.stringMatching(/^ {2}\[GW_ERR_VALIDATION_FAILED\] occurredAt: .* is in the future/));

      expect(section(r.stdout, fixture('notification.xml'))).toEqual([expect.stringMatching(/^PASS .* police-notification-xml +1 message {2}0 warnings$/)]);
      const unknown = section(r.stdout, fixture('unknown-element.xml'));
      expect(unknown[0]).toMatch(/^PASS .* police-notification-xml +1 message {2}1 warning$/);
      expect(unknown[1]).toMatch(/^ {2}warning PoliceNotification\.Vehicle: input not consumed/);
      const malformed = section(r.stdout, fixture('malformed.xml'));
      expect(malformed[0]).toMatch(/^FAIL .* police-notification-xml/);
      expect(malformed[1]).toMatch(/^ {2}\[GW_ERR_MALFORMED_BODY\] .*not well formed/);

      const unreadable = section(r.stdout, notes);
      expect(unreadable[0]).toMatch(/^FAIL .* unknown +0 messages/);
      expect(unreadable[1]).toContain(`cannot tell the format of ${notes}; give --format (`);
      expect(unreadable[1]).toMatch(/hl7v2, cin-census-xml.*cpis-csv, police-notification-json, police-notification-xml\)/);
      expect(section(r.stdout, missing)[1]).toMatch(/cannot read .*no-such-file\.hl7: ENOENT/);
      expect(r.stdout).toMatch(/^16 files checked: 9 passed, 7 failed$/m);
      // Nothing was stored: the check keeps no database of its own.
      expect(fs.existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
    },
    SLOW,
  );

  it(
    '--json prints a JSON array of per-file results and nothing else on standard output, and exits 0 when every file passes',
    () => {
      const files = [...GOOD_EXAMPLES, fixture('domestic-abuse.json'), fixture('unknown-element.xml')];
      // At info level the gateway logs while it starts: those lines must go to standard error.
      const r = sgw(['conformance', 'check', '--json', ...files], { ...env, SGW_LOG_LEVEL: 'info' });
      expect(r.status, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout);
      expect(results.map((x: any) => [path.basename(x.file), x.format, x.ok])).toEqual([
        ['adt-a04.hl7', 'hl7v2', true],
        ['cin-census.xml', 'cin-census-xml', true],
        ['cpis-upload.csv', 'cpis-csv', true],
        ['patient-with-la-child-id.json', 'fhir-r4-json', true],
        ['cpp-transaction.json', 'fhir-r4-json', true],
        ['police-notification.json', 'police-notification-json', true],
        ['domestic-abuse.json', 'police-notification-json', true],
        ['unknown-element.xml', 'police-notification-xml', true],
      ]);
      expect(results[0]).toEqual({ file: files[0], format: 'hl7v2', ok: true, messages: 1, errors: [], warnings: [] });
      expect(results[2].warnings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'CPR01', errorCode: null, expression: ['records[line 3]'] })]);
      expect(results[7].warnings).toEqual([
        { severity: 'warning', code: expect.any(String), rule: null, errorCode: null, expression: ['PoliceNotification.Vehicle'], diagnostics: expect.stringMatching(/^input not consumed/) },
      ]);
    },
    SLOW,
  );

  it(
    '--format reads every file as the format named, police notifications included, and a name it does not know lists the ones it does',
    () => {
      const xml = write('notification-xml.txt', fs.readFileSync(fixture('notification.xml'), 'utf8'));
      const broken = write('broken.txt', fs.readFileSync(fixture('domestic-abuse.json'), 'utf8').replace('"subject-child"', '"child"'));
      const r = sgw(['conformance', 'check', '--json', '--format', 'police-notification-xml', xml, broken], env);
      expect(r.status, r.stderr).toBe(1);
      const [asXml, notXml] = JSON.parse(r.stdout);
      expect(asXml).toMatchObject({ format: 'police-notification-xml', ok: true, errors: [] });
      expect(notXml).toMatchObject({ format: 'police-notification-xml', ok: false, errors: [expect.objectContaining({ errorCode: 'GW_ERR_MALFORMED_BODY' })] });
      const unknown = sgw(['conformance', 'check', '--format', 'pdf', xml], env);
      expect(unknown.status).toBe(1);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toMatch(/--format.*'pdf' is invalid.*police-notification-json, police-notification-xml/);
    },
    SLOW,
  );
});

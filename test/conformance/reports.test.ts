import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStringPromise } from 'xml2js';
import { consoleSummary } from '../../src/conformance/reports/console.js';
import { coverageCsv } from '../../src/conformance/reports/coverage-csv.js';
import { htmlReport } from '../../src/conformance/reports/html.js';
import { writeReports } from '../../src/conformance/reports/index.js';
import { jsonReport } from '../../src/conformance/reports/json.js';
import { junitXml } from '../../src/conformance/reports/junit.js';
import { fhirTestReports } from '../../src/conformance/reports/test-report.js';
import type { CheckResult, Outcome, PackResult, RequirementResult, RunResult, StepResult, TestResult } from '../../src/conformance/result.js';
import { combineOutcomes, countOutcomes } from '../../src/conformance/result.js';

/**
 * The report writers, against a run built by hand: two packs, every outcome, a failing check
 * whose expected and received values hold markup, quotes and a control byte (as a hostile or
 * broken server might answer), and a requirement text that a spreadsheet would run as a formula.
 */

const EXPECTED = 'routed & "ok" <yes>';
const RECEIVED = `<script>alert("x")</script> & 'y'\u0001 end`;
const FORMULA = '=HYPERLINK("http://evil.example/","click")';

function step(id: string, method: string, path: string, outcome: Outcome, checks: CheckResult[], extra: Partial<StepResult> = {}): StepResult {
  return { id, method, path, token: 'police:E23000010 police-submitter law-enforcement', via: 'http', outcome, status: 201, durationMs: 12, checks, ...extra };
}

function test(id: string, title: string, requirements: string[], outcome: Outcome, steps: StepResult[], message?: string): TestResult {
  return {
    id,
    title,
    file: `pack/tests/${id}.yaml`,
    description: { given: `a force (${id})`, when: 'it submits', then: 'it gets a receipt' },
    requirements,
    outcome,
    ...(message ? { message } : {}),
    durationMs: 40,
    steps,
  };
}

function pack(id: string, version: string, title: string, tests: TestResult[], reqs: { id: string; text: string }[]): PackResult {
  const requirements: RequirementResult[] = reqs.map((r) => {
    const covering = tests.filter((t) => t.requirements.includes(r.id));
    return { ...r, source: 'DESIGN.md HTTP API', tests: covering.map((t) => t.id), outcome: combineOutcomes(covering.map((t) => t.outcome)) };
  });
  const outcomes = tests.map((t) => t.outcome);
  return {
    id,
    version,
    title,
    specs: [{ id: 'sgw-api-v1', title: 'Gateway API v1', ref: 'DESIGN.md' }],
    inputs: { force: 'police:E23000010' },
    outcome: combineOutcomes(outcomes),
    counts: countOutcomes(outcomes),
    durationMs: 1234,
    requirements,
    tests,
  };
}

const pass = (d: string): CheckResult => ({ description: d, outcome: 'pass' });

const notifications = pack(
  'police-notifications',
  '0.1.0',
  'Police notifications',
  [
    test('submit-receipt', 'Receipts & re-submission: a valid notification gets a receipt', ['PN-01'], 'pass', [
      step('submit', 'POST', '/notifications', 'pass', [pass('status'), pass('status equals "routed"')]),
    ]),
    test('since-list', 'The force lists what it sent since a date', ['PN-02'], 'fail', [
      step('submit', 'POST', '/notifications', 'pass', [pass('status')]),
      step('list', 'GET', '/notifications?since=2026-01-01', 'fail', [
        pass('status'),
        { description: 'status equals', outcome: 'fail', message: 'the notification is routed', expected: EXPECTED, received: RECEIVED },
      ], { status: 200, message: 'status equals: expected routed' }),
    ], 'list: status equals did not hold'),
    test('la-inbox', 'The LA reads its inbox', ['PN-03'], 'skip', [], 'input la is not configured'),
    test('school-notice', 'A school receives the Encompass notice', ['PN-03'], 'omit', [], 'the target offers no school inbox'),
    test('xml-submit', 'An XML notification is accepted', ['PN-04'], 'error', [], 'connect ECONNREFUSED 127.0.0.1:1'),
  ],
  [
    { id: 'PN-01', text: 'A force submits a notification and receives a 201 receipt' },
    { id: 'PN-02', text: FORMULA },
    { id: 'PN-03', text: 'Recipients read what was routed to them, "in order", with commas' },
    { id: 'PN-04', text: 'XML is accepted' },
  ],
);

const cpis = pack(
  'cpis-query',
  '0.2.0',
  'CP-IS query',
  [
    test('read-plan', 'A plan is read by id', ['CQ-01'], 'pass', [step('read', 'GET', '/CarePlan/123', 'pass', [pass('status')], { via: 'fhir', status: 200 })]),
    test('update-delete', 'A plan is replaced then removed', ['CQ-01', 'CQ-02'], 'pass', [
      step('put', 'PUT', '/CarePlan/123', 'pass', [pass('status')], { status: 200 }),
      step('del', 'DELETE', '/CarePlan/123', 'pass', [pass('status')], { status: 204 }),
    ]),
    test('unused', 'A check with no input', ['CQ-02'], 'skip', [], 'input nhs is not configured'),
  ],
  [
    { id: 'CQ-01', text: 'A plan can be read' },
    { id: 'CQ-02', text: 'A plan can be replaced and removed' },
  ],
);

function runOf(packs: PackResult[]): RunResult {
  const outcomes = packs.flatMap((p) => p.tests.map((t) => t.outcome));
  return {
    tool: { name: 'sgw', version: '0.1.0' },
    target: 'http://gateway.test:8080',
    runId: '424242',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:00:12.300Z',
    durationMs: 12_300,
    outcome: combineOutcomes(outcomes),
    counts: countOutcomes(outcomes),
    packs,
  };
}

const run = runOf([notifications, cpis]);

describe('consoleSummary', () => {
  const text = consoleSummary(run);

  it('prints a line per pack and per test, and the closing count line', () => {
    expect(text).toContain('police-notifications 0.1.0  ERROR  1 passed, 1 failed, 1 skipped, 1 omitted, 1 error');
    expect(text).toContain('cpis-query 0.2.0  PASS  2 passed, 0 failed, 1 skipped, 0 omitted, 0 errors');
    expect(text).toMatch(/^ {2}PASS {3}submit-receipt {2}Receipts & re-submission/m);
    expect(text).toMatch(/^ {2}FAIL {3}since-list {2}/m);
    expect(text).toMatch(/^ {2}SKIP {3}la-inbox /m);
    expect(text).toMatch(/^ {2}OMIT {3}school-notice /m);
    expect(text).toMatch(/^ {2}ERROR {2}xml-submit /m);
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'conformance: 3 passed, 1 failed, 2 skipped, 1 omitted, 1 error (2 packs, 12.3 s) against http://gateway.test:8080',
    );
  });

  it('shows the failing step and check with expected, received and message, without control bytes', () => {
    expect(text).toContain('step list: GET /notifications?since=2026-01-01');
    expect(text).toContain(`expected: ${EXPECTED}`);
    expect(text).toContain(`received: <script>alert("x")</script> & 'y' end`);
    expect(text).toContain('message: the notification is routed');
    expect(text).not.toContain('\u0001');
    // the passing step of the failing test is not listed unless verbose
    expect(text).not.toContain('step submit: POST');
    expect(text).toContain('connect ECONNREFUSED');
  });

  it('lists every step when verbose', () => {
    expect(consoleSummary(run, { verbose: true })).toContain('step submit: POST /notifications');
  });
});

describe('junitXml', () => {
  const xml = junitXml(run);

  it('parses, with one suite per pack and the right counts', async () => {
    const doc = await parseStringPromise(xml);
    const suites = doc.testsuites.testsuite;
    expect(doc.testsuites.$).toMatchObject({ tests: '8', failures: '1', errors: '1', skipped: '3' });
    expect(suites).toHaveLength(2);
    expect(suites[0].$).toMatchObject({ name: 'police-notifications', tests: '5', failures: '1', errors: '1', skipped: '2', time: '1.234', timestamp: run.startedAt });
    expect(suites[1].$).toMatchObject({ name: 'cpis-query', tests: '3', failures: '0', errors: '0', skipped: '1' });
    const props = Object.fromEntries(suites[0].properties[0].property.map((p: any) => [p.$.name, p.$.value]));
    expect(props).toMatchObject({ target: 'http://gateway.test:8080', runId: '424242' });
    expect(suites[0].testcase.map((c: any) => c.$.name)).toContain('submit-receipt: Receipts & re-submission: a valid notification gets a receipt');
    expect(suites[1].testcase.every((c: any) => c.$.classname === 'cpis-query')).toBe(true);
  });

  it('reports the failure with expected and received, the error, and skips', async () => {
    const doc = await parseStringPromise(xml);
    const cases: any[] = doc.testsuites.testsuite[0].testcase;
    const byId = (id: string): any => cases.find((c) => c.$.name.startsWith(`${id}:`));
    const failure = byId('since-list').failure[0];
    expect(failure.$.type).toBe('assertion');
    expect(failure.$.message).toContain(EXPECTED);
    expect(failure.$.message).toContain(`<script>alert("x")</script> & 'y' end`);
    expect(failure._).toContain(`expected: ${EXPECTED}`);
    expect(failure._).toContain(`received: <script>alert("x")</script> & 'y' end`);
    expect(byId('xml-submit').error[0].$.message).toContain('ECONNREFUSED');
    expect(byId('la-inbox').skipped[0].$.message).toContain('input la is not configured');
    expect(byId('school-notice').skipped[0].$.message).toContain('omit');
    expect(byId('submit-receipt').failure).toBeUndefined();
    expect(xml).not.toContain('<script>');
  });
});

describe('htmlReport', () => {
  const html = htmlReport(run);

  it('shows every test title and every outcome word', () => {
    for (const t of [...notifications.tests, ...cpis.tests]) expect(html).toContain(t.title.replace(/&/g, '&amp;'));
    for (const w of ['PASS', 'FAIL', 'SKIP', 'OMIT', 'ERROR']) expect(html).toContain(`>${w}</span>`);
    expect(html).toContain('http://gateway.test:8080');
    expect(html).toContain('2026-03-02 10:00:00 UTC');
  });

  it('escapes what the target answered and loads nothing from elsewhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(html).toContain('routed &amp; &quot;ok&quot; &lt;yes&gt;');
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/href=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toContain('\u0001');
  });

  it('has the accessible basics: a language, headings in order, table headers', () => {
    expect(html).toMatch(/<html lang="en">/);
    const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
    const tables = html.split('<table').slice(1);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) expect(t.slice(0, t.indexOf('</table>'))).toContain('<th scope="col">');
  });

  it('has the coverage table with each requirement and its covering tests', () => {
    expect(html).toContain('=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click&quot;)');
    expect(html).toMatch(/<tr id="req--police-notifications--PN-03"><th scope="row">PN-03<\/th>.*la-inbox.*school-notice.*SKIP/);
  });
});

describe('fhirTestReports', () => {
  const bundle = fhirTestReports(run);
  const reports = (bundle.entry ?? []).map((e) => e.resource as fhir4.TestReport);

  it('is a collection of one TestReport per pack with result and score', () => {
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expect(reports.map((r) => r.resourceType)).toEqual(['TestReport', 'TestReport']);
    const [pn, cq] = reports as [fhir4.TestReport, fhir4.TestReport];
    expect(pn.result).toBe('fail');
    expect(pn.score).toBe(33.33); // 1 passed of 3 run (fail and error count, skip and omit do not)
    expect(cq.result).toBe('pass');
    expect(cq.score).toBe(100);
    expect(pn).toMatchObject({
      status: 'completed',
      tester: 'sgw conformance',
      issued: run.finishedAt,
      testScript: { display: 'conformance pack police-notifications 0.1.0', identifier: { system: 'https://sgw.example/conformance/pack', value: 'police-notifications' } },
    });
    expect(pn.participant).toContainEqual(expect.objectContaining({ type: 'server', uri: 'http://gateway.test:8080' }));
    expect(pn.participant?.some((p) => p.type === 'client')).toBe(true);
    expect(pn.test).toHaveLength(5);
    expect(cq.test).toHaveLength(3);
  });

  it('gives an operation per request and an assert per check, with expected and received', () => {
    const pn = reports[0]!;
    const failing = pn.test!.find((t) => t.name?.startsWith('since-list'))!;
    expect(failing.description).toContain('PN-02');
    const kinds = failing.action.map((a) => (a.operation ? `op:${a.operation.result}` : `assert:${a.assert!.result}`));
    expect(kinds).toEqual(['op:pass', 'assert:pass', 'op:fail', 'assert:pass', 'assert:fail']);
    const failedAssert = failing.action.at(-1)!.assert!;
    expect(failedAssert.message).toContain(`expected: ${EXPECTED}`);
    expect(failedAssert.message).toContain(`received: <script>alert("x")</script> & 'y' end`); // the control byte is not a valid FHIR string character
    expect(failing.action[0]!.operation!.message).toMatch(/^create: POST \/notifications/);
    expect(failing.action[2]!.operation!.message).toMatch(/^search: GET /);
    const results = Object.fromEntries(pn.test!.map((t) => [t.name!.split(':')[0], t.action.map((a) => (a.operation ?? a.assert)!.result)]));
    expect(results).toMatchObject({ 'la-inbox': ['skip'], 'school-notice': ['skip'], 'xml-submit': ['error'] });
    const ops = reports[1]!.test!.flatMap((t) => t.action.flatMap((a) => (a.operation ? [a.operation.message!.split(':')[0]] : [])));
    expect(ops).toEqual(['read', 'update', 'delete', 'input nhs is not configured']); // the skipped test sent nothing, so its one action says why
  });

  it('is pending with no score when every test was skipped or omitted', () => {
    const skipped = pack('idle', '1.0.0', 'Idle', [test('a', 'A', ['I-01'], 'skip', []), test('b', 'B', ['I-01'], 'omit', [])], [{ id: 'I-01', text: 'x' }]);
    const r = fhirTestReports(runOf([skipped])).entry![0]!.resource as fhir4.TestReport;
    expect(r.result).toBe('pending');
    expect(r.score).toBeUndefined();
  });
});

describe('coverageCsv', () => {
  const csv = coverageCsv(run);
  const rows: string[][] = parseCsv(csv);

  it('has the header and one row per requirement of every pack', () => {
    expect(rows[0]).toEqual(['pack', 'requirement', 'text', 'source', 'tests', 'outcome']);
    expect(rows.slice(1).map((r) => `${r[0]} ${r[1]}`)).toEqual([
      'police-notifications PN-01',
      'police-notifications PN-02',
      'police-notifications PN-03',
      'police-notifications PN-04',
      'cpis-query CQ-01',
      'cpis-query CQ-02',
    ]);
    expect(rows[3]).toEqual(['police-notifications', 'PN-03', 'Recipients read what was routed to them, "in order", with commas', 'DESIGN.md HTTP API', 'la-inbox school-notice', 'skip']);
    expect(rows[6]![4]).toBe('update-delete unused');
  });

  it('neutralises a cell a spreadsheet would run as a formula', () => {
    expect(rows[2]![2]).toBe(`'${FORMULA}`);
    expect(csv).not.toMatch(/(^|,)"?=/m);
  });
});

describe('writeReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgw-reports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each requested report, creating folders, and nothing else', async () => {
    const targets = {
      json: join(dir, 'a', 'run.json'),
      junit: join(dir, 'b', 'c', 'junit.xml'),
      html: join(dir, 'report.html'),
      testreport: join(dir, 'fhir', 'testreport.json'),
    };
    const written = await writeReports(run, targets);
    expect(written).toEqual(Object.values(targets));
    expect(JSON.parse(readFileSync(targets.json, 'utf8'))).toEqual(run);
    expect(readFileSync(targets.json, 'utf8')).toBe(jsonReport(run));
    expect(readFileSync(targets.junit, 'utf8')).toBe(junitXml(run));
    expect(readFileSync(targets.html, 'utf8')).toContain('<!DOCTYPE html>');
    expect(JSON.parse(readFileSync(targets.testreport, 'utf8'))).toEqual(fhirTestReports(run));
    expect(existsSync(join(dir, 'coverage.csv'))).toBe(false);
    await writeReports(run, { coverage: join(dir, 'coverage.csv') });
    expect(readFileSync(join(dir, 'coverage.csv'), 'utf8')).toBe(coverageCsv(run));
  });

  it('refuses a format it does not know', async () => {
    await expect(writeReports(run, { pdf: join(dir, 'x.pdf') } as never)).rejects.toThrow(/unknown report format "pdf"/);
  });
});

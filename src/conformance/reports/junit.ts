/**
 * JUnit XML, the report CI systems (GitLab, Jenkins, GitHub actions) read: a `<testsuite>` per
 * pack, a `<testcase>` per test, `<failure>` for fail, `<error>` for error and `<skipped>` for
 * skip and omit. Written by hand; every value from the run is escaped.
 */
import type { CheckResult, PackResult, RunResult, StepResult, TestResult } from '../result.js';
import { countOutcomes } from '../result.js';
import { escapeXml, escapeXmlAttr, seconds } from './text.js';

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');
}

function property(name: string, value: string): string {
  return `      <property${attrs({ name, value })}/>`;
}

function checkText(step: StepResult, c: CheckResult): string {
  const lines = [`step ${step.id}: ${step.method} ${step.path} (token ${step.token}) -> ${step.status ?? 'no answer'}`, `${c.outcome}: ${c.description}`];
  if (c.expected !== undefined) lines.push(`expected: ${c.expected}`);
  if (c.received !== undefined) lines.push(`received: ${c.received}`);
  if (c.message !== undefined) lines.push(`message: ${c.message}`);
  return lines.join('\n');
}

/** The failure's body: every check that did not pass, with expected and received, and the message of a step that failed without one. */
function failureBody(t: TestResult): string {
  const parts: string[] = [];
  for (const s of t.steps) {
    const bad = s.checks.filter((c) => c.outcome !== 'pass');
    for (const c of bad) parts.push(checkText(s, c));
    if (bad.length === 0 && s.outcome !== 'pass' && s.message) parts.push(`step ${s.id}: ${s.method} ${s.path}: ${s.message}`);
  }
  if (parts.length === 0 && t.message) parts.push(t.message);
  return parts.join('\n\n');
}

/** The one-line message: the first failing check's, with expected and received (what a CI page shows first), else the test's own, else the first failing step's. */
function failureMessage(t: TestResult): string {
  for (const s of t.steps) {
    const c = s.checks.find((x) => x.outcome !== 'pass');
    if (c) {
      const er = c.expected !== undefined || c.received !== undefined ? ` (expected ${c.expected ?? '?'}, received ${c.received ?? '?'})` : '';
      return `${s.id}: ${c.message ?? c.description}${er}`;
    }
  }
  if (t.message) return t.message;
  for (const s of t.steps) {
    if (s.outcome !== 'pass' && s.message) return `${s.id}: ${s.message}`;
  }
  return t.outcome;
}

function testcase(p: PackResult, t: TestResult): string {
  const open = `    <testcase${attrs({ classname: p.id, name: `${t.id}: ${t.title}`, file: t.file, time: seconds(t.durationMs) })}`;
  switch (t.outcome) {
    case 'pass':
      return `${open}/>`;
    case 'fail':
      return `${open}>\n      <failure${attrs({ message: failureMessage(t), type: 'assertion' })}>${escapeXml(failureBody(t))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error${attrs({ message: failureMessage(t), type: 'error' })}>${escapeXml(failureBody(t))}</error>\n    </testcase>`;
    case 'skip':
    case 'omit':
      return `${open}>\n      <skipped${attrs({ message: `${t.outcome}: ${t.message ?? (t.outcome === 'skip' ? 'not run' : 'not applicable to the target')}` })}/>\n    </testcase>`;
  }
}

function testsuite(run: RunResult, p: PackResult): string {
  const c = countOutcomes(p.tests.map((t) => t.outcome));
  const head = `  <testsuite${attrs({
    name: p.id,
    tests: p.tests.length,
    failures: c.fail,
    errors: c.error,
    skipped: c.skip + c.omit,
    time: seconds(p.durationMs),
    timestamp: run.startedAt,
  })}>`;
  const props = [
    '    <properties>',
    property('target', run.target),
    property('runId', run.runId),
    property('pack.version', p.version),
    property('pack.title', p.title),
    ...Object.entries(p.inputs).map(([k, v]) => property(`input.${k}`, v)),
    '    </properties>',
  ];
  return [head, ...props, ...p.tests.map((t) => testcase(p, t)), '  </testsuite>'].join('\n');
}

/**
 * The run as JUnit XML: `<testsuites>` with one `<testsuite>` per pack (tests, failures,
 * errors, skipped — skip and omit both count as skipped — time in seconds, the run's start as
 * timestamp, target and run id as properties) and a `<testcase classname="<pack id>"
 * name="<test id>: <title>">` per test.
 */
export function junitXml(run: RunResult): string {
  const c = countOutcomes(run.packs.flatMap((p) => p.tests.map((t) => t.outcome)));
  const head = `<testsuites${attrs({
    name: `${run.tool.name} conformance ${run.runId}`,
    tests: c.pass + c.fail + c.skip + c.omit + c.error,
    failures: c.fail,
    errors: c.error,
    skipped: c.skip + c.omit,
    time: seconds(run.durationMs),
    timestamp: run.startedAt,
  })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...run.packs.map((p) => testsuite(run, p)), '</testsuites>', ''].join('\n');
}

/**
 * FHIR R4 TestReports, one per pack, in a `collection` Bundle: the form a FHIR-minded
 * integrator (or a tool such as Touchstone or Inferno) can file alongside its own results.
 */
import type { CheckResult, Outcome, PackResult, RunResult, StepResult, TestResult } from '../result.js';
import { countOutcomes } from '../result.js';
import { stripInvalidXmlChars as fhirText } from './text.js';

type ActionResult = fhir4.TestReportSetupActionOperation['result'];

export const PACK_IDENTIFIER_SYSTEM = 'https://sgw.example/conformance/pack';
export const RUN_IDENTIFIER_SYSTEM = 'https://sgw.example/conformance/run';

// FHIR strings allow no control characters but tab, CR and LF (the same set XML 1.0 allows), so text from an answer is cleaned

/** R4 action results are pass | skip | fail | warning | error; omit (not applicable) is a skip. */
function actionResult(o: Outcome): ActionResult {
  return o === 'omit' ? 'skip' : o;
}

/** The pack's TestReport.result: any fail or error fails it; nothing but skip/omit leaves it pending. */
function reportResult(o: Outcome): fhir4.TestReport['result'] {
  if (o === 'pass') return 'pass';
  if (o === 'fail' || o === 'error') return 'fail';
  return 'pending';
}

/** The code for a request in http://terminology.hl7.org/CodeSystem/testscript-operation-codes, roughly from its method. */
export function operationCode(method: string, path: string): string {
  switch (method.toUpperCase()) {
    case 'GET':
      return path.includes('?') ? 'search' : 'read';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    case 'HEAD':
      return 'read';
    default:
      return method.toLowerCase();
  }
}

function checkMessage(c: CheckResult): string {
  const parts = [c.description];
  if (c.message) parts.push(c.message);
  if (c.expected !== undefined) parts.push(`expected: ${c.expected}`);
  if (c.received !== undefined) parts.push(`received: ${c.received}`);
  return fhirText(parts.join('\n'));
}

function operation(s: StepResult): fhir4.TestReportSetupAction {
  const answer = s.status === undefined ? 'no answer' : `status ${s.status}`;
  // R4 TestReport's operation has no type element (TestScript's has): the code leads the message instead
  const head = `${operationCode(s.method, s.path)}: ${s.method} ${s.path}, token ${s.token}, ${answer}, ${s.durationMs} ms`;
  return { operation: { result: actionResult(s.outcome), message: fhirText(s.message ? `${head}\n${s.message}` : head) } };
}

function testEntry(t: TestResult): fhir4.TestReportTest {
  const action: fhir4.TestReportTestAction[] = [];
  for (const s of t.steps) {
    action.push(operation(s));
    for (const c of s.checks) action.push({ assert: { result: c.outcome, message: checkMessage(c) } });
  }
  // a test that sent nothing (skipped, omitted, a broken pack) still needs one action to say why
  if (action.length === 0) action.push({ operation: { result: actionResult(t.outcome), message: fhirText(t.message ?? `${t.outcome}: no request was sent`) } });
  const { given, when, then } = t.description;
  return {
    name: fhirText(`${t.id}: ${t.title}`),
    description: fhirText(`Requirements: ${t.requirements.join(', ')}\nGiven ${given}\nWhen ${when}\nThen ${then}`),
    action,
  };
}

/** Percentage of the pack's tests that passed among those run (not skipped or omitted), to two decimals; none run gives no score. */
function score(p: PackResult): number | undefined {
  const c = countOutcomes(p.tests.map((t) => t.outcome));
  const ran = c.pass + c.fail + c.error;
  return ran === 0 ? undefined : Math.round((c.pass / ran) * 10_000) / 100;
}

function testReport(run: RunResult, p: PackResult): fhir4.TestReport {
  const s = score(p);
  return {
    resourceType: 'TestReport',
    id: `${p.id}-${run.runId}`.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64),
    identifier: { system: RUN_IDENTIFIER_SYSTEM, value: `${run.runId}/${p.id}` },
    name: `${p.title} (${p.id} ${p.version})`,
    status: 'completed',
    testScript: { display: `conformance pack ${p.id} ${p.version}`, identifier: { system: PACK_IDENTIFIER_SYSTEM, value: p.id } },
    result: reportResult(p.outcome),
    ...(s === undefined ? {} : { score: s }),
    tester: 'sgw conformance',
    issued: run.finishedAt,
    participant: [
      { type: 'server', uri: run.target },
      { type: 'client', uri: `urn:sgw:conformance:${encodeURIComponent(run.tool.name)}:${encodeURIComponent(run.tool.version)}`, display: `${run.tool.name} ${run.tool.version}` },
    ],
    test: p.tests.map(testEntry),
  };
}

/**
 * The run as a FHIR R4 `collection` Bundle of one TestReport per pack: result pass / fail /
 * pending (only skipped or omitted tests), score the percentage passed of the tests run, the
 * target as server participant, and per test an operation action per request followed by an
 * assert action per check (expected and received in its message); requirement ids lead
 * `test.description`.
 */
export function fhirTestReports(run: RunResult): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: run.finishedAt,
    entry: run.packs.map((p) => ({ resource: testReport(run, p) })),
  };
}

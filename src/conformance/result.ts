/**
 * What a conformance run found, in the result vocabulary of Inferno test kits: a test
 * passes, fails (a status or assertion did not hold), is skipped (an input or token it needs
 * is not configured), omitted (the target says it does not offer what the test checks) or in
 * error (the request could not be made, or the pack itself is broken). Every report format
 * (console, JSON, JUnit XML, HTML, FHIR TestReport, coverage CSV) is written from these.
 */

export const OUTCOMES = ['pass', 'fail', 'skip', 'omit', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type OutcomeCounts = Record<Outcome, number>;

/** One check of a response: the HTTP status, an assertion of the pack, or an audit check. */
export interface CheckResult {
  /** What was checked, e.g. `status`, `issue.code contains "invalid"`, `header Location matches …`, `audit gained search:CareTeam`. */
  description: string;
  outcome: 'pass' | 'fail' | 'error';
  /** The pack's own words for what the check means, when it gave them. */
  message?: string;
  /** What the pack expected, as text. */
  expected?: string;
  /** What the target answered, as text (shortened when long). */
  received?: string;
}

/** One request of a test, as sent and as answered. */
export interface StepResult {
  id: string;
  method: string;
  /** Path and query after substitution, relative to the target. */
  path: string;
  /** The token the step asked for, described without the token itself (e.g. `la:383 la-social-worker safeguarding-s47`, `none`). */
  token: string;
  /** Whether the request went through the FHIR client (fhir-kit-client) or plain HTTP. */
  via: 'fhir' | 'http';
  outcome: Outcome;
  /** The answer's status, when there was an answer. */
  status?: number;
  durationMs: number;
  checks: CheckResult[];
  /** Why the step is skip, omit or error; the first failing check's summary when fail. */
  message?: string;
}

export interface TestResult {
  id: string;
  title: string;
  /** The test file, relative to the packs folder (e.g. `cpis-query/tests/01-search.yaml`). */
  file: string;
  description: { given: string; when: string; then: string };
  requirements: string[];
  outcome: Outcome;
  message?: string;
  durationMs: number;
  steps: StepResult[];
}

export interface RequirementResult {
  id: string;
  text: string;
  source: string;
  /** Ids of the tests that cover it. */
  tests: string[];
  /** pass when every covering test passed; otherwise the worst outcome among them. */
  outcome: Outcome;
}

export interface PackResult {
  id: string;
  version: string;
  title: string;
  description?: string;
  specs: { id: string; title: string; ref: string }[];
  /** The inputs the run used (defaults and overrides). */
  inputs: Record<string, string>;
  outcome: Outcome;
  counts: OutcomeCounts;
  durationMs: number;
  requirements: RequirementResult[];
  tests: TestResult[];
}

export interface RunResult {
  tool: { name: string; version: string };
  /** The base URL of the gateway under test. */
  target: string;
  /** Digits unique to the run, used in references so runs do not collide. */
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: Outcome;
  counts: OutcomeCounts;
  packs: PackResult[];
}

/** Worst first: one error or fail makes the whole fail; skip and omit do not hide a pass. */
const SEVERITY: Record<Outcome, number> = { error: 4, fail: 3, skip: 1, omit: 0, pass: 2 };

/**
 * The outcome of a group (test, pack, run, requirement) from its members: error if any
 * errored, else fail if any failed, else pass if any passed, else skip, else omit. An empty
 * group is omit.
 */
export function combineOutcomes(outcomes: readonly Outcome[]): Outcome {
  let worst: Outcome = 'omit';
  for (const o of outcomes) if (SEVERITY[o] > SEVERITY[worst]) worst = o;
  return worst;
}

export function countOutcomes(outcomes: readonly Outcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { pass: 0, fail: 0, skip: 0, omit: 0, error: 0 };
  for (const o of outcomes) counts[o] += 1;
  return counts;
}

/** True when the run should exit non-zero: something failed or errored. */
export function runFailed(run: RunResult): boolean {
  return run.counts.fail > 0 || run.counts.error > 0;
}

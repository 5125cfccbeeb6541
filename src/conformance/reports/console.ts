/**
 * The terminal summary of a run: a line per pack and per test, the failing step and checks of
 * each failing or erroring test (expected, received, message), and one closing count line.
 * Plain text, no colours: it is also what a CI log shows.
 */
import type { CheckResult, OutcomeCounts, RunResult, StepResult, TestResult } from '../result.js';
import { outcomeWord, plainText, plural } from './text.js';

export interface ConsoleOptions {
  /** Also list every step and check of every test, passing ones included. */
  verbose?: boolean;
}

/** `54 passed, 2 failed, 1 skipped, 0 omitted, 0 errors`. */
export function countsText(c: OutcomeCounts): string {
  return `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped, ${c.omit} omitted, ${plural(c.error, 'error')}`;
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `label: value`, later lines of a multi-line value indented under the first. */
function field(indent: string, label: string, value: string): string {
  const pad = `${indent}${' '.repeat(label.length + 2)}`;
  return `${indent}${label}: ${plainText(value).split(/\r?\n/).join(`\n${pad}`)}`;
}

function stepLine(s: StepResult): string {
  const answer = s.status === undefined ? 'no answer' : `${s.status}`;
  return `step ${s.id}: ${s.method} ${s.path} (token ${s.token}) -> ${answer}, ${s.durationMs} ms  ${outcomeWord(s.outcome)}`;
}

function checkLines(c: CheckResult, indent: string, detail: boolean): string[] {
  const lines = [`${indent}${outcomeWord(c.outcome).padEnd(5)} ${plainText(c.description)}`];
  if (!detail) return lines;
  const sub = `${indent}      `;
  if (c.expected !== undefined) lines.push(field(sub, 'expected', c.expected));
  if (c.received !== undefined) lines.push(field(sub, 'received', c.received));
  if (c.message !== undefined) lines.push(field(sub, 'message', c.message));
  return lines;
}

function testLines(t: TestResult, verbose: boolean): string[] {
  const lines = [`  ${outcomeWord(t.outcome).padEnd(5)}  ${t.id}  ${plainText(t.title)}`];
  const indent = '         ';
  const failed = t.outcome === 'fail' || t.outcome === 'error';
  if (!failed && !verbose) {
    if ((t.outcome === 'skip' || t.outcome === 'omit') && t.message) lines.push(field(indent, 'reason', t.message));
    return lines;
  }
  const steps = verbose ? t.steps : t.steps.filter((s) => s.outcome === 'fail' || s.outcome === 'error');
  for (const s of steps) {
    lines.push(`${indent}${plainText(stepLine(s))}`);
    const checks = verbose ? s.checks : s.checks.filter((c) => c.outcome !== 'pass');
    for (const c of checks) lines.push(...checkLines(c, `${indent}  `, c.outcome !== 'pass'));
    // an error before any check (no answer, a broken pack) is explained only by the step's message
    if (s.message && !s.checks.some((c) => c.outcome !== 'pass') && s.outcome !== 'pass') lines.push(field(`${indent}  `, 'message', s.message));
  }
  if (t.message && (steps.length === 0 || !failed)) lines.push(field(indent, 'message', t.message));
  return lines;
}

/**
 * The run as terminal text: per pack `id version OUTCOME counts`, per test
 * `  PASS   id  title`, the failing steps and checks of failing and erroring tests (every step
 * with `verbose`), and a closing line such as
 * `conformance: 54 passed, 2 failed, 1 skipped, 0 omitted, 0 errors (7 packs, 12.3 s) against http://…`.
 * Control characters from the target's answers are dropped.
 */
export function consoleSummary(run: RunResult, opts: ConsoleOptions = {}): string {
  const verbose = opts.verbose ?? false;
  const lines: string[] = [];
  for (const p of run.packs) {
    lines.push(`${p.id} ${p.version}  ${outcomeWord(p.outcome)}  ${countsText(p.counts)} (${secondsText(p.durationMs)})`);
    for (const t of p.tests) lines.push(...testLines(t, verbose));
    lines.push('');
  }
  lines.push(
    `conformance: ${countsText(run.counts)} (${plural(run.packs.length, 'pack')}, ${secondsText(run.durationMs)}) against ${plainText(run.target)}`,
  );
  return `${lines.join('\n')}\n`;
}

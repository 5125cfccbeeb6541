import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nhsCheckDigit } from '../model/nhs-number.js';
import { assertionCheck, evaluate, show, statusCheck } from './checks.js';
import type { LoadedPack, PackTest, RequestStep, TokenSpec } from './pack.js';
import { InputNotConfigured, loadPack, requestBody, substitute, substituteJson } from './pack.js';
import type { CheckResult, Outcome, PackResult, RequirementResult, RunResult, StepResult, TestResult } from './result.js';
import { combineOutcomes, countOutcomes } from './result.js';
import type { Answer } from './send.js';
import { TargetClient } from './send.js';
import type { TokenRequest, TokenSource } from './tokens.js';
import { cachedTokens, describeToken, tokenUser, withDerivedVariants } from './tokens.js';

export interface RunOptions {
  /** Base URL of the gateway under test, e.g. http://localhost:8080. */
  target: string;
  /** The folder holding the packs (one sub-folder each). */
  packsDir: string;
  /** Only these packs (ids); default every pack in the folder. */
  packs?: string[] | undefined;
  /** Values for the packs' inputs, overriding their defaults (the same name applies to every pack that has it). */
  inputs?: Readonly<Record<string, string>> | undefined;
  tokens: TokenSource;
  /** Digits unique to the run; default from the clock. */
  runId?: string | undefined;
  tool: { name: string; version: string };
  /** Called as each test ends, for progress on a terminal. */
  onTest?: ((pack: string, test: TestResult) => void) | undefined;
}

/** Every pack folder under the packs folder, by id. */
export function listPacks(packsDir: string): string[] {
  return readdirSync(packsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(packsDir, d.name, 'pack.yaml')))
    .map((d) => d.name)
    .sort();
}

/** What the target's CapabilityStatement offers, as the `requires` strings of a test name them. */
export function offered(cs: fhir4.CapabilityStatement): Set<string> {
  const out = new Set<string>();
  for (const rest of cs.rest ?? []) {
    for (const i of rest.interaction ?? []) out.add(`system:${i.code}`);
    for (const o of rest.operation ?? []) out.add(`system:$${o.name}`);
    for (const r of rest.resource ?? []) {
      for (const i of r.interaction ?? []) out.add(`${r.type}:${i.code}`);
      for (const o of r.operation ?? []) out.add(`${r.type}:$${o.name}`);
    }
  }
  return out;
}

/**
 * Run variables besides `run.id`: `run.nhs1` … `run.nhs9`, NHS numbers in the test range
 * (999…, never issued) with a valid check digit, different in every run, so a pack can
 * create children that no earlier run against the same deployment has touched. `slot` is
 * the pack's place in the run: each pack of a run gets nine numbers no other pack of the
 * run has (one sequence, nine numbers a slot), so two packs never share a child.
 */
export function runVariables(runId: string, slot = 0): Record<string, string> {
  const vars: Record<string, string> = { 'run.id': runId };
  const seed = Number(BigInt(`0x${createHash('sha256').update(runId).digest('hex').slice(0, 12)}`) % 1_000_000n);
  const used = new Set<string>();
  // 7919 is prime to 1 000 000, so the sequence repeats no number before a million steps.
  for (let n = 0, attempt = 0; n < 9 * (slot + 1); attempt++) {
    const nine = `999${String((seed + attempt * 7919) % 1_000_000).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check === null || used.has(nine)) continue;
    used.add(nine);
    if (n >= 9 * slot) vars[`run.nhs${n - 9 * slot + 1}`] = `${nine}${check}`;
    n++;
  }
  return vars;
}

const elapsed = (start: number) => Math.round((performance.now() - start) * 10) / 10;

/** A test cannot go on: the step's outcome and why. */
class StepStop extends Error {
  constructor(
    readonly outcome: Outcome,
    message: string,
  ) {
    super(message);
  }
}

interface RunContext {
  client: TargetClient;
  tokens: TokenSource;
  runId: string;
}

function tokenRequest(spec: TokenSpec, vars: Readonly<Record<string, string>>, runId: string): TokenRequest | null {
  if (spec === 'none') return null;
  const s = substituteJson(spec, vars) as Exclude<TokenSpec, 'none'>;
  return { agency: s.agency, role: s.role, purpose: s.purpose, user: s.user ?? `conformance-${runId}`, variant: s.variant ?? 'valid' };
}

async function obtainToken(ctx: RunContext, req: TokenRequest): Promise<string> {
  const token = await ctx.tokens(req);
  if (token === null) throw new StepStop('skip', `no token for ${describeToken(req)}: the token source cannot give it`);
  return token;
}

/**
 * How many AuditEvents of a kind an auditor of the agency finds for a user. The gateway's
 * AuditEvents carry the kind (`action:resourceType`) as a subtype coding.
 */
async function auditCount(ctx: RunContext, agency: string, user: string, kind: string, outcome: 'success' | 'failure' | undefined): Promise<number> {
  const auditor = await obtainToken(ctx, { agency, role: 'auditor', purpose: 'audit', user: `conformance-${ctx.runId}-auditor`, variant: 'valid' });
  const { answer } = await ctx.client.send({ method: 'GET', path: `/fhir/AuditEvent?agent=${encodeURIComponent(user)}&_count=500`, headers: { Authorization: `Bearer ${auditor}` } });
  if (answer.status !== 200) throw new StepStop('fail', `the audit trail could not be read: GET /fhir/AuditEvent answered ${answer.status}: ${show(answer.text)}`);
  const outcomeFilter = outcome === undefined ? '' : outcome === 'success' ? " and outcome = '0'" : " and outcome != '0'";
  return evaluate(answer.json, `entry.resource.where(subtype.code contains '${kind.replaceAll("'", "\\'")}'${outcomeFilter})`).length;
}

async function runStep(ctx: RunContext, loaded: LoadedPack, step: RequestStep, vars: Record<string, string>): Promise<StepResult> {
  const start = performance.now();
  const result: StepResult = { id: step.id, method: step.method, path: step.path, token: 'none', via: 'http', outcome: 'pass', durationMs: 0, checks: [] };
  try {
    let path: string;
    let headers: Record<string, string>;
    let body: ReturnType<typeof requestBody>;
    let tokenReq: TokenRequest | null;
    try {
      path = substitute(step.path, vars);
      result.path = path;
      headers = substituteJson(step.headers, vars) as Record<string, string>;
      body = requestBody(loaded.dir, step, vars);
      tokenReq = tokenRequest(step.token, vars, ctx.runId);
    } catch (err) {
      if (err instanceof InputNotConfigured) throw new StepStop('skip', err.message);
      throw new StepStop('error', `the pack is broken: ${err instanceof Error ? err.message : String(err)}`);
    }
    result.token = describeToken(tokenReq);
    const token = tokenReq ? await obtainToken(ctx, tokenReq) : null;
    if (token) headers = { ...headers, Authorization: `Bearer ${token}` };
    const auditUser = step.audit && tokenReq && token ? (tokenUser(token) ?? tokenReq.user) : null;
    if (step.audit && !auditUser) throw new StepStop('error', 'the pack is broken: an audit check needs a request made with a token');
    const before = step.audit && auditUser ? await auditCount(ctx, tokenReq!.agency, auditUser, step.audit.kind, step.audit.outcome) : 0;

    let answer: Answer;
    try {
      const sent = await ctx.client.send({ method: step.method, path, headers, ...(body?.json !== undefined ? { json: body.json } : {}), ...(body?.text !== undefined ? { text: body.text } : {}) });
      answer = sent.answer;
      result.via = sent.via;
    } catch (err) {
      throw new StepStop('error', `the request could not be made: ${err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)}`);
    }
    result.status = answer.status;
    const checks: CheckResult[] = [statusCheck(step.status, answer.status), ...step.assert.map((a) => assertionCheck(a, answer, vars))];
    for (const [name, expr] of Object.entries(step.capture)) {
      let values: unknown[] = [];
      try {
        values = answer.json === undefined ? [] : evaluate(answer.json, expr);
      } catch {
        values = [];
      }
      const first = values[0];
      if (typeof first === 'string' || typeof first === 'number' || typeof first === 'boolean') vars[name] = String(first);
      else checks.push({ description: `capture ${name} = ${expr}`, outcome: 'fail', expected: 'a value to capture', received: show(values) });
    }
    if (step.audit && auditUser) {
      const after = await auditCount(ctx, tokenReq!.agency, auditUser, step.audit.kind, step.audit.outcome);
      checks.push({
        description: `audit gained ${step.audit.kind}${step.audit.outcome ? ` (${step.audit.outcome})` : ''}`,
        outcome: after > before ? 'pass' : 'fail',
        expected: `more than ${before} AuditEvent(s) of kind ${step.audit.kind} by ${auditUser}`,
        received: `${after}`,
      });
    }
    result.checks = checks;
    const bad = checks.find((c) => c.outcome !== 'pass');
    if (bad) {
      result.outcome = bad.outcome === 'error' ? 'error' : 'fail';
      result.message = `${bad.description}: expected ${bad.expected ?? '?'}, received ${bad.received ?? '?'}${bad.message ? ` (${bad.message})` : ''}`;
    }
  } catch (err) {
    if (!(err instanceof StepStop)) throw err;
    result.outcome = err.outcome;
    result.message = err.message;
  }
  result.durationMs = elapsed(start);
  return result;
}

async function runTest(ctx: RunContext, loaded: LoadedPack, file: string, test: PackTest, baseVars: Readonly<Record<string, string>>, capabilities: Set<string> | null): Promise<TestResult> {
  const start = performance.now();
  const result: TestResult = {
    id: test.id,
    title: test.title,
    file: relative(join(loaded.dir, '..'), file),
    description: test.description,
    requirements: test.requirements,
    outcome: 'pass',
    durationMs: 0,
    steps: [],
  };
  const missing = capabilities ? test.requires.filter((r) => !capabilities.has(r)) : [];
  if (missing.length > 0) {
    result.outcome = 'omit';
    result.message = `the target's CapabilityStatement does not offer ${missing.join(', ')}`;
    return result;
  }
  const vars = { ...baseVars };
  for (const step of test.requests) {
    const s = await runStep(ctx, loaded, step, vars);
    result.steps.push(s);
    if (s.outcome !== 'pass') {
      result.outcome = s.outcome;
      result.message = `${step.id}: ${s.message ?? s.outcome}`;
      break;
    }
  }
  result.durationMs = elapsed(start);
  return result;
}

function requirementResults(loaded: LoadedPack, tests: TestResult[]): RequirementResult[] {
  return loaded.pack.requirements.map((r) => {
    const covering = tests.filter((t) => t.requirements.includes(r.id));
    return { id: r.id, text: r.text, source: r.source, tests: covering.map((t) => t.id), outcome: combineOutcomes(covering.map((t) => t.outcome)) };
  });
}

/**
 * Runs conformance packs against a gateway: each test's requests in order, with the
 * tokens its steps name, checking status, assertions and audit after each; a step that
 * does not pass ends its test. Tests run one at a time, in file order, so a run's
 * requests can be read in the target's audit trail in the order they were made.
 */
export async function runPacks(opts: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const start = performance.now();
  const runId = opts.runId ?? String(Date.now()).slice(-9);
  const available = listPacks(opts.packsDir);
  const ids = opts.packs ?? available;
  const unknown = ids.filter((id) => !available.includes(id));
  if (unknown.length > 0) throw new Error(`no pack ${unknown.join(', ')} in ${opts.packsDir} (packs: ${available.join(', ')})`);
  const loadedPacks = ids.map((id) => loadPack(join(opts.packsDir, id)));
  const target = opts.target.replace(/\/+$/, '');
  const ctx: RunContext = { client: new TargetClient(target), tokens: cachedTokens(withDerivedVariants(opts.tokens)), runId };
  const cs = await ctx.client.capabilities();
  const capabilities = cs ? offered(cs) : null;

  const packs: PackResult[] = [];
  for (const [slot, loaded] of loadedPacks.entries()) {
    const packStart = performance.now();
    const inputs = Object.fromEntries(Object.entries(loaded.pack.inputs).map(([k, v]) => [k, opts.inputs?.[k] ?? v.default]));
    const baseVars = { ...runVariables(runId, slot), ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`input.${k}`, v])) };
    const tests: TestResult[] = [];
    for (const { file, test } of loaded.tests) {
      const t = await runTest(ctx, loaded, file, test, baseVars, capabilities);
      tests.push(t);
      opts.onTest?.(loaded.pack.id, t);
    }
    const outcomes = tests.map((t) => t.outcome);
    packs.push({
      id: loaded.pack.id,
      version: loaded.pack.version,
      title: loaded.pack.title,
      ...(loaded.pack.description ? { description: loaded.pack.description.trim() } : {}),
      specs: loaded.pack.specs,
      inputs,
      outcome: combineOutcomes(outcomes),
      counts: countOutcomes(outcomes),
      durationMs: elapsed(packStart),
      requirements: requirementResults(loaded, tests),
      tests,
    });
  }
  const all = packs.flatMap((p) => p.tests.map((t) => t.outcome));
  return {
    tool: opts.tool,
    target,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: elapsed(start),
    outcome: combineOutcomes(all),
    counts: countOutcomes(all),
    packs,
  };
}

import type { GatewayIssue } from '../errors/gateway-error.js';

/** The published rule sets the gateway checks. */
export type RuleSet = 'CIN' | 'SSDA903';

/** One place where a rule was broken. */
export interface RuleFinding {
  /** Path of the offending element in the message, e.g. `Message.Children.Child[2].CINdetails[0].CINclosureDate`. */
  path: string;
  /** The value received, shown in the message (never logged). */
  value?: unknown;
  /** Extra detail, appended to the published message. */
  detail?: string;
}

/**
 * A published DfE validation rule, one per file. `code` is the DfE rule code as published
 * (`8925`, `8525Q`, `103`); a code ending in Q is a query: reported as a warning, never a
 * rejection. Every rule carries one input that passes and one that fails it, so the rule
 * can be tested by running it over both.
 */
export interface ValidationRule<I> {
  ruleSet: RuleSet;
  code: string;
  /** The rule's published message. */
  message: string;
  check(input: I): RuleFinding[];
  cases: { pass: I; fail: I };
}

/** Whether a rule code is a query (warning) rather than an error. */
export function isQueryRule(code: string): boolean {
  return /q$/i.test(code);
}

/** Turns findings into OperationOutcome-shaped issues carrying the rule code. */
export function findingsToIssues<I>(rule: ValidationRule<I>, findings: RuleFinding[]): GatewayIssue[] {
  const severity = isQueryRule(rule.code) ? 'warning' : 'error';
  return findings.map((f) => ({
    severity,
    code: 'business-rule',
    rule: `${rule.ruleSet}-${rule.code}`,
    expression: [f.path],
    diagnostics: `${rule.ruleSet} rule ${rule.code}: ${rule.message}${f.detail ? ` (${f.detail})` : ''}${f.value !== undefined ? `; received ${JSON.stringify(f.value)}` : ''}`,
  }));
}

/** Runs every rule over one input and gathers all issues (collect, then decide). */
export function runRules<I>(rules: readonly ValidationRule<I>[], input: I): GatewayIssue[] {
  return rules.flatMap((r) => findingsToIssues(r, r.check(input)));
}

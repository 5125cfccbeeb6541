import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { isDeepStrictEqual } from 'node:util';
import type { Assertion } from './pack.js';
import { substituteJson } from './pack.js';
import type { CheckResult } from './result.js';
import { schemaProblem } from './schemas.js';
import type { Answer } from './send.js';

const SHOWN = 400;

/** A value as a report shows it: JSON, shortened. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}… (${text.length} characters)` : text;
}

/** FHIRPath over a JSON body; the R4 model when the body is a FHIR resource (choice types, type tests). */
export function evaluate(body: unknown, expr: string): unknown[] {
  const isFhir = typeof body === 'object' && body !== null && 'resourceType' in body;
  return fhirpath.evaluate(body, expr, undefined, isFhir ? r4 : undefined) as unknown[];
}

function includes(item: unknown, v: unknown): boolean {
  if (isDeepStrictEqual(item, v)) return true;
  return typeof v === 'string' && typeof item === 'string' && item.includes(v);
}

/** The status check: one code, or any of several. */
export function statusCheck(expected: number | number[], received: number): CheckResult {
  const codes = Array.isArray(expected) ? expected : [expected];
  return {
    description: 'status',
    outcome: codes.includes(received) ? 'pass' : 'fail',
    expected: codes.join(' or '),
    received: String(received),
  };
}

function describe(a: Assertion): string {
  const on = a.expr !== undefined ? a.expr : a.header !== undefined ? `header ${a.header}` : 'body';
  const [check, value] = Object.entries(a).find(([k]) => !['expr', 'header', 'message'].includes(k))!;
  return `${on} ${check} ${show(value)}`;
}

/**
 * One assertion of a pack on an answer, variables substituted in its expected value.
 * Values from the body are shown as received: the packs' data are synthetic.
 */
export function assertionCheck(assertion: Assertion, answer: Answer, vars: Readonly<Record<string, string>>): CheckResult {
  const a = substituteJson(assertion, vars) as Assertion;
  const base = { description: describe(a), ...(a.message ? { message: a.message } : {}) };
  const fail = (expected: string, received: string): CheckResult => ({ ...base, outcome: 'fail', expected, received });
  const pass: CheckResult = { ...base, outcome: 'pass' };

  let items: unknown[];
  let receivedText: string;
  if (a.header !== undefined) {
    const value = answer.headers.get(a.header);
    items = value === null ? [] : [value];
    receivedText = value === null ? `no ${a.header} header` : show(value);
  } else if (a.expr !== undefined) {
    if (answer.json === undefined) return fail(`a JSON body to evaluate ${a.expr} on`, `a body that is not JSON: ${show(answer.text)}`);
    try {
      items = evaluate(answer.json, a.expr);
    } catch (err) {
      return { ...base, outcome: 'error', expected: `a FHIRPath expression that evaluates`, received: err instanceof Error ? err.message : String(err) };
    }
    receivedText = show(items);
  } else {
    items = [answer.text];
    receivedText = show(answer.text);
  }

  if (a.conformsTo !== undefined) {
    const values = a.expr !== undefined ? items : [answer.json];
    if (values.length === 0) return fail(`at least one value valid against ${a.conformsTo}`, 'nothing');
    for (const [i, v] of values.entries()) {
      const problem = schemaProblem(a.conformsTo, v);
      if (problem) return fail(`valid against the canonical schema ${a.conformsTo}`, `value ${i + 1} of ${values.length}: ${problem}`);
    }
    return pass;
  }
  if ('equals' in a) {
    const ok = Array.isArray(a.equals) ? isDeepStrictEqual(items, a.equals) : items.length === 1 && isDeepStrictEqual(items[0], a.equals);
    return ok ? pass : fail(show(a.equals), receivedText);
  }
  if ('contains' in a) return items.some((i) => includes(i, a.contains)) ? pass : fail(`something equal to or including ${show(a.contains)}`, receivedText);
  if ('notContains' in a) return items.some((i) => includes(i, a.notContains)) ? fail(`nothing equal to or including ${show(a.notContains)}`, receivedText) : pass;
  if ('exists' in a) return (items.length > 0) === a.exists ? pass : fail(a.exists ? 'a value' : 'no value', receivedText);
  if ('count' in a) return items.length === a.count ? pass : fail(`${a.count} item(s)`, `${items.length} item(s): ${receivedText}`);
  const re = new RegExp(a.matches!);
  return items.some((i) => typeof i === 'string' && re.test(i)) ? pass : fail(`text matching /${a.matches}/`, receivedText);
}

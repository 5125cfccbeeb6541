import fhirpath from 'fhirpath';
import type { CompiledConceptMap } from './concept-maps.js';

/** A compiled source expression: item → collection of values, with the type paths it reads. */
export interface CompiledExpression {
  text: string;
  /** True when the expression is a plain dotted path, evaluated without the FHIRPath engine. */
  fast: boolean;
  evaluate(item: unknown, env: Record<string, unknown>): unknown[];
  /** Relative type paths (no indexes) this expression reads, for "input not consumed" reports. */
  reads: string[];
}

const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Walks a plain dotted path over a JSON tree, flattening arrays as FHIRPath does. */
function walk(item: unknown, keys: string[]): unknown[] {
  let current: unknown[] = Array.isArray(item) ? item : item === undefined || item === null ? [] : [item];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const node of current) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
      if (!Object.hasOwn(node, key)) continue;
      const v = (node as Record<string, unknown>)[key];
      if (Array.isArray(v)) {
        for (const x of v) if (x !== null && x !== undefined) next.push(x);
      } else if (v !== null && v !== undefined) next.push(v);
    }
    current = next;
  }
  return current;
}

type Step = { key: string } | { where: string; op: '=' | '!='; literal: string } | { first: true };

const WHERE = /^where\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=)\s*'([^'\\]*)'\s*\)$/;

/**
 * Parses a path made only of identifiers, `where(field = 'text')` / `where(field != 'text')`
 * filters and `first()`, the shape most mapping rules take; anything else gives null and
 * goes to the FHIRPath engine.
 */
function parseSteps(text: string): Step[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === '.') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  const steps: Step[] = [];
  for (const part of parts) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && part !== 'where' && part !== 'first') steps.push({ key: part });
    else if (part === 'first()') steps.push({ first: true });
    else {
      const m = WHERE.exec(part);
      if (!m) return null;
      steps.push({ where: m[1]!, op: m[2] as '=' | '!=', literal: m[3]! });
    }
  }
  return steps;
}

/** Evaluates parsed steps as FHIRPath would over a JSON tree (tests hold the two equal). */
function walkSteps(item: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = item === undefined || item === null ? [] : Array.isArray(item) ? item : [item];
  for (const step of steps) {
    if ('key' in step) current = walk(current, [step.key]);
    else if ('first' in step) current = current.slice(0, 1);
    else {
      current = current.filter((node) => {
        const values = walk(node, [step.where]);
        // FHIRPath: an empty operand makes the comparison empty, which where() treats as false.
        if (values.length === 0) return false;
        const equal = values.length === 1 && values[0] === step.literal;
        return step.op === '=' ? equal : !equal;
      });
    }
  }
  return current;
}

/**
 * The dotted identifier chains an expression reads, relative to its item. Function
 * arguments are read relative to the chain position they are applied at, so
 * `F3.where(C5 = 'NH').C1` reads `F3.C5` and `F3.C1`.
 */
export function readsOf(expr: string): string[] {
  const src = expr.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/`([^`]*)`/g, '$1');
  const out = new Set<string>();
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  function chain(prefix: string, stopAt: string): void {
    let current = prefix;
    let expectSegment = true;
    while (i < src.length) {
      const ch = src[i]!;
      if (stopAt.includes(ch)) return;
      if (ch === '(') {
        i += 1;
        // function arguments are relative to the chain so far
        while (i < src.length && src[i] !== ')') {
          chain(current, ',)');
          if (src[i] === ',') i += 1;
        }
        i += 1;
        expectSegment = false;
        continue;
      }
      if (ch === '.') {
        i += 1;
        expectSegment = true;
        continue;
      }
      if (ch === '%' || ch === '$') {
        // %variables and $this start a chain that is not relative to the item
        i += 1;
        ident.lastIndex = i;
        const m = ident.exec(src);
        i = m ? i + m[0].length : i;
        current = '\u0000';
        expectSegment = false;
        continue;
      }
      ident.lastIndex = i;
      const m = ident.exec(src);
      if (m) {
        i += m[0].length;
        const word = m[0];
        if (src[i] === '(') {
          // a function: its name is not a path segment
          continue;
        }
        if (['and', 'or', 'xor', 'implies', 'in', 'contains', 'is', 'as', 'div', 'mod', 'true', 'false'].includes(word)) {
          current = prefix;
          expectSegment = true;
          continue;
        }
        if (!expectSegment) current = prefix;
        if (current !== '\u0000') {
          current = current ? `${current}.${word}` : word;
          out.add(current);
        }
        expectSegment = false;
        continue;
      }
      // operators, literals, brackets: a new chain starts from the item again
      if (!/\s/.test(ch)) {
        current = prefix;
        expectSegment = true;
      }
      i += 1;
    }
  }
  chain('', '');
  // keep only the leaves: a chain that is a prefix of another is not itself a leaf read
  const all = [...out];
  return all.filter((p) => !all.some((q) => q !== p && q.startsWith(`${p}.`)));
}

/** FHIRPath functions the mappings may call: `translate('map-id')` looks codes up in a ConceptMap. */
function invocationTable(conceptMaps: ReadonlyMap<string, CompiledConceptMap>) {
  return {
    translate: {
      fn: (inputs: unknown[], mapId: string) => {
        const map = conceptMaps.get(mapId);
        if (!map) throw new Error(`translate(): no ConceptMap ${mapId}`);
        return inputs.flatMap((v) => {
          const t = map.targets.get(String(v));
          return t === undefined ? [] : [t];
        });
      },
      arity: { 1: ['String' as const] },
    },
  };
}

/**
 * Compiles a source expression once. Plain dotted paths (most rules) are walked
 * directly, which gives the same result as FHIRPath on a JSON tree at a fraction of the
 * cost; anything else is compiled by the `fhirpath` package.
 */
export function compileExpression(text: string, conceptMaps: ReadonlyMap<string, CompiledConceptMap>): CompiledExpression {
  const reads = readsOf(text);
  if (SIMPLE_PATH.test(text)) {
    const keys = text.split('.');
    return { text, fast: true, reads, evaluate: (item) => walk(item, keys) };
  }
  // `%variable.path`: the same walk, from a variable (%root, an enclosing item).
  const variable = /^%([A-Za-z_][A-Za-z0-9_]*)(?:\.(.*))?$/.exec(text);
  const varSteps = variable ? parseSteps(variable[2] ?? '') : null;
  if (variable && (variable[2] === undefined || varSteps)) {
    const name = variable[1]!;
    const steps = variable[2] === undefined ? [] : varSteps!;
    return {
      text,
      fast: true,
      reads,
      evaluate: (_item, env) => {
        if (!Object.hasOwn(env, name)) throw new Error(`Attempting to access an undefined environment variable: ${name}`);
        return walkSteps(env[name], steps);
      },
    };
  }
  const steps = parseSteps(text);
  if (steps) return { text, fast: true, reads, evaluate: (item) => walkSteps(item, steps) };
  let compiled: (resource: unknown, env?: Record<string, unknown>) => unknown[];
  try {
    compiled = fhirpath.compile(text, undefined, { userInvocationTable: invocationTable(conceptMaps) }) as typeof compiled;
  } catch (err) {
    throw new Error(`not a valid FHIRPath expression: ${text} (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return { text, fast: false, reads, evaluate: (item, env) => compiled(item, env) };
}

/** The same expression, always through the FHIRPath engine (tests compare the two). */
export function evaluateWithFhirpath(text: string, item: unknown, env: Record<string, unknown> = {}): unknown[] {
  return fhirpath.evaluate(item, text, env) as unknown[];
}

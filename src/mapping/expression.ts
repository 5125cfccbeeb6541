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

import fhirpath from 'fhirpath';
import type { CompiledConceptMap } from './concept-maps.js';

/** A compiled source expression: item → collection of values, with the type paths it reads. */
export interface CompiledExpression {
  text: string;
  /** True when the expression is in the fast subset (below), evaluated without the FHIRPath engine. */
  fast: boolean;
  evaluate(item: unknown, env: Record<string, unknown>): unknown[];
  /** Relative type paths (no indexes) this expression reads, for "input not consumed" reports. */
  reads: string[];
}

type Env = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// The fast subset
//
// The `fhirpath` engine costs 10–30 µs a call, too much for the few thousand expressions
// a second an HL7 v2 feed needs. The mapping files use a small part of FHIRPath, which is
// evaluated here directly on the JSON tree:
//
//   literals    'text' (escapes \' \" \` \\ \/ \f \n \r \t \uXXXX), true, false, {}
//   terms       identifier (a path from the item), %variable, $this, ( … ), iif(c, a[, b])
//   functions   .where(criterion) .select(expr) .first() .exists() .toString()
//               .join(['sep']) .translate('conceptmap-id')
//   operators   +  |  =  !=  in  and  or   (FHIRPath precedence, left-associative)
//
// An expression outside the subset is compiled by the engine, as before. Within it, the
// results are those of fhirpath.js 5.x (the tests compare the two on every shipped
// expression). Where FHIRPath's semantics get involved — a number in an operator, a
// `_element` sibling carrying primitive extensions, a null inside an array, objects that
// FHIRPath's deep equality compares in odd ways, a multi-valued operand FHIRPath rejects
// with an error — the evaluator does not guess: it throws ENGINE and the whole expression
// is evaluated by the engine instead, so the result, or the error, is the engine's.
// ---------------------------------------------------------------------------------------

/** Thrown when the fast evaluator meets a value it leaves to the engine; never escapes compileExpression. */
class EngineNeeded extends Error {}
const ENGINE = new EngineNeeded('left to the FHIRPath engine');
function needEngine(): never {
  throw ENGINE;
}

/** Thrown while parsing when the text is outside the fast subset. */
class OutsideSubset extends Error {}
const OUTSIDE = new OutsideSubset('outside the fast subset');
function outside(): never {
  throw OUTSIDE;
}

/** A compiled sub-expression: focus (the item, or `$this` in where/select) → collection. */
type Evaluator = (focus: unknown[], env: Env) => unknown[];

// --- Tokens ---------------------------------------------------------------------------

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'variable'; value: string }
  | { kind: 'this' }
  | { kind: 'punct'; value: string };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '`': '`', '\\': '\\', '/': '/', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Splits an expression into tokens; a character the subset has no use for ends the attempt. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      i += 1;
    } else if (ch === "'") {
      // A string literal. Only the escapes FHIRPath's grammar defines are taken; any other
      // backslash (which the engine's lexer treats loosely) leaves the expression to it.
      let value = '';
      i += 1;
      for (;;) {
        const c = text[i];
        if (c === undefined) outside();
        if (c === "'") break;
        if (c === '\\') {
          const e = text[i + 1] ?? '';
          const hex = text.slice(i + 2, i + 6);
          if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(hex)) {
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else if (Object.hasOwn(ESCAPES, e)) {
            value += ESCAPES[e]!;
            i += 2;
          } else outside();
        } else {
          value += c;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', value });
    } else if (ch === '%' || ch === '$') {
      IDENT.lastIndex = i + 1;
      const word = IDENT.exec(text)?.[0];
      if (word === undefined) outside(); // %'quoted' and %`quoted` names
      if (ch === '%') tokens.push({ kind: 'variable', value: word });
      else if (word === 'this') tokens.push({ kind: 'this' });
      else outside(); // $index, $total
      i += 1 + word.length;
    } else if (text.startsWith('!=', i)) {
      tokens.push({ kind: 'punct', value: '!=' });
      i += 2;
    } else if ('.(),+|={}'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch });
      i += 1;
    } else {
      IDENT.lastIndex = i;
      const word = IDENT.exec(text)?.[0];
      if (word === undefined) outside(); // numbers, dates, other operators, comments, `quoted` names
      tokens.push({ kind: 'ident', value: word });
      i += word.length;
    }
  }
  return tokens;
}

// --- Syntax tree ----------------------------------------------------------------------

type BinaryOp = '+' | '|' | '=' | '!=' | 'in' | 'and' | 'or';

type Ast =
  /** A literal collection: 'text', true, false, or {} (empty). */
  | { kind: 'literal'; values: (string | boolean)[] }
  | { kind: 'this' }
  | { kind: 'variable'; name: string }
  /** `base.name`, or `name` from the focus when there is no base. */
  | { kind: 'member'; base: Ast | undefined; name: string }
  /** `base.name(args)`, or `name(args)` on the focus when there is no base. */
  | { kind: 'call'; base: Ast | undefined; name: string; args: Ast[] }
  | { kind: 'binary'; op: BinaryOp; left: Ast; right: Ast };

/** Words FHIRPath's lexer makes keywords: never identifiers or variable names here. */
const KEYWORDS = new Set(
  'and or xor implies div mod in contains is as true false sort asc desc year month week day hour minute second millisecond years months weeks days hours minutes seconds milliseconds'.split(
    ' ',
  ),
);

/**
 * Type names a plain JSON value has in fhirpath.js. At the start of a path FHIRPath reads
 * such an identifier as a type filter (`String` selects the item when it is a string), so
 * a path naming one is left to the engine.
 */
const SYSTEM_TYPE_NAMES = new Set(['String', 'Boolean', 'Integer', 'Decimal', 'Long', 'Object', 'Undefined', 'Date', 'DateTime', 'Time', 'Quantity', 'Function', 'Symbol', 'Bigint']);

/**
 * Whether a member name is read here exactly as fhirpath.js reads it. The engine reads
 * `node[name]` (prototype included) and `node['_' + name]` on objects, strings and
 * booleans alike, so names those carry themselves in JavaScript (`constructor`, `length`…)
 * are left to it. (Arrays are never items of a collection, and numbers are left to the
 * engine as they come.)
 */
function plainMember(name: string): boolean {
  if (KEYWORDS.has(name) || SYSTEM_TYPE_NAMES.has(name)) return false;
  return [name, `_${name}`].every((key) => !(key in Object.prototype || key in String.prototype || key in Boolean.prototype));
}

/**
 * A recursive-descent parser for the subset. Precedence, lowest first, as in FHIRPath's
 * grammar: `or`; `and`; `in`; `=` `!=`; `|`; `+`; `.` invocation. Operators not in the
 * subset (`xor`, `implies`, `contains`, `<`, `-`, `&`, `is`…) end the attempt, either in
 * the tokenizer or as a token left over after the expression.
 */
class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Ast {
    const ast = this.orExpr();
    if (this.at < this.tokens.length) outside();
    return ast;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at];
    if (!token) outside();
    this.at += 1;
    return token;
  }

  /** Consumes the punctuation `value` if it comes next. */
  private punct(value: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'punct' || token.value !== value) return false;
    this.at += 1;
    return true;
  }

  /** Consumes the keyword `value` (and, or, in) if it comes next. */
  private keyword(value: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'ident' || token.value !== value) return false;
    this.at += 1;
    return true;
  }

  private orExpr(): Ast {
    let left = this.andExpr();
    while (this.keyword('or')) left = { kind: 'binary', op: 'or', left, right: this.andExpr() };
    return left;
  }

  private andExpr(): Ast {
    let left = this.membership();
    while (this.keyword('and')) left = { kind: 'binary', op: 'and', left, right: this.membership() };
    return left;
  }

  private membership(): Ast {
    let left = this.equality();
    while (this.keyword('in')) left = { kind: 'binary', op: 'in', left, right: this.equality() };
    return left;
  }

  private equality(): Ast {
    let left = this.union();
    for (;;) {
      const op = this.punct('=') ? '=' : this.punct('!=') ? '!=' : undefined;
      if (!op) return left;
      left = { kind: 'binary', op, left, right: this.union() };
    }
  }

  private union(): Ast {
    let left = this.additive();
    while (this.punct('|')) left = { kind: 'binary', op: '|', left, right: this.additive() };
    return left;
  }

  private additive(): Ast {
    let left = this.invocation();
    while (this.punct('+')) left = { kind: 'binary', op: '+', left, right: this.invocation() };
    return left;
  }

  /** A term followed by any number of `.member` and `.function(args)`. */
  private invocation(): Ast {
    let ast = this.term();
    while (this.punct('.')) {
      const token = this.next();
      if (token.kind !== 'ident') outside(); // .$this and the like
      ast = this.memberOrCall(ast, token.value);
    }
    return ast;
  }

  private memberOrCall(base: Ast | undefined, name: string): Ast {
    if (KEYWORDS.has(name)) outside();
    if (this.punct('(')) {
      const args: Ast[] = [];
      if (!this.punct(')')) {
        do args.push(this.orExpr());
        while (this.punct(','));
        if (!this.punct(')')) outside();
      }
      return { kind: 'call', base, name, args };
    }
    if (!plainMember(name)) outside();
    return { kind: 'member', base, name };
  }

  private term(): Ast {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'literal', values: [token.value] };
      case 'this':
        return { kind: 'this' };
      case 'variable':
        if (KEYWORDS.has(token.value)) outside();
        return { kind: 'variable', name: token.value };
      case 'punct':
        if (token.value === '{' && this.punct('}')) return { kind: 'literal', values: [] };
        if (token.value === '(') {
          const inner = this.orExpr();
          if (!this.punct(')')) outside();
          return inner;
        }
        return outside();
      case 'ident':
        if (token.value === 'true' || token.value === 'false') return { kind: 'literal', values: [token.value === 'true'] };
        return this.memberOrCall(undefined, token.value);
    }
  }
}

// --- Evaluation helpers ---------------------------------------------------------------

/** A collection as FHIRPath takes it from a value: null → empty, an array → its items. */
function collection(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return [value];
  // the engine keeps null items (and nested arrays) as items of their own
  for (const x of value) if (x === null || x === undefined || Array.isArray(x)) needEngine();
  return value.slice();
}

/**
 * One member step over a collection, as fhirpath.js takes it on a JSON tree: an object's
 * property (an array flattened into the collection), or the object itself when its
 * `resourceType` is the name (`Patient` on a Patient resource). Strings and booleans have
 * no members; a number becomes a decimal object in the engine, so it is left to it.
 */
function child(nodes: readonly unknown[], name: string, shadow: string): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) {
      if (typeof node === 'number') needEngine();
      continue;
    }
    if (Array.isArray(node)) needEngine(); // not reached: collections never hold arrays
    const record = node as Record<string, unknown>;
    if (record.resourceType === name) {
      out.push(node);
      continue;
    }
    // `_name` holds a FHIR primitive's id and extensions, which the engine merges in
    if (record[shadow] !== undefined) needEngine();
    const value = record[name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const x of value) {
        if (x === null || x === undefined || Array.isArray(x)) needEngine();
        out.push(x);
      }
    } else out.push(value);
  }
  return out;
}

function isStringOrBoolean(v: unknown): v is string | boolean {
  return typeof v === 'string' || typeof v === 'boolean';
}

/** FHIRPath `=` on two non-empty collections of strings and booleans (the engine compares item by item). */
function sameItems(left: unknown[], right: unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    const a = left[i];
    const b = right[i];
    if (!isStringOrBoolean(a) || !isStringOrBoolean(b)) needEngine();
    if (a !== b) return false;
  }
  return true;
}

/**
 * Structural equality of two JSON objects, as FHIRPath's deep equality (and its hashed
 * variant for longer collections) decides it. Numbers, undefined members, arrays against
 * objects, primitives against objects and a `prototype` member are where the two differ
 * or have quirks, so they are left to the engine.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') needEngine();
  const aObject = typeof a === 'object' && a !== null;
  const bObject = typeof b === 'object' && b !== null;
  if (!aObject || !bObject) {
    if (aObject || bObject) needEngine();
    return false; // two different strings, booleans or nulls
  }
  if (Array.isArray(a) !== Array.isArray(b)) needEngine();
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  const kb = Object.keys(rb);
  for (const [r, keys] of [[ra, ka], [rb, kb]] as const) {
    for (const k of keys) if (r[k] === undefined || k === 'prototype') needEngine();
  }
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

/** FHIRPath `|`: both collections, duplicates removed (first occurrence kept). */
function union(items: unknown[]): unknown[] {
  if (items.length < 2) return items;
  const out: unknown[] = [];
  if (isStringOrBoolean(items[0])) {
    for (const x of items) {
      if (!isStringOrBoolean(x)) needEngine();
      if (!out.includes(x)) out.push(x);
    }
  } else {
    for (const x of items) {
      if (typeof x !== 'object' || x === null) needEngine();
      if (!out.some((o) => sameJson(o, x))) out.push(x);
    }
  }
  return out;
}

/**
 * A collection as a Boolean operand of `and`/`or`: empty → undefined, one Boolean → it,
 * one other value → true (FHIRPath's singleton evaluation); several are an error.
 */
function logical(items: unknown[]): boolean | undefined {
  if (items.length === 0) return undefined;
  if (items.length > 1) needEngine();
  const v = items[0];
  return typeof v === 'boolean' ? v : true;
}

function fromLogical(v: boolean | undefined): unknown[] {
  return v === undefined ? [] : [v];
}

/** Evaluators that always give [true], [false] or []: what a where() criterion may be. */
function givesBoolean(ast: Ast): boolean {
  if (ast.kind === 'binary') return ast.op !== '+' && ast.op !== '|';
  if (ast.kind === 'call') return ast.name === 'exists';
  return ast.kind === 'literal' && ast.values.length === 1 && typeof ast.values[0] === 'boolean';
}

/** A function argument that must be a single string literal: translate('id'), join('sep'). */
function stringArgument(ast: Ast | undefined): string {
  if (ast?.kind !== 'literal' || ast.values.length !== 1 || typeof ast.values[0] !== 'string') outside();
  return ast.values[0];
}

// --- Compiling the syntax tree --------------------------------------------------------

function compileBinary(op: BinaryOp, left: Evaluator, right: Evaluator): Evaluator {
  switch (op) {
    case '+':
      // String concatenation: empty if either side is empty; two single strings otherwise.
      return (f, env) => {
        const l = left(f, env);
        const r = right(f, env);
        if (l.length === 0 || r.length === 0) return [];
        const a = l[0];
        const b = r[0];
        if (l.length > 1 || r.length > 1 || typeof a !== 'string' || typeof b !== 'string') needEngine();
        return [a + b];
      };
    case '=':
    case '!=': {
      const equal = op === '=';
      return (f, env) => {
        const l = left(f, env);
        const r = right(f, env);
        if (l.length === 0 || r.length === 0) return [];
        return [sameItems(l, r) === equal];
      };
    }
    case 'in':
      return (f, env) => {
        const l = left(f, env);
        const r = right(f, env);
        if (l.length === 0) return [];
        if (r.length === 0) return [false];
        const x = l[0];
        if (l.length > 1 || !isStringOrBoolean(x)) needEngine();
        for (const y of r) {
          if (!isStringOrBoolean(y)) needEngine();
          if (y === x) return [true];
        }
        return [false];
      };
    case '|':
      return (f, env) => union([...left(f, env), ...right(f, env)]);
    case 'and':
      // three-valued: false wins, then empty
      return (f, env) => {
        const a = logical(left(f, env));
        const b = logical(right(f, env));
        if (a === false || b === false) return [false];
        return fromLogical(a === undefined || b === undefined ? undefined : true);
      };
    case 'or':
      // three-valued: true wins, then empty
      return (f, env) => {
        const a = logical(left(f, env));
        const b = logical(right(f, env));
        if (a === true || b === true) return [true];
        return fromLogical(a === undefined || b === undefined ? undefined : false);
      };
  }
}

/** The function applied to a collection, for `base.name(args)`. */
function compileFunction(name: string, args: Ast[], maps: ReadonlyMap<string, CompiledConceptMap>): (input: unknown[], env: Env) => unknown[] {
  switch (`${name}/${args.length}`) {
    case 'first/0':
      return (input) => (input.length > 1 ? [input[0]] : input);
    case 'exists/0':
      return (input) => [input.length > 0];
    case 'where/1': {
      // fhirpath.js keeps an item when the criterion's first value is truthy; for a
      // criterion that gives [true]/[false]/[] that is "is true".
      if (!givesBoolean(args[0]!)) outside();
      const criterion = compileAst(args[0]!, maps);
      return (input, env) => input.filter((x) => criterion([x], env)[0] === true);
    }
    case 'select/1': {
      const projection = compileAst(args[0]!, maps);
      return (input, env) => input.flatMap((x) => projection([x], env));
    }
    case 'toString/0':
      return (input) => {
        if (input.length === 0) return [];
        const v = input[0];
        // a number's text is JavaScript's, as the engine's decimals give it
        if (input.length > 1 || !(isStringOrBoolean(v) || typeof v === 'number')) needEngine();
        return [String(v)];
      };
    case 'join/0':
    case 'join/1': {
      const separator = args.length === 0 ? '' : stringArgument(args[0]);
      return (input) => {
        if (input.length === 0) return [];
        if (!input.every((x) => typeof x === 'string')) needEngine();
        return [input.join(separator)];
      };
    }
    case 'translate/1': {
      // as invocationTable's translate(): codes with a target, in order; others dropped
      const map = maps.get(stringArgument(args[0]));
      return (input) => {
        if (!map) needEngine(); // the engine reports the unknown ConceptMap
        const out: unknown[] = [];
        for (const v of input) {
          if (typeof v !== 'string') needEngine();
          const t = map.targets.get(v);
          if (t !== undefined) out.push(t);
        }
        return out;
      };
    }
    default:
      return outside();
  }
}

function compileAst(ast: Ast, maps: ReadonlyMap<string, CompiledConceptMap>): Evaluator {
  switch (ast.kind) {
    case 'literal': {
      const values = ast.values;
      return () => values.slice();
    }
    case 'this':
      return (f) => f;
    case 'variable': {
      const name = ast.name;
      return (_f, env) => {
        // an unknown name is the engine's to report (or to resolve: %ucum, %context…)
        if (!Object.hasOwn(env, name)) needEngine();
        return collection(env[name]);
      };
    }
    case 'member': {
      // a run of members is walked in one loop: F3.C1 → ['F3', 'C1']
      const names: string[] = [];
      let base: Ast | undefined = ast;
      while (base?.kind === 'member') {
        names.unshift(base.name);
        base = base.base;
      }
      const shadows = names.map((n) => `_${n}`);
      const from = base ? compileAst(base, maps) : undefined;
      return (f, env) => {
        let current = from ? from(f, env) : f;
        for (let i = 0; i < names.length; i++) current = child(current, names[i]!, shadows[i]!);
        return current;
      };
    }
    case 'call': {
      if (ast.name === 'iif') {
        // iif(criterion, then[, else]) on the focus: `then` only when the criterion is the single value true
        if (ast.base || ast.args.length < 2 || ast.args.length > 3) outside();
        const [criterion, then, otherwise] = ast.args.map((a) => compileAst(a, maps));
        return (f, env) => {
          const c = criterion!(f, env);
          if (c.length === 1 && c[0] === true) return then!(f, env);
          return otherwise ? otherwise(f, env) : [];
        };
      }
      const fn = compileFunction(ast.name, ast.args, maps);
      const from = ast.base ? compileAst(ast.base, maps) : undefined;
      return (f, env) => fn(from ? from(f, env) : f, env);
    }
    case 'binary':
      return compileBinary(ast.op, compileAst(ast.left, maps), compileAst(ast.right, maps));
  }
}

/** The fast evaluator of an expression, or undefined when it is outside the subset. */
function compileFast(text: string, maps: ReadonlyMap<string, CompiledConceptMap>): Evaluator | undefined {
  try {
    return compileAst(new Parser(tokenize(text)).parse(), maps);
  } catch (err) {
    if (err === OUTSIDE) return undefined;
    throw err;
  }
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

type EngineEvaluator = (item: unknown, env: Env) => unknown[];

function compileWithEngine(text: string, conceptMaps: ReadonlyMap<string, CompiledConceptMap>): EngineEvaluator {
  try {
    return fhirpath.compile(text, undefined, { userInvocationTable: invocationTable(conceptMaps) }) as EngineEvaluator;
  } catch (err) {
    throw new Error(`not a valid FHIRPath expression: ${text} (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/**
 * Compiles a source expression once. An expression in the fast subset is evaluated
 * directly on the tree, which gives the same result as FHIRPath at a fraction of the
 * cost; the engine, compiled on first need, takes over for the values the subset leaves
 * to it. Anything else is compiled by the `fhirpath` package.
 */
export function compileExpression(text: string, conceptMaps: ReadonlyMap<string, CompiledConceptMap>): CompiledExpression {
  const reads = readsOf(text);
  const fast = compileFast(text, conceptMaps);
  if (!fast) {
    const compiled = compileWithEngine(text, conceptMaps);
    return { text, fast: false, reads, evaluate: (item, env) => compiled(item, env) };
  }
  let engine: EngineEvaluator | undefined;
  return {
    text,
    fast: true,
    reads,
    evaluate: (item, env) => {
      try {
        return fast(collection(item), env);
      } catch (err) {
        if (err !== ENGINE) throw err;
        engine ??= compileWithEngine(text, conceptMaps);
        return engine(item, env);
      }
    },
  };
}

/**
 * The same expression, always through the FHIRPath engine (tests compare the two). With
 * `conceptMaps`, `translate()` is available as in compiled expressions.
 */
export function evaluateWithFhirpath(text: string, item: unknown, env: Record<string, unknown> = {}, conceptMaps?: ReadonlyMap<string, CompiledConceptMap>): unknown[] {
  const options = conceptMaps ? { userInvocationTable: invocationTable(conceptMaps) } : {};
  return fhirpath.evaluate(item, text, env, undefined, options) as unknown[];
}

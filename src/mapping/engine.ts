import type { GatewayIssue } from '../errors/gateway-error.js';
import type { FieldLineage } from '../model/lineage.js';
import type { CompiledConceptMap } from './concept-maps.js';
import { knownCodes } from './concept-maps.js';
import type { CompiledExpression } from './expression.js';
import { compileExpression, readsOf } from './expression.js';
import type { FieldRuleSpec, MappingSpec, RecordBlockSpec, RecordType } from './spec.js';
import type { TargetSegment } from './target-path.js';
import { parseTarget, prune, setAt, targetText } from './target-path.js';
import { applyTransform } from './transforms.js';

interface CompiledRule {
  spec: FieldRuleSpec;
  target: TargetSegment[];
  targetText: string;
  source?: CompiledExpression | undefined;
  when?: CompiledExpression | undefined;
  each?: CompiledExpression | undefined;
  by?: CompiledExpression | undefined;
  /** The group's fields, sourced rules first (see applyRules). */
  fields: CompiledRule[];
  conceptMap?: CompiledConceptMap | undefined;
}

/** Sourced values first, so that constants only complete elements a source opened. */
function sourcedFirst(rules: CompiledRule[]): CompiledRule[] {
  return [...rules.filter((r) => r.spec.value === undefined), ...rules.filter((r) => r.spec.value !== undefined)];
}

interface CompiledBlock {
  spec: RecordBlockSpec;
  /** fields, sourced rules first (see applyRules). */
  each?: CompiledExpression | undefined;
  when?: CompiledExpression | undefined;
  key: CompiledExpression[];
  localId?: CompiledExpression | undefined;
  fields: CompiledRule[];
  records: CompiledBlock[];
}

/** A mapping file compiled once: expressions parsed, ConceptMaps bound, consumed paths known. */
export interface CompiledMapping {
  id: string;
  version: string;
  /** `id@version`, as written into every record's lineage. */
  label: string;
  format: MappingSpec['format'];
  file: string;
  blocks: CompiledBlock[];
  /** Type paths (no indexes) of source values the rules read. */
  consumed: Set<string>;
  /** Subtrees the file declares consumed or deliberately ignored (`consumes`, `ignores`). */
  consumedPrefixes: string[];
  expressions: CompiledExpression[];
}

/** A reference from one record to another of the same message, resolved after mapping. */
export interface DraftRef {
  target: string;
  block: string;
  /** The enclosing record referred to, when `ref` named an enclosing block. */
  enclosing?: RecordDraft | undefined;
  /** Local ids to look the record up by, when `ref` came with `by`. */
  by?: string[] | undefined;
  sourcePath: string;
  ruleId: string;
}

/** A canonical record as a mapping produced it, before the person index and the store. */
export interface RecordDraft {
  type: RecordType;
  block: string;
  mapping: string;
  /** Where in the message the record came from, e.g. `Message.Children.Child[2]`. */
  sourcePath: string;
  keyValues: string[];
  localIds: string[];
  fields: Record<string, unknown>;
  lineage: FieldLineage[];
  refs: DraftRef[];
}

export interface MappingRun {
  drafts: RecordDraft[];
  issues: GatewayIssue[];
}

const ROOT = '__ROOT__';

function rootRelative(text: string): string {
  return text.replace(/%root\./g, `${ROOT}.`);
}

function compileRule(spec: FieldRuleSpec, maps: ReadonlyMap<string, CompiledConceptMap>, file: string, all: CompiledExpression[]): CompiledRule {
  const compile = (t: string | undefined) => {
    if (t === undefined) return undefined;
    const e = compileExpression(t, maps);
    all.push(e);
    return e;
  };
  let conceptMap: CompiledConceptMap | undefined;
  if (spec.conceptMap !== undefined) {
    conceptMap = maps.get(spec.conceptMap);
    if (!conceptMap) throw new Error(`${file}: rule ${spec.id} names ConceptMap ${spec.conceptMap}, which is not in mappings/conceptmaps`);
  }
  const target = parseTarget(spec.target ?? '');
  return {
    spec,
    target,
    targetText: targetText(target),
    source: compile(spec.source),
    when: compile(spec.when),
    each: compile(spec.each),
    by: compile(spec.by),
    fields: sourcedFirst((spec.fields ?? []).map((f) => compileRule(f, maps, file, all))),
    conceptMap,
  };
}

function compileBlock(spec: RecordBlockSpec, maps: ReadonlyMap<string, CompiledConceptMap>, file: string, all: CompiledExpression[]): CompiledBlock {
  const compile = (t: string) => {
    const e = compileExpression(t, maps);
    all.push(e);
    return e;
  };
  return {
    spec,
    each: spec.each === undefined ? undefined : compile(spec.each),
    when: spec.when === undefined ? undefined : compile(spec.when),
    key: (spec.key ?? []).map(compile),
    localId: spec.localId === undefined ? undefined : compile(spec.localId),
    fields: sourcedFirst(spec.fields.map((f) => compileRule(f, maps, file, all))),
    records: (spec.records ?? []).map((b) => compileBlock(b, maps, file, all)),
  };
}

/** Adds the type paths an expression reads, relative to `base`, to the consumed set. */
function addReads(consumed: Set<string>, base: string, text: string | undefined): void {
  if (text === undefined) return;
  for (const r of readsOf(rootRelative(text))) {
    if (r.startsWith(`${ROOT}.`)) consumed.add(r.slice(ROOT.length + 1));
    else consumed.add(base ? `${base}.${r}` : r);
  }
}

/** The type path an `each` expression leads to: its leading dotted chain, before any function. */
function eachBase(base: string, text: string): string {
  const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text);
  let chain = m?.[0] ?? '';
  // `a.b.where(...)`: the regex stops at `where`, which is a function name, not a path segment
  if (text.length > chain.length && text[chain.length] === '(') chain = chain.split('.').slice(0, -1).join('.');
  return base ? (chain ? `${base}.${chain}` : base) : chain;
}

function collectConsumed(rules: CompiledRule[], base: string, consumed: Set<string>): void {
  for (const r of rules) {
    addReads(consumed, base, r.spec.source);
    addReads(consumed, base, r.spec.when);
    addReads(consumed, base, r.spec.by);
    for (const x of r.spec.reads ?? []) consumed.add(base ? `${base}.${x}` : x);
    if (r.spec.each !== undefined) {
      addReads(consumed, base, r.spec.each);
      collectConsumed(r.fields, eachBase(base, r.spec.each), consumed);
    }
  }
}

function collectBlockConsumed(blocks: CompiledBlock[], base: string, consumed: Set<string>): void {
  for (const b of blocks) {
    const inner = b.spec.each === undefined ? base : eachBase(base, b.spec.each);
    if (b.spec.each !== undefined) addReads(consumed, base, b.spec.each);
    addReads(consumed, inner, b.spec.when);
    for (const k of b.spec.key ?? []) addReads(consumed, inner, k);
    addReads(consumed, inner, b.spec.localId);
    collectConsumed(b.fields, inner, consumed);
    collectBlockConsumed(b.records, inner, consumed);
  }
}

/** Compiles a validated mapping spec. Throws, naming the file and rule, on a bad expression or map. */
export function compileMapping(spec: MappingSpec, maps: ReadonlyMap<string, CompiledConceptMap>, file: string): CompiledMapping {
  const expressions: CompiledExpression[] = [];
  let blocks: CompiledBlock[];
  try {
    blocks = spec.records.map((b) => compileBlock(b, maps, file, expressions));
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const consumed = new Set<string>();
  collectBlockConsumed(blocks, '', consumed);
  return { id: spec.id, version: spec.version, label: `${spec.id}@${spec.version}`, format: spec.format, file, blocks, consumed, consumedPrefixes: [...spec.consumes, ...spec.ignores], expressions };
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The source path of a value: the item's path, then the expression (bracketed when it is not a plain path). */
function joinPath(base: string, expr: string): string {
  if (expr.startsWith('%')) return expr;
  const e = PLAIN_PATH.test(expr) ? expr : `(${expr})`;
  return base ? `${base}.${e}` : e;
}

/** How many elements the array a `[+]` target appends to holds already. */
function appendIndex(container: Record<string, unknown>, segments: TargetSegment[]): number {
  let node: unknown = container;
  for (const seg of segments.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return 0;
    node = (node as Record<string, unknown>)[seg.name];
    if (Array.isArray(node)) return 0;
  }
  const last = segments[segments.length - 1];
  const arr = last && node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[last.name] : undefined;
  return Array.isArray(arr) ? arr.length : 0;
}

function truthy(values: unknown[]): boolean {
  return values.length === 1 && values[0] === true;
}

class Run {
  readonly drafts: RecordDraft[] = [];
  readonly issues: GatewayIssue[] = [];
  constructor(
    private readonly mapping: CompiledMapping,
    private readonly env: Record<string, unknown>,
  ) {}

  private issue(severity: GatewayIssue['severity'], code: string, path: string, rule: string, diagnostics: string): void {
    this.issues.push({ severity, code, expression: [path], diagnostics: `${diagnostics} (mapping ${this.mapping.label}, rule ${rule})` });
  }

  /** Evaluates a rule's source on an item, translating and converting every value. */
  private values(rule: CompiledRule, item: unknown, path: string, env: Record<string, unknown>): unknown[] {
    const srcPath = joinPath(path, rule.spec.source ?? '');
    let raw = rule.source!.evaluate(item, env);
    raw = raw.filter((v) => v !== '');
    if (raw.length === 0 && rule.spec.default !== undefined) raw = [rule.spec.default];
    if (raw.length === 0) {
      if (rule.spec.required) this.issue('error', 'required', srcPath, rule.spec.id, `a value is required for ${rule.targetText}, but the message has none here`);
      return [];
    }
    if (raw.length > 1 && !rule.spec.all && !rule.target.some((s) => s.index === 'append')) {
      this.issue('warning', 'informational', srcPath, rule.spec.id, `${raw.length} values found; only the first was used for ${rule.targetText}`);
      raw = raw.slice(0, 1);
    }
    const out: unknown[] = [];
    for (const v of raw) {
      if (!isScalar(v)) {
        this.issue('error', 'structure', srcPath, rule.spec.id, `expected a single value for ${rule.targetText}, received a structure`);
        continue;
      }
      let value: string | number | boolean = v;
      if (rule.conceptMap) {
        const t = rule.conceptMap.targets.get(String(value));
        if (t === undefined) {
          if (!rule.conceptMap.unmatched.has(String(value))) {
            this.issue('error', 'code-invalid', srcPath, rule.spec.id, `code ${JSON.stringify(value)} is not one ConceptMap ${rule.conceptMap.id} knows (expected one of ${knownCodes(rule.conceptMap)})`);
          }
          continue;
        }
        value = t;
      }
      if (rule.spec.transform) {
        const r = applyTransform(rule.spec.transform, value);
        if (!r.ok) {
          this.issue('error', 'value', srcPath, rule.spec.id, `expected ${r.expected}, received ${JSON.stringify(value)}`);
          continue;
        }
        value = r.value;
      }
      out.push(value);
    }
    return out;
  }

  private applyRules(rules: CompiledRule[], item: unknown, path: string, container: Record<string, unknown>, draft: RecordDraft, enclosing: ReadonlyMap<string, RecordDraft>, env: Record<string, unknown>, prefix: string): void {
    for (const rule of rules) {
      if (rule.when && !truthy(rule.when.evaluate(item, env))) continue;
      const field = prefix ? `${prefix}.${rule.targetText}` : rule.targetText;
      if (rule.spec.value !== undefined) {
        if (setAt(container, rule.target, rule.spec.value, true)) draft.lineage.push({ field, mapping: this.mapping.label, rule: rule.spec.id, source: '(constant)' });
        continue;
      }
      if (rule.spec.ref !== undefined) {
        const by = rule.by ? rule.by.evaluate(item, env).filter(isScalar).map(String) : undefined;
        const enc = rule.spec.ref.includes('|') ? undefined : enclosing.get(rule.spec.ref);
        if (!by && !enc) throw new Error(`${this.mapping.file}: rule ${rule.spec.id} refers to ${rule.spec.ref}, which does not enclose it; add by:`);
        draft.refs.push({ target: field, block: rule.spec.ref, enclosing: by ? undefined : enc, by, sourcePath: joinPath(path, rule.spec.by ?? ''), ruleId: rule.spec.id });
        continue;
      }
      if (rule.each) {
        rule.each.evaluate(item, env).filter((x) => x !== '').forEach((sub, k) => {
          const subPath = `${joinPath(path, rule.spec.each!)}[${k}]`;
          const elem: Record<string, unknown> = {};
          const at = appendIndex(container, rule.target);
          const before = draft.lineage.length;
          this.applyRules(rule.fields, sub, subPath, elem, draft, enclosing, env, `${field.replace(/\[\+\]$/, '')}[${at}]`);
          const sourced = draft.lineage.slice(before).some((l) => l.source !== '(constant)');
          const kept = prune(elem);
          if (kept !== undefined && sourced) setAt(container, rule.target, kept, false);
          else draft.lineage.length = before;
        });
        continue;
      }
      const values = this.values(rule, item, path, env);
      if (values.length === 0) continue;
      for (const v of values) setAt(container, rule.target, v, false);
      // A later rule that fills the same single-valued field overrides the earlier one, lineage too.
      if (!field.endsWith('[]')) {
        const earlier = draft.lineage.findIndex((l) => l.field === field);
        if (earlier !== -1) draft.lineage.splice(earlier, 1);
      }
      draft.lineage.push({ field, mapping: this.mapping.label, rule: rule.spec.id, source: joinPath(path, rule.spec.source!) });
    }
  }

  block(block: CompiledBlock, item: unknown, path: string, enclosing: ReadonlyMap<string, RecordDraft>, env: Record<string, unknown>): void {
    // An empty cell or element is no item (CSV readers give '' for an empty cell).
    const items = block.each ? block.each.evaluate(item, env).filter((x) => x !== '') : [item];
    items.forEach((sub, i) => {
      // `each: %outer...` re-selects the enclosing item: its records share the item's path.
      const subPath = !block.each ? path || '(message)' : block.spec.each!.startsWith('%') ? path : `${joinPath(path, block.spec.each!)}[${i}]`;
      const innerEnv = { ...env, [block.spec.name]: sub };
      if (block.when && !truthy(block.when.evaluate(sub, innerEnv))) return;
      const draft: RecordDraft = { type: block.spec.type, block: block.spec.name, mapping: this.mapping.label, sourcePath: subPath, keyValues: [], localIds: [], fields: {}, lineage: [], refs: [] };
      const before = this.issues.length;
      for (const k of block.key) {
        const v = k.evaluate(sub, innerEnv).find(isScalar);
        if (v === undefined || v === '') this.issue('error', 'required', joinPath(subPath, k.text), block.spec.name, `${block.spec.type} needs ${k.text} to identify it, but the message has none here`);
        else draft.keyValues.push(String(v));
      }
      if (block.localId) draft.localIds = block.localId.evaluate(sub, innerEnv).filter(isScalar).map(String);
      this.applyRules(block.fields, sub, subPath, draft.fields, draft, enclosing, innerEnv, '');
      draft.fields = (prune(draft.fields) as Record<string, unknown> | undefined) ?? {};
      if (this.issues.length === before || this.issues.slice(before).every((x) => x.severity !== 'error')) this.drafts.push(draft);
      const inner = new Map(enclosing);
      inner.set(block.spec.name, draft);
      for (const nested of block.records) this.block(nested, sub, subPath, inner, innerEnv);
    });
  }
}

/**
 * Runs a compiled mapping over a message tree: one draft per produced record, with the
 * lineage of every field, plus every problem found (collect, then decide). A record
 * with an error is not produced, but its nested records are still examined so that all
 * problems are reported at once.
 */
export function runMapping(mapping: CompiledMapping, tree: unknown, env: Record<string, unknown> = {}): MappingRun {
  const run = new Run(mapping, { root: tree, ...env });
  for (const b of mapping.blocks) run.block(b, tree, '', new Map(), { root: tree, ...env });
  return { drafts: run.drafts, issues: run.issues };
}

/**
 * Lists source values that no mapping consumed: one warning per source path, with a
 * count, so an integrator sees what the gateway did not use. Values are never shown.
 */
export function unconsumedInput(tree: unknown, consumed: ReadonlySet<string>, prefixes: Iterable<string>, root = '', memo: Map<string, boolean> = new Map()): GatewayIssue[] {
  const prefixSet = new Set(prefixes);
  // Whether a type path is a declared subtree or lies under one: one set lookup per ancestor.
  const underPrefix = (typePath: string): boolean => {
    if (prefixSet.has(typePath)) return true;
    for (let i = typePath.indexOf('.'); i !== -1; i = typePath.indexOf('.', i + 1)) if (prefixSet.has(typePath.slice(0, i))) return true;
    return false;
  };
  // The same type paths come back in every message of a feed: decide each once (memo).
  const covered = (typePath: string, leaf: boolean): boolean => {
    const key = leaf ? typePath : `${typePath}/`;
    let hit = memo.get(key);
    if (hit === undefined) {
      hit = leaf ? consumed.has(typePath) || underPrefix(typePath) : underPrefix(typePath);
      memo.set(key, hit);
    }
    return hit;
  };
  const found = new Map<string, { count: number; first: string }>();
  // The indexed path is built only for the first value found at a type path.
  const segments: string[] = [];
  const visit = (node: unknown, typePath: string): void => {
    if (node === null || node === undefined || node === '') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        segments.push(`[${i}]`);
        visit(node[i], typePath);
        segments.pop();
      }
      return;
    }
    if (typeof node === 'object') {
      if (typePath && covered(typePath, false)) return;
      for (const k in node) {
        if (!Object.hasOwn(node, k)) continue;
        segments.push(typePath || segments.length > 0 ? `.${k}` : k);
        visit((node as Record<string, unknown>)[k], typePath ? `${typePath}.${k}` : k);
        segments.pop();
      }
      return;
    }
    if (covered(typePath, true)) return;
    const f = found.get(typePath);
    if (f) f.count += 1;
    else found.set(typePath, { count: 1, first: `${root}${segments.join('')}` });
  };
  visit(tree, root);
  return [...found.entries()].map(([typePath, { count, first }]) => ({
    severity: 'warning' as const,
    code: 'informational',
    expression: [first],
    diagnostics: `input not consumed: ${count} value${count === 1 ? '' : 's'} at ${typePath} ${count === 1 ? 'is' : 'are'} not mapped to the canonical model and ${count === 1 ? 'was' : 'were'} not stored`,
  }));
}

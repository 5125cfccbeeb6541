/**
 * FHIR R4 readers: bytes → the plain FHIR JSON tree, syntax only (no business rules).
 *
 * - `readFhirJson` checks UTF-8, JSON syntax (naming line and column), a top-level object
 *   with a string `resourceType`, nesting depth and prototype-polluting keys.
 * - `readFhirXml` converts FHIR R4 XML to the standard JSON representation (R4 "XML ↔ JSON"
 *   rules: primitive `value` attributes typed as JSON booleans/numbers/strings, `_name` for a
 *   primitive's id/extension, arrays for every element whose max cardinality is > 1,
 *   `resourceType` from the element name, resource wrappers in `contained`/`entry.resource`/
 *   `parameter.resource`, the narrative div kept as an XHTML string).
 * - `sniffFhirFormat` picks the reader from the media type, or from the first byte.
 *
 * Where the element knowledge comes from: the R4 model that ships inside `fhirpath` (already a
 * dependency; maintained by the US National Library of Medicine, BSD-style licence). Its
 * `fhir-context/r4` files are generated from the official R4 (4.0.1) StructureDefinitions:
 * `path2Type.json` (every element path of every resource and data type → its type, choice
 * elements already expanded to `valueString`, `deceasedDateTime`…), `path2Repeating.json` (the
 * paths whose max cardinality is > 1), `pathsDefinedElsewhere.json` (contentReference, e.g.
 * `Bundle.entry.link` → `Bundle.link`; their cardinality is not in path2Repeating, see
 * SINGLE_CONTENT_REFERENCES) and `type2Parent.json`. They are read once, on first use, and folded
 * into a compact Map (path → kind, type context, repeats); the raw files are not kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ParsedMessage } from './types.js';
import { checkJsonTree } from './json-safety.js';
import { decodeUtf8, malformed } from './types.js';
import type { NamespaceScope, XmlNode } from './xml.js';
import { declareNamespaces, localName, namespaceOf, readXml } from './xml.js';

const JSON_FORMAT = 'fhir-r4-json';
const XML_FORMAT = 'fhir-r4-xml';
const FHIR_NS = 'http://hl7.org/fhir';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const MAX_DEPTH = 64;

// ---------------------------------------------------------------------------------------------
// Media type / first byte sniffing

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);
const XML_TYPES = new Set(['application/fhir+xml', 'application/xml', 'text/xml', 'application/xml+fhir']);

/**
 * Which FHIR reader fits: by media type when there is one (parameters such as charset or
 * fhirVersion are allowed; a fhirVersion other than 4.0.x means "not R4" and gives undefined),
 * otherwise by the first non-space byte (`{` JSON, `<` XML). Undefined when neither fits.
 */
export function sniffFhirFormat(contentType: string | undefined, bytes: Uint8Array | string): 'fhir-r4-json' | 'fhir-r4-xml' | undefined {
  if (contentType !== undefined && contentType.trim() !== '') {
    const [type = '', ...params] = contentType.split(';');
    const media = type.trim().toLowerCase();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'fhirversion' && !/^4\.0(\.\d+)?$/.test(value)) return undefined;
    }
    if (JSON_TYPES.has(media)) return JSON_FORMAT;
    if (XML_TYPES.has(media)) return XML_FORMAT;
    return undefined;
  }
  const first = firstSignificantChar(bytes);
  if (first === '{') return JSON_FORMAT;
  if (first === '<') return XML_FORMAT;
  return undefined;
}

function firstSignificantChar(bytes: Uint8Array | string): string | undefined {
  if (typeof bytes === 'string') {
    const m = /^[\ufeff\s]*(\S)/.exec(bytes);
    return m?.[1];
  }
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  for (; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return String.fromCharCode(b);
  }
  return undefined;
}

/** A whole-body problem (encoding, XML syntax, DTD) reported by the shared helpers names `body`. */
function bodyError(err: unknown): unknown {
  if (err instanceof GatewayError && err.issues.every((i) => !i.expression?.length)) {
    return new GatewayError(err.code, err.message, { expression: 'body', cause: err });
  }
  return err;
}

function atBody<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw bodyError(err);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON

/** Reads a FHIR R4 JSON resource: syntax, shape of the top level, depth and key safety. */
export function readFhirJson(bytes: Uint8Array | string): ParsedMessage<fhir4.Resource> {
  let text = atBody(() => decodeUtf8(JSON_FORMAT, bytes));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw malformed(JSON_FORMAT, 'the body is empty; expected a FHIR resource as a JSON object', 'body');
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    // V8's message quotes part of the body; never echo it. Locate the problem ourselves.
    throw malformed(JSON_FORMAT, `the body is not valid JSON: ${jsonSyntaxProblem(text)}`, 'body');
  }
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    const got = tree === null ? 'null' : Array.isArray(tree) ? 'an array' : `a ${typeof tree}`;
    throw malformed(JSON_FORMAT, `the body must be a JSON object (a FHIR resource), received ${got}`, 'body');
  }
  const root = tree as Record<string, unknown>;
  const resourceType = Object.hasOwn(root, 'resourceType') ? root.resourceType : undefined;
  const rootName = typeof resourceType === 'string' && /^[A-Za-z]{1,64}$/.test(resourceType) ? resourceType : 'Resource';
  checkJsonTree(root, rootName, JSON_FORMAT);
  if (typeof resourceType !== 'string' || resourceType === '') {
    const what = resourceType === undefined ? 'has no resourceType' : 'has a resourceType that is not a non-empty string';
    throw malformed(JSON_FORMAT, `the JSON object ${what}; a FHIR resource names its type in "resourceType"`, 'resourceType');
  }
  const id = root.id;
  return { format: JSON_FORMAT, tree: root as unknown as fhir4.Resource, messageId: typeof id === 'string' ? id : undefined, warnings: [] };
}

class JsonProblem extends Error {
  constructor(
    readonly pos: number,
    readonly what: string,
  ) {
    super(what);
  }
}

/** Finds where JSON.parse gave up (run only after it failed), without quoting the body. */
/**
 * Where and why a text JSON.parse refused is not JSON (`expected ',' or '}' at line 3,
 * column 7`), without quoting the text: V8's own message does, and a body is personal data.
 */
export function jsonSyntaxProblem(text: string): string {
  const problem = locateJsonError(text);
  const { line, column } = lineColumn(text, problem.pos);
  return `${problem.what} at line ${line}, column ${column}`;
}

function locateJsonError(text: string): JsonProblem {
  const n = text.length;
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonProblem(i, what);
  };
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
        continue;
      }
      if (c < 0x20) fail('unescaped control character in a string');
      i++;
    }
  };
  const value = (depth: number): void => {
    ws();
    if (i >= n) fail('unexpected end of input');
    const c = text[i]!;
    if (c === '{' || c === '[') {
      if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail('expected a property name in double quotes');
          string();
          ws();
          if (text[i] !== ':') fail("expected ':' after a property name");
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(i >= n ? 'unexpected end of input' : `expected ',' or '${close}'`);
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail('malformed number');
      i = NUMBER.lastIndex;
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    fail('unexpected character');
  };
  try {
    value(1);
    ws();
    if (i < n) fail('unexpected content after the JSON value');
  } catch (e) {
    if (e instanceof JsonProblem) return e;
    throw e;
  }
  return new JsonProblem(0, 'unreadable JSON');
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}

// ---------------------------------------------------------------------------------------------
// The R4 element index (lazy, once)

type Kind = 'primitive' | 'complex' | 'resource' | 'xhtml';

type PrimitiveKind = 'boolean' | 'integer' | 'decimal' | 'string';

interface ElementDef {
  kind: Kind;
  /** Complex: the path prefix that defines the children (a type name or a backbone path). */
  context: string;
  /** Primitive: how the value attribute maps to JSON. */
  primitive: PrimitiveKind;
  /** Max cardinality > 1: always an array in JSON. */
  repeats: boolean;
}

interface R4Index {
  elements: Map<string, ElementDef>;
  resourceTypes: Set<string>;
}

let index: R4Index | undefined;

/**
 * `path2Repeating.json` leaves out the elements defined by a contentReference (Bundle.entry.link,
 * Consent.provision.provision, Parameters.parameter.part…). In R4 all 55 of them have max `*`
 * except these (checked against the R4 definitions as typed in @types/fhir).
 */
const SINGLE_CONTENT_REFERENCES = new Set([
  'ExampleScenario.process.step.operation.request',
  'ExampleScenario.process.step.operation.response',
  'SubstanceSpecification.structure.molecularWeight',
  'TestReport.teardown.action.operation',
  'TestReport.test.action.assert',
  'TestReport.test.action.operation',
  'TestScript.teardown.action.operation',
  'TestScript.test.action.assert',
  'TestScript.test.action.operation',
]);

function loadModelFile(name: string): unknown {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve(`fhirpath/fhir-context/r4/${name}`), 'utf8'));
}

function primitiveKind(type: string): PrimitiveKind | undefined {
  switch (type) {
    case 'boolean':
    case 'System.Boolean':
      return 'boolean';
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt':
    case 'System.Integer':
      return 'integer';
    case 'decimal':
    case 'System.Decimal':
      return 'decimal';
    default:
      return /^[a-z]/.test(type) || type.startsWith('System.') ? 'string' : undefined;
  }
}

function r4Index(): R4Index {
  if (index) return index;
  const path2Type = loadModelFile('path2Type.json') as Record<string, string | { code: string }>;
  const repeating = new Set(loadModelFile('path2Repeating.json') as string[]);
  const elsewhere = loadModelFile('pathsDefinedElsewhere.json') as Record<string, string>;
  const type2Parent = loadModelFile('type2Parent.json') as Record<string, string>;

  const prefixes = new Set<string>();
  for (const path of Object.keys(path2Type)) prefixes.add(path.slice(0, path.indexOf('.')));
  const ancestors = (type: string): string[] => {
    const out: string[] = [];
    for (let t: string | undefined = type; t !== undefined && out.length < 10; t = Object.hasOwn(type2Parent, t) ? type2Parent[t] : undefined) out.push(t);
    return out;
  };
  const resourceTypes = new Set<string>();
  for (const t of prefixes) {
    if (['Resource', 'DomainResource', 'MetadataResource'].includes(t)) continue;
    if (ancestors(t).includes('Resource')) resourceTypes.add(t);
  }
  // A profile of a type with no elements of its own (SimpleQuantity, MoneyQuantity) uses its parent's.
  const contextOf = (type: string): string => ancestors(type).find((t) => prefixes.has(t)) ?? type;

  const elements = new Map<string, ElementDef>();
  const define = (path: string, type: string): void => {
    const repeats = repeating.has(path);
    const primitive = primitiveKind(type);
    if (type === 'xhtml') elements.set(path, { kind: 'xhtml', context: '', primitive: 'string', repeats });
    else if (primitive) elements.set(path, { kind: 'primitive', context: '', primitive, repeats });
    else if (type === 'Resource') elements.set(path, { kind: 'resource', context: '', primitive: 'string', repeats });
    else if (type === 'Element' || type === 'BackboneElement') elements.set(path, { kind: 'complex', context: path, primitive: 'string', repeats });
    else elements.set(path, { kind: 'complex', context: contextOf(type), primitive: 'string', repeats });
  };
  for (const [path, t] of Object.entries(path2Type)) define(path, typeof t === 'string' ? t : t.code);
  for (const [path, target] of Object.entries(elsewhere)) {
    const repeats = repeating.has(path) || !SINGLE_CONTENT_REFERENCES.has(path);
    elements.set(path, { kind: 'complex', context: target, primitive: 'string', repeats });
  }
  index = { elements, resourceTypes };
  return index;
}

// ---------------------------------------------------------------------------------------------
// XML

interface XmlRun {
  warnings: GatewayIssue[];
  divs: string[];
  nextDiv: number;
  elements: Map<string, ElementDef>;
  resourceTypes: Set<string>;
}

type Scope = NamespaceScope;

/**
 * Reads FHIR R4 XML and gives the standard FHIR JSON tree. Refuses (400, naming the path)
 * malformed XML, DTDs/entities, a namespace other than http://hl7.org/fhir, an element or
 * attribute R4 does not define there, a repeated single-valued element and a value that does
 * not fit its type (boolean, integer, decimal).
 */
export async function readFhirXml(bytes: Uint8Array | string): Promise<ParsedMessage<fhir4.Resource>> {
  const text = atBody(() => decodeUtf8(XML_FORMAT, bytes));
  let root: XmlNode;
  try {
    root = await readXml(XML_FORMAT, text);
  } catch (err) {
    throw bodyError(err);
  }
  const { elements, resourceTypes } = r4Index();
  const run: XmlRun = { warnings: [], divs: text.includes('div') ? narrativeDivs(text) : [], nextDiv: 0, elements, resourceTypes };
  const scope = declareNamespaces(root, new Map());
  const name = localName(root.name);
  const ns = namespaceOf(root.name, scope);
  if (ns !== FHIR_NS) {
    throw malformed(XML_FORMAT, `the root element is ${ns ? `in the namespace ${ns}` : 'in no namespace'}; FHIR R4 XML must be in ${FHIR_NS}`, name);
  }
  if (!resourceTypes.has(name)) throw malformed(XML_FORMAT, `the root element ${name} is not an R4 resource type`, name);
  const tree = complex(root, name, name, scope, run, true);
  const id = tree.id;
  return { format: XML_FORMAT, tree: tree as unknown as fhir4.Resource, messageId: typeof id === 'string' ? id : undefined, warnings: run.warnings };
}


/** What an element's attributes hold, after namespace declarations and foreign attributes. */
function fhirAttributes(node: XmlNode, path: string, allowed: readonly string[], run: XmlRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const [attr, value] of Object.entries(node.attrs)) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
    if (attr.includes(':')) {
      if (localName(attr) !== 'schemaLocation') {
        run.warnings.push({ severity: 'warning', code: 'informational', diagnostics: `the attribute ${attr} is not part of FHIR and was ignored`, expression: [path] });
      }
      continue;
    }
    if (!allowed.includes(attr)) {
      throw malformed(XML_FORMAT, `the attribute "${attr}" is not allowed here (allowed: ${allowed.join(', ') || 'none'})`, path);
    }
    out.set(attr, value);
  }
  if (node.text !== '') throw malformed(XML_FORMAT, 'FHIR XML elements hold no text; a value goes in the value attribute', path);
  return out;
}

interface Slot {
  def: ElementDef;
  values: unknown[];
  extras: (Record<string, unknown> | undefined)[];
}

/** A resource, data type or backbone element: its children by the R4 definition of `context`. */
function complex(node: XmlNode, context: string, path: string, scope: Scope, run: XmlRun, isResource: boolean): Record<string, unknown> {
  const allowed = isResource ? [] : context === 'Extension' ? ['id', 'url'] : ['id'];
  const attrs = fhirAttributes(node, path, allowed, run);
  const out: Record<string, unknown> = isResource ? { resourceType: context } : {};
  for (const [attr, value] of attrs) out[attr] = value;

  const slots = new Map<string, Slot>();
  for (const child of node.children) {
    const childScope = declareNamespaces(child, scope);
    const name = localName(child.name);
    const ns = namespaceOf(child.name, childScope);
    const def = run.elements.get(`${context}.${name}`);
    const asAttribute = (name === 'id' && !isResource) || (name === 'url' && context === 'Extension');
    if (def?.kind !== 'xhtml' && ns !== FHIR_NS) {
      throw malformed(XML_FORMAT, `the element ${name} is ${ns ? `in the namespace ${ns}` : 'in no namespace'}; FHIR R4 XML must be in ${FHIR_NS}`, `${path}.${name}`);
    }
    if (!def || asAttribute) {
      const hint = asAttribute ? ` (in XML, ${name} is an attribute)` : '';
      throw malformed(XML_FORMAT, `unknown element ${name}: R4 defines no ${context}.${name}${hint}`, `${path}.${name}`);
    }
    let slot = slots.get(name);
    if (!slot) {
      slot = { def, values: [], extras: [] };
      slots.set(name, slot);
    } else if (!def.repeats) {
      throw malformed(XML_FORMAT, `the element ${name} appears more than once, but ${context}.${name} allows at most one`, `${path}.${name}`);
    }
    const childPath = def.repeats ? `${path}.${name}[${slot.values.length}]` : `${path}.${name}`;
    let value: unknown;
    let extra: Record<string, unknown> | undefined;
    switch (def.kind) {
      case 'primitive':
        ({ value, extra } = primitive(child, def.primitive, childPath, childScope, run));
        break;
      case 'complex':
        value = complex(child, def.context, childPath, childScope, run, false);
        break;
      case 'resource':
        value = wrapped(child, childPath, childScope, run);
        break;
      case 'xhtml':
        value = xhtml(child, ns, childPath, run);
        break;
    }
    const empty = value === undefined ? extra === undefined : typeof value === 'object' && value !== null && Object.keys(value).length === 0;
    if (empty) {
      run.warnings.push({ severity: 'warning', code: 'informational', diagnostics: `the element ${name} has no value, attributes or children and was dropped`, expression: [childPath] });
      continue;
    }
    slot.values.push(value);
    slot.extras.push(extra);
  }

  for (const [name, slot] of slots) {
    if (slot.values.length === 0) continue;
    if (slot.def.kind === 'primitive') {
      if (slot.values.some((v) => v !== undefined)) out[name] = slot.def.repeats ? slot.values.map((v) => v ?? null) : slot.values[0];
      if (slot.extras.some((e) => e !== undefined)) out[`_${name}`] = slot.def.repeats ? slot.extras.map((e) => e ?? null) : slot.extras[0];
    } else {
      out[name] = slot.def.repeats ? slot.values : slot.values[0];
    }
  }
  return out;
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A primitive: the typed `value` attribute, and its id/extension for the `_name` property. */
function primitive(node: XmlNode, kind: PrimitiveKind, path: string, scope: Scope, run: XmlRun): { value: unknown; extra: Record<string, unknown> | undefined } {
  const attrs = fhirAttributes(node, path, ['id', 'value'], run);
  const raw = attrs.get('value');
  let value: unknown;
  if (raw !== undefined && raw !== '') {
    if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw malformed(XML_FORMAT, 'expected a boolean value (true or false)', path);
      value = raw === 'true';
    } else if (kind === 'integer') {
      const n = Number(raw);
      if (!INTEGER.test(raw) || !Number.isSafeInteger(n)) throw malformed(XML_FORMAT, 'expected an integer value', path);
      value = n;
    } else if (kind === 'decimal') {
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(n)) throw malformed(XML_FORMAT, 'expected a decimal value', path);
      value = n;
    } else {
      value = raw;
    }
  }
  const extra: Record<string, unknown> = {};
  const id = attrs.get('id');
  if (id !== undefined) extra.id = id;
  const extension: unknown[] = [];
  for (const child of node.children) {
    const childScope = declareNamespaces(child, scope);
    const name = localName(child.name);
    if (name !== 'extension' || namespaceOf(child.name, childScope) !== FHIR_NS) {
      throw malformed(XML_FORMAT, `unknown element ${name}: a primitive element holds only extension elements`, `${path}.${name}`);
    }
    extension.push(complex(child, 'Extension', `${path}.extension[${extension.length}]`, childScope, run, false));
  }
  if (extension.length > 0) extra.extension = extension;
  return { value, extra: Object.keys(extra).length > 0 ? extra : undefined };
}

/** `contained`, `Bundle.entry.resource`, `Parameters.parameter.resource`: one element named after the resource type. */
function wrapped(node: XmlNode, path: string, scope: Scope, run: XmlRun): Record<string, unknown> {
  fhirAttributes(node, path, [], run);
  const [inner, ...more] = node.children;
  if (!inner || more.length > 0) throw malformed(XML_FORMAT, 'expected exactly one resource element inside', path);
  const innerScope = declareNamespaces(inner, scope);
  const type = localName(inner.name);
  const ns = namespaceOf(inner.name, innerScope);
  if (ns !== FHIR_NS) throw malformed(XML_FORMAT, `the element ${type} is ${ns ? `in the namespace ${ns}` : 'in no namespace'}; FHIR R4 XML must be in ${FHIR_NS}`, path);
  if (!run.resourceTypes.has(type)) throw malformed(XML_FORMAT, `${type} is not an R4 resource type`, path);
  return complex(inner, type, path, innerScope, run, true);
}

/** Narrative.div: the XHTML as written in the source, with the XHTML namespace declared on it. */
function xhtml(node: XmlNode, ns: string | undefined, path: string, run: XmlRun): string {
  if (node.name !== 'div' || ns !== XHTML_NS) {
    throw malformed(XML_FORMAT, `the narrative must be a <div> in the default namespace ${XHTML_NS}`, path);
  }
  const source = run.divs[run.nextDiv++];
  if (source === undefined || !source.startsWith('<div')) throw malformed(XML_FORMAT, 'could not locate the narrative div in the source', path);
  if (node.attrs.xmlns === XHTML_NS) return source;
  return `<div xmlns="${XHTML_NS}"${source.slice(4)}`;
}

/**
 * Every outermost `div` element of an already well-formed document, as source text, in document
 * order (the only FHIR element named div is Narrative.div, and the XHTML inside a narrative is
 * kept whole). xml2js's tree loses the order of mixed text and markup, so the text is cut from
 * the source instead of re-serialised.
 */
function narrativeDivs(text: string): string[] {
  const TAG = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(\/?)>/g;
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (const m of text.matchAll(TAG)) {
    const name = m[2];
    if (name === undefined) continue;
    const closing = m[1] === '/';
    const selfClosing = m[3] === '/';
    if (depth === 0) {
      if (!closing && localName(name) === 'div') {
        if (selfClosing) out.push(m[0]);
        else {
          start = m.index;
          depth = 1;
        }
      }
      continue;
    }
    if (closing) {
      depth--;
      if (depth === 0) out.push(text.slice(start, m.index + m[0].length));
    } else if (!selfClosing) depth++;
  }
  return out;
}

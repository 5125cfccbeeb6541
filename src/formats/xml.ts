import { Parser } from 'xml2js';
import type { SourceFormat } from './types.js';
import { decodeUtf8, malformed } from './types.js';

/** One XML element, in document order, with its attributes and trimmed own text. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  /** The element's own character data, trimmed ('' when none). */
  text: string;
  children: XmlNode[];
}

const MAX_DEPTH = 64;

interface RawNode {
  '#name': string;
  $?: Record<string, string>;
  _?: string;
  $$?: RawNode[];
}

function toNode(raw: RawNode, depth: number, format: SourceFormat, path: string): XmlNode {
  if (depth > MAX_DEPTH) throw malformed(format, `elements are nested more than ${MAX_DEPTH} deep`, path);
  const name = raw['#name'];
  const children: XmlNode[] = [];
  for (const c of raw.$$ ?? []) {
    if (c['#name'] === '__text__') continue;
    children.push(toNode(c, depth + 1, format, `${path}.${c['#name']}`));
  }
  return { name, attrs: { ...(raw.$ ?? {}) }, text: (raw._ ?? '').trim(), children };
}

/**
 * Parses XML into an ordered element tree with xml2js. Refuses a document type
 * declaration outright (no DTD, so no external entities and no entity-expansion bombs),
 * undeclared entities, mismatched tags and nesting deeper than 64, naming the problem.
 */
export async function readXml(format: SourceFormat, bytes: Uint8Array | string): Promise<XmlNode> {
  const text = decodeUtf8(format, bytes);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw malformed(format, 'the XML has a document type declaration (<!DOCTYPE or <!ENTITY); DTDs and entity declarations are refused for safety');
  }
  if (text.trim() === '') throw malformed(format, 'the body is empty; expected an XML document');
  const parser = new Parser({
    explicitChildren: true,
    preserveChildrenOrder: true,
    explicitArray: true,
    explicitRoot: true,
    charsAsChildren: false,
    includeWhiteChars: false,
    trim: false,
    strict: true,
    async: false,
  });
  let parsed: Record<string, RawNode>;
  try {
    parsed = (await parser.parseStringPromise(text)) as Record<string, RawNode>;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : 'unreadable';
    throw malformed(format, `the XML is not well formed: ${reason}`);
  }
  if (!parsed) throw malformed(format, 'the body holds no XML element');
  const rootName = Object.keys(parsed)[0];
  const root = rootName ? parsed[rootName] : undefined;
  if (!rootName || !root) throw malformed(format, 'the body holds no XML element');
  return toNode({ ...root, '#name': rootName }, 0, format, rootName);
}

/** Local name of an element or attribute, without its namespace prefix. */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** The XML namespaces in scope at an element: prefix ('' for the default) → URI. */
export type NamespaceScope = ReadonlyMap<string, string>;

/** The namespace declarations of an element added to the ones in scope. */
export function declareNamespaces(node: XmlNode, scope: NamespaceScope): NamespaceScope {
  let next: Map<string, string> | undefined;
  for (const [attr, uri] of Object.entries(node.attrs)) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
      next ??= new Map(scope);
      next.set(attr === 'xmlns' ? '' : attr.slice(6), uri);
    }
  }
  return next ?? scope;
}

/** The namespace URI of a qualified name in a scope; undefined when its prefix is not declared. */
export function namespaceOf(qname: string, scope: NamespaceScope): string | undefined {
  const i = qname.indexOf(':');
  return scope.get(i === -1 ? '' : qname.slice(0, i));
}

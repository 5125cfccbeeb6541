import type { GatewayIssue } from '../errors/gateway-error.js';
import { malformed } from './types.js';
import type { NamespaceScope, XmlNode } from './xml.js';
import { declareNamespaces, localName, namespaceOf, readXml } from './xml.js';

/** The namespace of the XML form of a police notification (docs/police-notification.xsd). */
export const POLICE_NOTIFICATION_NS = 'https://sgw.example/ns/police-notification/1';

const FORMAT = 'police-xml';
const ROOT = 'PoliceNotification';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** An element of the tree: its text when it has no child elements, else its children by name (a list when repeated). */
export type PoliceXmlValue = string | PoliceXmlElement;
export interface PoliceXmlElement {
  [name: string]: PoliceXmlValue | PoliceXmlValue[];
}

/** What the reader gives the mapping: `{ PoliceNotification: { Force, Persons: { Person: [...] }, … } }`. */
export interface PoliceXmlTree {
  PoliceNotification: PoliceXmlElement;
}

type Scope = NamespaceScope;


class Walker {
  readonly warnings: GatewayIssue[] = [];

  element(node: XmlNode, path: string, scope: Scope): PoliceXmlValue {
    this.attributes(node, path, scope);
    if (node.children.length === 0) return node.text;
    if (node.text !== '') throw malformed(FORMAT, `the element ${localName(node.name)} holds both text and elements; expected one or the other`, path);
    const out: PoliceXmlElement = {};
    const counts = new Map<string, number>();
    const repeated = new Set(node.children.map((c) => c.name).filter((n, i, all) => all.indexOf(n) !== i).map(localName));
    for (const child of node.children) {
      const childScope = declareNamespaces(child, scope);
      const name = localName(child.name);
      const ns = namespaceOf(child.name, childScope);
      const at = counts.get(name) ?? 0;
      const childPath = `${path}.${name}`;
      if (ns !== POLICE_NOTIFICATION_NS) {
        this.warnings.push({
          severity: 'warning',
          code: 'informational',
          expression: [`${path}.${child.name}`],
          diagnostics: `input not consumed: the element ${child.name} is ${ns ? `in the namespace ${ns}` : 'in no namespace'}, not ${POLICE_NOTIFICATION_NS}, so it was ignored and not stored`,
        });
        continue;
      }
      counts.set(name, at + 1);
      const value = this.element(child, repeated.has(name) ? `${childPath}[${at}]` : childPath, childScope);
      const existing = out[name];
      if (existing === undefined) out[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else out[name] = [existing, value];
    }
    return out;
  }

  /** Namespace declarations and xsi:* are expected; the vocabulary has no other attributes. */
  private attributes(node: XmlNode, path: string, scope: Scope): void {
    for (const attr of Object.keys(node.attrs)) {
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      if (attr.includes(':') && namespaceOf(attr, scope) === XSI_NS) continue;
      this.warnings.push({ severity: 'warning', code: 'informational', expression: [`${path}/@${attr}`], diagnostics: `input not consumed: the attribute ${attr} is not part of the police notification vocabulary, so it was ignored and not stored` });
    }
  }
}

/**
 * Reads the XML form of a police notification into a plain tree for the mapping in
 * `mappings/police-notification/`. Syntax only: the root must be `PoliceNotification` in
 * the namespace {@link POLICE_NOTIFICATION_NS}; DTDs and entities are refused by readXml;
 * elements of other namespaces and unknown attributes come back as warnings (values never
 * shown). Paths in messages index repeated elements only: `PoliceNotification.Persons.Person[1].Name`.
 * Throws 400 GW_ERR_MALFORMED_BODY naming what is wrong and where.
 */
export async function readPoliceNotificationXml(bytes: Uint8Array | string): Promise<{ tree: PoliceXmlTree; warnings: GatewayIssue[] }> {
  const root = await readXml(FORMAT, bytes);
  const scope = declareNamespaces(root, new Map());
  const name = localName(root.name);
  const ns = namespaceOf(root.name, scope);
  if (name !== ROOT || ns !== POLICE_NOTIFICATION_NS) {
    throw malformed(
      FORMAT,
      `the root element is ${name} ${ns ? `in the namespace ${ns}` : 'in no namespace'}; expected ${ROOT} in the namespace ${POLICE_NOTIFICATION_NS}`,
      name,
    );
  }
  const walker = new Walker();
  const body = walker.element(root, ROOT, scope);
  const tree: PoliceXmlTree = { PoliceNotification: typeof body === 'string' ? {} : body };
  return { tree, warnings: walker.warnings };
}

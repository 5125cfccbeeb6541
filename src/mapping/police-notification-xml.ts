import { errorFromIssues } from '../errors/gateway-error.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { readPoliceNotificationXml } from '../formats/police-notification-xml.js';
import { readsOf } from './expression.js';
import { mapMessage } from './map-message.js';
import type { MappingRegistry } from './registry.js';

/** The XML form of a notification, mapped to the shape of the JSON body and not yet validated. */
export interface NotificationXmlResult {
  /** The submission as the mapping made it: validate it with NotificationSubmissionSchema, as the JSON form. */
  submission: unknown;
  /** Input not consumed (unknown elements, foreign namespaces, attributes): warnings, never shown with values. */
  warnings: GatewayIssue[];
  /** For each field the mapping filled (`persons[0].birthDate`), the XML element it came from. */
  sources: Record<string, string>;
  /** `id@version` of the mapping used, for provenance. */
  mapping: string;
}

const CALL = /\.\((.*)\)$/;

/** `PoliceNotification[0].Persons.Person[1].(EstimatedAge.select(…))` → `PoliceNotification.Persons.Person[1].EstimatedAge`. */
function elementPath(source: string): string {
  let path = source.replace(/^PoliceNotification\[0\]/, 'PoliceNotification');
  const call = CALL.exec(path);
  if (call?.[1] !== undefined) {
    const read = readsOf(call[1])[0];
    path = path.slice(0, call.index) + (read ? `.${read}` : '');
  }
  return path;
}

/**
 * Reads a police notification sent as XML (`Content-Type: application/xml` on
 * `POST /notifications`) and maps it through `mappings/police-notification/` to the shape
 * of the JSON body, so that one zod schema validates both forms. Numbers and booleans come
 * out typed; a value that does not convert is kept as sent, for the schema to reject with
 * its field path (see {@link withXmlPaths} to add the XML path).
 *
 * Throws GatewayError 400 GW_ERR_MALFORMED_BODY for XML that is not well formed, has a DTD
 * or entity declaration, or whose root is not `PoliceNotification` in the namespace
 * https://sgw.example/ns/police-notification/1; 422 GW_ERR_VALIDATION_FAILED when the
 * mapping cannot use a value (an element where text was expected).
 */
export async function readNotificationXml(registry: MappingRegistry, body: string | Buffer): Promise<NotificationXmlResult> {
  const read = await readPoliceNotificationXml(body);
  const mapped = mapMessage(registry, 'police-xml', read.tree, {});
  // One document, one PoliceNotification: its index says nothing to the sender.
  const issues = mapped.issues.map((i) => (i.expression ? { ...i, expression: i.expression.map((e) => e.replace(/^PoliceNotification\[0\]/, 'PoliceNotification')) } : i));
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) throw errorFromIssues('GW_ERR_VALIDATION_FAILED', errors);
  const draft = mapped.drafts.find((d) => d.type === 'PoliceNotificationSubmission');
  const sources: Record<string, string> = {};
  for (const l of draft?.lineage ?? []) if (l.source !== '(constant)') sources[l.field] = elementPath(l.source);
  return { submission: draft?.fields ?? {}, warnings: [...read.warnings, ...issues], sources, mapping: mapped.mappings.join(', ') };
}

/** `['persons', 0, 'birthDate']` or `persons.0.birthDate` → the lineage field `persons[0].birthDate`. */
function fieldOf(path: readonly PropertyKey[] | string): string {
  const parts = typeof path === 'string' ? path.split('.').filter((p) => p !== '') : path.map(String);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function commonPrefix(paths: string[]): string {
  if (paths.length === 0) return '';
  const split = paths.map((p) => p.split('.'));
  const first = split[0]!;
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n += 1;
  return first.slice(0, n).join('.');
}

/**
 * The XML element a field of the submission came from (`persons.0.birthDate` →
 * `PoliceNotification.Persons.Person[0].BirthDate`). For a field the XML did not give (a
 * missing birth date), the nearest enclosing element that was given (`…Person[0]`).
 */
export function xmlPathFor(sources: Readonly<Record<string, string>>, path: readonly PropertyKey[] | string): string {
  let field = fieldOf(path);
  const exact = sources[field] ?? sources[field.replace(/\[\d+\]$/, '[]')];
  if (exact !== undefined) return exact;
  while (field !== '') {
    const under = Object.entries(sources)
      .filter(([f]) => f.startsWith(`${field}.`) || f.startsWith(`${field}[`))
      .map(([, s]) => s);
    // One element under the field: its parent; several: the element they share.
    const prefix = under.length === 1 ? under[0]!.split('.').slice(0, -1).join('.') : commonPrefix(under);
    if (prefix !== '') return prefix;
    const parent = field.replace(/(\.[^.[]+|\[\d+\])$/, '');
    field = parent === field ? '' : parent;
  }
  return 'PoliceNotification';
}

/**
 * Adds to each issue that names a submission field (`persons.0.birthDate`) the XML element
 * it corresponds to, so that an integrator who sent XML sees where in their document the
 * problem is. The field path stays first, as for the JSON form.
 */
export function withXmlPaths(issues: readonly GatewayIssue[], sources: Readonly<Record<string, string>>): GatewayIssue[] {
  return issues.map((i) => {
    const field = i.expression?.[0];
    if (field === undefined) return i;
    const xml = xmlPathFor(sources, field);
    return i.expression!.includes(xml) ? i : { ...i, expression: [...i.expression!, xml] };
  });
}

import { POLICE_NOTIFICATION_NS } from './police-notification-xml.js';

/** The two forms of a police notification, as `sgw conformance check --format` names them. */
export const POLICE_NOTIFICATION_FORMATS = ['police-notification-json', 'police-notification-xml'] as const;
export type PoliceNotificationFormat = (typeof POLICE_NOTIFICATION_FORMATS)[number];

const NS = POLICE_NOTIFICATION_NS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const DECLARES_NS = new RegExp(`xmlns(:[\\w.-]+)?\\s*=\\s*["']${NS}["']`);

/**
 * Tells a police notification file from the ingest formats (POST /notifications takes these,
 * POST /ingest does not): a JSON object whose top level has `force`, `reference` and
 * `persons`, or XML that declares the police notification namespace (its root is checked when
 * the file is read, so a wrong root is reported as such). Undefined for anything else.
 */
export function detectPoliceNotification(bytes: Uint8Array): PoliceNotificationFormat | undefined {
  const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return DECLARES_NS.test(text.slice(0, 4096)) ? 'police-notification-xml' : undefined;
  if (!text.startsWith('{')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return ['force', 'reference', 'persons'].every((k) => Object.hasOwn(body, k)) ? 'police-notification-json' : undefined;
}

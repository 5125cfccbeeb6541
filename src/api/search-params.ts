import type { Request } from 'express';
import { GatewayError } from '../errors/gateway-error.js';
import { isIsoCalendarDate, isIsoDateTime } from '../model/dates.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import { NHS_NUMBER_SYSTEM, normaliseSystem } from '../model/systems.js';

/** Parameters every FHIR search accepts and this gateway ignores. */
const ALWAYS_ALLOWED = ['_format'];

/**
 * Reads each search parameter once, refusing unknown parameters and repeats so nothing is
 * silently ignored. Parameters named `repeatable` (a date range) are accepted and left for
 * the caller to read from the query.
 */
export function searchParams(req: Request, allowed: string[], repeatable: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (ALWAYS_ALLOWED.includes(name) || repeatable.includes(name)) continue;
    if (!allowed.includes(name)) {
      throw new GatewayError('GW_ERR_UNSUPPORTED_PARAMETER', `search parameter '${name}' is not supported here; supported: ${[...allowed, ...repeatable].join(', ')}`, { expression: name });
    }
    if (typeof value !== 'string') throw new GatewayError('GW_ERR_INVALID_PARAMETER', `give '${name}' once`, { expression: name });
    out.set(name, value);
  }
  return out;
}

/**
 * Reads `patient:identifier=https://fhir.nhs.uk/Id/nhs-number|N` (the legacy
 * http://fhir.nhs.net system is accepted) and checks the NHS number's Modulus 11 digit.
 */
export function nhsNumberParam(params: Map<string, string>, name = 'patient:identifier'): string {
  const raw = params.get(name);
  const expected = `${NHS_NUMBER_SYSTEM}|<10-digit NHS number>`;
  if (raw === undefined || raw === '') throw new GatewayError('GW_ERR_MISSING_PARAMETER', `search parameter ${name} is required, as ${expected}`, { expression: name });
  const bar = raw.indexOf('|');
  if (bar < 0) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} must name the identifier system: expected ${expected}`, { expression: name });
  const system = normaliseSystem(raw.slice(0, bar));
  if (system !== NHS_NUMBER_SYSTEM) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} system must be ${NHS_NUMBER_SYSTEM}, received '${raw.slice(0, bar)}'`, { expression: name });
  const check = checkNhsNumber(raw.slice(bar + 1));
  if (!check.valid) throw new GatewayError('GW_ERR_INVALID_NHS_NUMBER', `${name}: invalid NHS number (rule: ${check.rule}): ${check.message}`, { expression: name });
  return check.value;
}

/** Reads the CP-IS header `IsUnscheduledAccessEvent: true|false`. */
export function unscheduledHeader(req: Request, required: boolean): boolean {
  const raw = req.get('IsUnscheduledAccessEvent');
  if (raw === undefined) {
    if (required) throw new GatewayError('GW_ERR_MISSING_PARAMETER', 'header IsUnscheduledAccessEvent is required: true for an unscheduled-care access (notifies the local authority), false for a silent read', { expression: 'IsUnscheduledAccessEvent' });
    return false;
  }
  const v = raw.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') throw new GatewayError('GW_ERR_INVALID_PARAMETER', `header IsUnscheduledAccessEvent must be true or false, received '${raw}'`, { expression: 'IsUnscheduledAccessEvent' });
  return v === 'true';
}

/** Reads `_count` (default and maximum given). */
export function countParam(params: Map<string, string>, defaultCount: number, max: number): number {
  const raw = params.get('_count');
  if (raw === undefined) return defaultCount;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `_count must be a whole number from 1 to ${max}, received '${raw}'`, { expression: '_count' });
  return Number(raw);
}

/** Longest consent-override reason accepted: a paragraph, not a case note. */
const MAX_OVERRIDE_REASON = 2000;

/**
 * Reads the `Override-Reason` header: the free-text reason a practitioner gives for
 * overriding a refused, withdrawn or unrecorded consent to protect a child. Text beyond
 * ASCII is percent-encoded UTF-8. Absent means no override is asked for.
 */
export function overrideReasonHeader(req: Request): { reason: string } | null {
  const raw = req.get('Override-Reason');
  if (raw === undefined) return null;
  let reason: string;
  try {
    reason = decodeURIComponent(raw).trim();
  } catch {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', 'Override-Reason must be text, percent-encoded as UTF-8 where it is not ASCII', { expression: 'Override-Reason' });
  }
  if (reason === '') throw new GatewayError('GW_ERR_INVALID_PARAMETER', 'Override-Reason is empty: say why sharing is needed to protect the subject, or leave the header out', { expression: 'Override-Reason' });
  if (reason.length > MAX_OVERRIDE_REASON) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `Override-Reason is ${reason.length} characters; at most ${MAX_OVERRIDE_REASON} are kept`, { expression: 'Override-Reason' });
  return { reason };
}

const DATE_RE = /^(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Reads FHIR `date` search parameters (repeatable; prefixes eq, ge, gt, le, lt; a day or an
 * instant with its offset) into one half-open range of instants: `from` inclusive, `to`
 * exclusive. A day stands for the whole UTC day: le2026-11-30 includes all of the 30th.
 */
export function dateBounds(raw: unknown, name = 'date'): { from?: string; to?: string } {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  let from: string | undefined;
  let to: string | undefined;
  const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);
  const earlier = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);
  for (const v of values) {
    const m = typeof v === 'string' ? DATE_RE.exec(v) : null;
    if (!m) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} must be a date or instant with an optional prefix eq, ge, gt, le or lt (e.g. ge2026-11-01 or lt2026-11-20T10:00:00Z), received '${String(v)}'`, { expression: name });
    const prefix = m[1] ?? 'eq';
    const day = !m[3];
    // new Date() would roll 2026-02-30 over to 2 March and T24:00 to the next day: refuse them.
    if (day ? !isIsoCalendarDate(m[2]!) : !isIsoDateTime(`${m[2]}${m[3]}`)) {
      throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name}: '${String(v)}' is not a real date or time (expected a calendar day, a time from 00:00 to 23:59:59 and an offset of at most 14 hours)`, { expression: name });
    }
    const instant = day ? new Date(`${m[2]}T00:00:00Z`) : new Date(`${m[2]}${m[3]}`);
    if (Number.isNaN(instant.getTime())) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name}: '${String(v)}' is not a real date`, { expression: name });
    const start = instant.toISOString();
    const end = new Date(instant.getTime() + (day ? 86_400_000 : 1)).toISOString();
    if (prefix === 'eq' || prefix === 'ge') from = later(from, start);
    if (prefix === 'gt') from = later(from, end);
    if (prefix === 'eq' || prefix === 'le') to = earlier(to, end);
    if (prefix === 'lt') to = earlier(to, start);
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Reads a whole-number parameter of at least `min`; `meaning` says what it counts, for the error. */
export function wholeNumberParam(params: Map<string, string>, name: string, meaning: string, min = 1): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} must be a whole number of at least ${min} (${meaning}), received '${raw}'`, { expression: name });
  }
  return Number(raw);
}

/** As wholeNumberParam, for a parameter that must be given. */
export function requiredWholeNumberParam(params: Map<string, string>, name: string, meaning: string, min = 1): number {
  const value = wholeNumberParam(params, name, meaning, min);
  if (value === undefined) throw new GatewayError('GW_ERR_MISSING_PARAMETER', `parameter ${name} is required: ${meaning}, a whole number of at least ${min}`, { expression: name });
  return value;
}

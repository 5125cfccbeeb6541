import type { Request } from 'express';
import { GatewayError } from '../errors/gateway-error.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import { NHS_NUMBER_SYSTEM, normaliseSystem } from '../model/systems.js';

/** Parameters every FHIR search accepts and this gateway ignores. */
const ALWAYS_ALLOWED = ['_format'];

/** Reads one search parameter, refusing unknown parameters and repeats so nothing is silently ignored. */
export function searchParams(req: Request, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (ALWAYS_ALLOWED.includes(name)) continue;
    if (!allowed.includes(name)) {
      throw new GatewayError('GW_ERR_UNSUPPORTED_PARAMETER', `search parameter '${name}' is not supported here; supported: ${allowed.join(', ')}`, { expression: name });
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

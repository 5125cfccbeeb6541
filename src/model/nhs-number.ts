import { z } from 'zod';

/** NHS number verification status (UK Core England code system, codes 01–08). */
export const VERIFICATION_STATUSES = {
  '01': 'Number present and verified',
  '02': 'Number present but not traced',
  '03': 'Trace required',
  '04': 'Trace attempted - No match or multiple match found',
  '05': 'Trace needs to be resolved - (NHS number or patient detail conflict)',
  '06': 'Trace in progress',
  '07': 'Number not present and trace not required',
  '08': 'Trace postponed (baby under six weeks old)',
} as const;
export type VerificationStatus = keyof typeof VERIFICATION_STATUSES;
export const VerificationStatusSchema = z.enum(Object.keys(VERIFICATION_STATUSES) as [VerificationStatus, ...VerificationStatus[]]);

export type NhsNumberCheck =
  | { valid: true; value: string }
  | { valid: false; value: string; rule: 'format' | 'check-digit'; message: string };

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * Computes the Modulus 11 check digit for the first nine digits, or null when the
 * computed value is 10 (such numbers are never issued).
 */
export function nhsCheckDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (WEIGHTS[i] ?? 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Removes the spaces and hyphens people type in 3-3-4 display format. */
export function normaliseNhsNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/**
 * Normalises and checks an NHS number: ten digits whose tenth is the Modulus 11 check
 * digit of the first nine. The result says which rule failed so errors can name it.
 */
export function checkNhsNumber(raw: string): NhsNumberCheck {
  const value = normaliseNhsNumber(raw);
  if (!/^\d{10}$/.test(value)) {
    return { valid: false, value, rule: 'format', message: 'an NHS number is 10 digits (spaces and hyphens allowed)' };
  }
  const expected = nhsCheckDigit(value.slice(0, 9));
  if (expected === null) {
    return { valid: false, value, rule: 'check-digit', message: 'the Modulus 11 check digit of the first nine digits computes to 10, so this number is never issued' };
  }
  if (expected !== Number(value[9])) {
    return { valid: false, value, rule: 'check-digit', message: `the Modulus 11 check digit should be ${expected}, not ${value[9]}` };
  }
  return { valid: true, value };
}

/** True for the 999 000 0000 – 999 999 9999 range, which is reserved for testing and never issued. */
export function isTestRangeNhsNumber(value: string): boolean {
  return value.startsWith('999');
}

/** A zod schema for an already-normalised valid NHS number. */
export const NhsNumberSchema = z.string().refine((v) => checkNhsNumber(v).valid, {
  message: 'expected a 10-digit NHS number with a valid Modulus 11 check digit',
});

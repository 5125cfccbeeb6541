import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.FOSTER_CARE);

/** SSDA903 114: AD1.FOSTER_CARE, when given, must be 0 or 1. All-or-nothing completion is rule 151. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '114',
  message: 'Data entry to record the status of former carer(s) of an adopted child is invalid.',
  check: (tree) =>
    (tree.tables.AD1 ?? [])
      .filter((r) => r.FOSTER_CARE !== undefined && !CODES.has(r.FOSTER_CARE))
      .map((r) => ({ path: ssda903Path('AD1', r, 'FOSTER_CARE'), value: r.FOSTER_CARE })),
  cases: {
    pass: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', FOSTER_CARE: '1' }] } },
    fail: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', FOSTER_CARE: '2' }] } },
  },
};

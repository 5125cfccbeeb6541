import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.ACCOM);

/** SSDA903 133: OC3.ACCOM, when given, must be one of the accommodation codes (B1 … Z2, or 0). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '133',
  message: 'Data entry for accommodation after leaving care is invalid. If reporting on a childs accommodation after leaving care the data entry must be valid',
  check: (tree) =>
    (tree.tables.OC3 ?? [])
      .filter((r) => r.ACCOM !== undefined && !CODES.has(r.ACCOM))
      .map((r) => ({ path: ssda903Path('OC3', r, 'ACCOM'), value: r.ACCOM })),
  cases: {
    pass: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', ACCOM: 'S1' }] } },
    fail: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', ACCOM: '01' }] } },
  },
};

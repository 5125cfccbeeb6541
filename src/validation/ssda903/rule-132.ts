import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.ACTIV);

/** SSDA903 132: OC3.ACTIV, when given, must be one of the activity codes (F1 … G6, or 0). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '132',
  message: 'Data entry for activity after leaving care is invalid.',
  check: (tree) =>
    (tree.tables.OC3 ?? [])
      .filter((r) => r.ACTIV !== undefined && !CODES.has(r.ACTIV))
      .map((r) => ({ path: ssda903Path('OC3', r, 'ACTIV'), value: r.ACTIV })),
  cases: {
    pass: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', ACTIV: 'F1' }] } },
    fail: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', ACTIV: 'P3' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.IN_TOUCH);

/** SSDA903 131: OC3.IN_TOUCH, when given, must be YES, NO, DIED, REFU, NREQ or RHOM. All-or-nothing completion is rule 153. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '131',
  message: 'Data entry for being in touch after leaving care is invalid.',
  check: (tree) =>
    (tree.tables.OC3 ?? [])
      .filter((r) => r.IN_TOUCH !== undefined && !CODES.has(r.IN_TOUCH))
      .map((r) => ({ path: ssda903Path('OC3', r, 'IN_TOUCH'), value: r.IN_TOUCH })),
  cases: {
    pass: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', IN_TOUCH: 'YES' }] } },
    fail: { tables: { OC3: [{ _line: 2, CHILD: 'TESTC001', IN_TOUCH: 'Y' }] } },
  },
};

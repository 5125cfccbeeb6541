import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.SDQ_REASON);

/** SSDA903 196: OC2.SDQ_REASON, when given, must be SDQ1–SDQ5. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '196',
  message: 'Strengths and Difficulties (SDQ) reason is not a valid code.',
  check: (tree) =>
    (tree.tables.OC2 ?? [])
      .filter((r) => r.SDQ_REASON !== undefined && !CODES.has(r.SDQ_REASON))
      .map((r) => ({ path: ssda903Path('OC2', r, 'SDQ_REASON'), value: r.SDQ_REASON })),
  cases: {
    pass: { tables: { OC2: [{ _line: 2, CHILD: 'TESTC001', SDQ_REASON: 'SDQ1' }] } },
    fail: { tables: { OC2: [{ _line: 2, CHILD: 'TESTC001', SDQ_REASON: 'SDQ6' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 166: every Reviews row needs a real review date (REVIEW may not be blank). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '166',
  message: 'Date of review is invalid or blank.',
  check: (tree) =>
    (tree.tables.Reviews ?? [])
      .filter((r) => !isIsoDate(r.REVIEW))
      .map((r) => ({ path: ssda903Path('Reviews', r, 'REVIEW'), value: r.REVIEW ?? '' })),
  cases: {
    pass: { tables: { Reviews: [{ _line: 2, CHILD: 'TESTC001', REVIEW: '2024-05-01', REVIEW_CODE: 'PN1' }] } },
    fail: { tables: { Reviews: [{ _line: 2, CHILD: 'TESTC001', REVIEW_CODE: 'PN1' }] } },
  },
};

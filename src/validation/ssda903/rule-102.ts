import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 102: every Header row needs a real date of birth (DOB may not be blank). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '102',
  message: 'Date of birth is not a valid date.',
  check: (tree) =>
    (tree.tables.Header ?? [])
      .filter((r) => !isIsoDate(r.DOB))
      .map((r) => ({ path: ssda903Path('Header', r, 'DOB'), value: r.DOB ?? '' })),
  cases: {
    pass: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', DOB: '2012-06-05' }] } },
    fail: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001' }, { _line: 3, CHILD: 'TESTC002', DOB: '2023-02-30' }] } },
  },
};

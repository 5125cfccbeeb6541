import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 141: every episode needs a real start date (DECOM may not be blank). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '141',
  message: 'Date episode began is not a valid date.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => !isIsoDate(r.DECOM))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'DECOM'), value: r.DECOM ?? '' })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001' }] } },
  },
};

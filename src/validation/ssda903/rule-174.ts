import type { Ssda903Tree } from '../../formats/ssda903.js';
import { ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 174: a mother's child's date of birth (MC_DOB) cannot be recorded for a child whose SEX is 1 (male). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '174',
  message: "Mother's child date of birth is recorded but sex shows that the child is a male.",
  check: (tree) =>
    (tree.tables.Header ?? [])
      .filter((r) => r.MC_DOB !== undefined && r.SEX === '1')
      .map((r) => ({ path: ssda903Path('Header', r, 'MC_DOB'), value: r.MC_DOB, detail: 'SEX is 1 (male)' })),
  cases: {
    pass: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', SEX: '2', MOTHER: '1', MC_DOB: '2024-01-01' }, { _line: 3, CHILD: 'TESTC002', SEX: '1' }] } },
    fail: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', SEX: '1', MC_DOB: '2024-01-01' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 564: a Missing row that says the child was missing or away (MISSING given) needs MIS_START. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '564',
  message: 'Child was missing or away from placement without authorisation and the date started is blank.',
  check: (tree) =>
    (tree.tables.Missing ?? [])
      .filter((r) => r.MISSING !== undefined && r.MIS_START === undefined)
      .map((r) => ({ path: ssda903Path('Missing', r, 'MIS_START'), value: '', detail: `MISSING is ${r.MISSING ?? ''}` })),
  cases: {
    pass: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'M', MIS_START: '2024-06-02' }] } },
    fail: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'A' }] } },
  },
};

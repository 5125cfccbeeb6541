import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 567: a missing or away period cannot end (MIS_END) before it started (MIS_START). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '567',
  message: 'The date that the missing episode or episode that the child was away from placement without authorisation ended is before the date that it started.',
  check: (tree) =>
    (tree.tables.Missing ?? [])
      .filter((r) => isIsoDate(r.MIS_START) && isIsoDate(r.MIS_END) && r.MIS_END < r.MIS_START)
      .map((r) => ({ path: ssda903Path('Missing', r, 'MIS_END'), value: r.MIS_END, detail: `MIS_START is ${r.MIS_START ?? ''}` })),
  cases: {
    pass: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'M', MIS_START: '2024-06-02', MIS_END: '2024-06-02' }] } },
    fail: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'M', MIS_START: '2024-06-02', MIS_END: '2024-06-01' }] } },
  },
};

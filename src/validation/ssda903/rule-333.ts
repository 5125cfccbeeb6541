import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 333: in AD1, the date the child should be placed for adoption (DATE_INT) is on or before the matching date (DATE_MATCH). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '333',
  message: 'Date should be placed for adoption must be on or prior to the date of matching child with adopter(s).',
  check: (tree) =>
    (tree.tables.AD1 ?? [])
      .filter((r) => isIsoDate(r.DATE_INT) && isIsoDate(r.DATE_MATCH) && r.DATE_INT > r.DATE_MATCH)
      .map((r) => ({ path: ssda903Path('AD1', r, 'DATE_INT'), value: r.DATE_INT, detail: `DATE_MATCH is ${r.DATE_MATCH ?? ''}` })),
  cases: {
    pass: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', DATE_INT: '2020-01-01', DATE_MATCH: '2020-01-01' }] } },
    fail: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', DATE_INT: '2020-02-01', DATE_MATCH: '2020-01-01' }] } },
  },
};

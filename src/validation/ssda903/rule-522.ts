import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 522: in PlacedAdoption, DATE_PLACED is on or before DATE_PLACED_CEASED. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '522',
  message: 'Date of decision that the child should be placed for adoption must be on or before the date that a child should no longer be placed for adoption.',
  check: (tree) =>
    (tree.tables.PlacedAdoption ?? [])
      .filter((r) => isIsoDate(r.DATE_PLACED) && isIsoDate(r.DATE_PLACED_CEASED) && r.DATE_PLACED > r.DATE_PLACED_CEASED)
      .map((r) => ({ path: ssda903Path('PlacedAdoption', r, 'DATE_PLACED'), value: r.DATE_PLACED, detail: `DATE_PLACED_CEASED is ${r.DATE_PLACED_CEASED ?? ''}` })),
  cases: {
    pass: { tables: { PlacedAdoption: [{ _line: 2, CHILD: 'TESTC001', DATE_PLACED: '2020-01-01', DATE_PLACED_CEASED: '2020-06-01', REASON_PLACED_CEASED: 'RD1' }] } },
    fail: { tables: { PlacedAdoption: [{ _line: 2, CHILD: 'TESTC001', DATE_PLACED: '2020-07-01', DATE_PLACED_CEASED: '2020-06-01', REASON_PLACED_CEASED: 'RD1' }] } },
  },
};

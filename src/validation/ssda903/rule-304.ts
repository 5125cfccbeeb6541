import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** The day a child born on ISO date `dob` turns 18 (29 February births: 28 February in a common year). */
function eighteenthBirthday(dob: string): string {
  const year = Number(dob.slice(0, 4)) + 18;
  const monthDay = dob.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${year}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
}

/** SSDA903 304: in the UASC table, DUC (date UASC status ceased) must be on or before the child's 18th birthday. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '304',
  message: 'Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the 18th birthday of a child.',
  check: (tree) =>
    (tree.tables.UASC ?? []).flatMap((r) => {
      if (!isIsoDate(r.DUC) || !isIsoDate(r.DOB)) return [];
      const limit = eighteenthBirthday(r.DOB);
      return r.DUC > limit ? [{ path: ssda903Path('UASC', r, 'DUC'), value: r.DUC, detail: `the 18th birthday is ${limit}` }] : [];
    }),
  cases: {
    pass: { tables: { UASC: [{ _line: 2, CHILD: 'TESTC001', SEX: '1', DOB: '2008-02-29', DUC: '2026-02-28' }] } },
    fail: { tables: { UASC: [{ _line: 2, CHILD: 'TESTC001', SEX: '1', DOB: '2008-02-29', DUC: '2026-03-01' }] } },
  },
};

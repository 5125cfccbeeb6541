import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.SEX_ADOPTR);

/** SSDA903 176: AD1.SEX_ADOPTR, when given, must be M1, F1, MM, FF or MF. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '176',
  message: 'The gender of adopter(s) at the date of adoption code is not a valid code.',
  check: (tree) =>
    (tree.tables.AD1 ?? [])
      .filter((r) => r.SEX_ADOPTR !== undefined && !CODES.has(r.SEX_ADOPTR))
      .map((r) => ({ path: ssda903Path('AD1', r, 'SEX_ADOPTR'), value: r.SEX_ADOPTR })),
  cases: {
    pass: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', SEX_ADOPTR: 'MF' }] } },
    fail: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', SEX_ADOPTR: 'FM' }] } },
  },
};

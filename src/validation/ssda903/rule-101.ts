import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.SEX);

/** SSDA903 101: Header.SEX must be 1 (male) or 2 (female), the codes of the 2024 schema; a blank is not a valid code either. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '101',
  message: 'Gender code is not valid.',
  check: (tree) =>
    (tree.tables.Header ?? [])
      .filter((r) => r.SEX === undefined || !CODES.has(r.SEX))
      .map((r) => ({ path: ssda903Path('Header', r, 'SEX'), value: r.SEX })),
  cases: {
    pass: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', SEX: '1' }] } },
    fail: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', SEX: '3' }, { _line: 3, CHILD: 'TESTC002' }] } },
  },
};

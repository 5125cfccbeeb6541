import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.ETHNIC);

/** SSDA903 103: Header.ETHNIC must be one of the 20 ethnicity codes (case matters); a blank is reported too ("has not been entered"). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '103',
  message: 'The ethnicity code is either not valid or has not been entered.',
  check: (tree) =>
    (tree.tables.Header ?? [])
      .filter((r) => r.ETHNIC === undefined || !CODES.has(r.ETHNIC))
      .map((r) => ({ path: ssda903Path('Header', r, 'ETHNIC'), value: r.ETHNIC })),
  cases: {
    pass: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', ETHNIC: 'WBRI' }] } },
    fail: { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', ETHNIC: 'wbri' }, { _line: 3, CHILD: 'TESTC002' }] } },
  },
};

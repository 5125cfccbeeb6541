import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.REVIEW_CODE);

/** SSDA903 167: Reviews.REVIEW_CODE must be PN0–PN7; a blank is reported too ("or blank"). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '167',
  message: 'Data entry for participation is invalid or blank.',
  check: (tree) =>
    (tree.tables.Reviews ?? [])
      .filter((r) => r.REVIEW_CODE === undefined || !CODES.has(r.REVIEW_CODE))
      .map((r) => ({ path: ssda903Path('Reviews', r, 'REVIEW_CODE'), value: r.REVIEW_CODE })),
  cases: {
    pass: { tables: { Reviews: [{ _line: 2, CHILD: 'TESTC001', REVIEW_CODE: 'PN1' }] } },
    fail: { tables: { Reviews: [{ _line: 2, CHILD: 'TESTC001', REVIEW_CODE: 'PN8' }, { _line: 3, CHILD: 'TESTC002' }] } },
  },
};

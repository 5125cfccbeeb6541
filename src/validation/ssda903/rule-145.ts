import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.CIN);

/** SSDA903 145: Episodes.CIN, when given, must be a category of need N1–N8. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '145',
  message: 'Category of need code is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.CIN !== undefined && !CODES.has(r.CIN))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'CIN'), value: r.CIN })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', CIN: 'N1' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', CIN: 'N9' }] } },
  },
};

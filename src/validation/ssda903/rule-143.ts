import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.RNE);

/** SSDA903 143: Episodes.RNE, when given, must be S, L, P, T, B or U. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '143',
  message: 'The reason for new episode code is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.RNE !== undefined && !CODES.has(r.RNE))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'RNE'), value: r.RNE })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', RNE: 'S' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', RNE: 'X' }] } },
  },
};

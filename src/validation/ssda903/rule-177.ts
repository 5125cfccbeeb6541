import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.LS_ADOPTR);

/** SSDA903 177: AD1.LS_ADOPTR, when given, must be L0, L11, L12, L2, L3 or L4. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '177',
  message: 'The legal status of adopter(s) code is not a valid code.',
  check: (tree) =>
    (tree.tables.AD1 ?? [])
      .filter((r) => r.LS_ADOPTR !== undefined && !CODES.has(r.LS_ADOPTR))
      .map((r) => ({ path: ssda903Path('AD1', r, 'LS_ADOPTR'), value: r.LS_ADOPTR })),
  cases: {
    pass: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', LS_ADOPTR: 'L0' }] } },
    fail: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', LS_ADOPTR: 'L1' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.PREV_PERM);

/** SSDA903 631: PrevPerm.PREV_PERM, when given, must be P1–P4 or Z1. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '631',
  message: 'Previous permanence option not a valid value.',
  check: (tree) =>
    (tree.tables.PrevPerm ?? [])
      .filter((r) => r.PREV_PERM !== undefined && !CODES.has(r.PREV_PERM))
      .map((r) => ({ path: ssda903Path('PrevPerm', r, 'PREV_PERM'), value: r.PREV_PERM })),
  cases: {
    pass: { tables: { PrevPerm: [{ _line: 2, CHILD: 'TESTC001', PREV_PERM: 'Z1' }] } },
    fail: { tables: { PrevPerm: [{ _line: 2, CHILD: 'TESTC001', PREV_PERM: 'P5' }] } },
  },
};

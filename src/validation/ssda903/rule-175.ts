import type { Ssda903Tree } from '../../formats/ssda903.js';
import { ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(['1', '2']);

/** SSDA903 175: AD1.NB_ADOPTR, when given, must be 1 (single adopter) or 2 (couple). The schema types it only as an integer; 1 and 2 are the DfE codes. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '175',
  message: 'The number of adopter(s) code is not a valid code.',
  check: (tree) =>
    (tree.tables.AD1 ?? [])
      .filter((r) => r.NB_ADOPTR !== undefined && !CODES.has(r.NB_ADOPTR))
      .map((r) => ({ path: ssda903Path('AD1', r, 'NB_ADOPTR'), value: r.NB_ADOPTR })),
  cases: {
    pass: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', NB_ADOPTR: '2' }] } },
    fail: { tables: { AD1: [{ _line: 2, CHILD: 'TESTC001', NB_ADOPTR: '3' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.MISSING);

/** SSDA903 1006: Missing.MISSING, when given, must be M (missing) or A (away without authorisation). A blank is rule 565/566. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '1006',
  message: 'Missing type invalid.',
  check: (tree) =>
    (tree.tables.Missing ?? [])
      .filter((r) => r.MISSING !== undefined && !CODES.has(r.MISSING))
      .map((r) => ({ path: ssda903Path('Missing', r, 'MISSING'), value: r.MISSING })),
  cases: {
    pass: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'M' }] } },
    fail: { tables: { Missing: [{ _line: 2, CHILD: 'TESTC001', MISSING: 'X' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.PLACE_PROVIDER);

/** SSDA903 178: Episodes.PLACE_PROVIDER, when given, must be PR0–PR5. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '178',
  message: 'Placement provider code is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.PLACE_PROVIDER !== undefined && !CODES.has(r.PLACE_PROVIDER))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'PLACE_PROVIDER'), value: r.PLACE_PROVIDER })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', PLACE_PROVIDER: 'PR1' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', PLACE_PROVIDER: 'PR6' }] } },
  },
};

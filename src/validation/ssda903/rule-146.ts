import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.PLACE);

/** SSDA903 146: Episodes.PLACE, when given, must be a placement type code of the 2024 schema. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '146',
  message: 'Placement type code is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.PLACE !== undefined && !CODES.has(r.PLACE))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'PLACE'), value: r.PLACE })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', PLACE: 'U1' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', PLACE: 'A2' }] } },
  },
};

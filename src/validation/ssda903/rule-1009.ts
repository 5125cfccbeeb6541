import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.REASON_PLACE_CHANGE);

/** SSDA903 1009: Episodes.REASON_PLACE_CHANGE, when given, must be one of the reason-for-placement-change codes. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '1009',
  message: 'Reason for placement change is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.REASON_PLACE_CHANGE !== undefined && !CODES.has(r.REASON_PLACE_CHANGE))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'REASON_PLACE_CHANGE'), value: r.REASON_PLACE_CHANGE })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', REASON_PLACE_CHANGE: 'CARPL' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', REASON_PLACE_CHANGE: 'MOVED' }] } },
  },
};

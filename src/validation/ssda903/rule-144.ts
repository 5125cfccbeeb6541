import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.LS);

/** SSDA903 144: Episodes.LS, when given, must be a legal status code (C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '144',
  message: 'The legal status code is not a valid code.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.LS !== undefined && !CODES.has(r.LS))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'LS'), value: r.LS })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', LS: 'C2' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', LS: 'C9' }] } },
  },
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.REC);

/** SSDA903 149: Episodes.REC, when given, must be a reason episode ceased code (X1, E11 … E8). */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '149',
  message: 'Reason episode ceased code is not valid.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => r.REC !== undefined && !CODES.has(r.REC))
      .map((r) => ({ path: ssda903Path('Episodes', r, 'REC'), value: r.REC })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', REC: 'E4A' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', REC: 'E4' }] } },
  },
};

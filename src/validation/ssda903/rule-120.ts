import type { Ssda903Tree } from '../../formats/ssda903.js';
import { SSDA903_CODES, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

const CODES: ReadonlySet<string> = new Set<string>(SSDA903_CODES.REASON_PLACED_CEASED);

/** SSDA903 120: PlacedAdoption.REASON_PLACED_CEASED, when given, must be RD1–RD4. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '120',
  message: 'The reason for the reversal of the decision that the child should be placed for adoption code is not valid.',
  check: (tree) =>
    (tree.tables.PlacedAdoption ?? [])
      .filter((r) => r.REASON_PLACED_CEASED !== undefined && !CODES.has(r.REASON_PLACED_CEASED))
      .map((r) => ({ path: ssda903Path('PlacedAdoption', r, 'REASON_PLACED_CEASED'), value: r.REASON_PLACED_CEASED })),
  cases: {
    pass: { tables: { PlacedAdoption: [{ _line: 2, CHILD: 'TESTC001', REASON_PLACED_CEASED: 'RD1' }] } },
    fail: { tables: { PlacedAdoption: [{ _line: 2, CHILD: 'TESTC001', REASON_PLACED_CEASED: 'XXX' }] } },
  },
};

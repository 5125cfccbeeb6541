import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 356: an episode cannot end (DEC) before it started (DECOM). Ending the same day is allowed. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '356',
  message: 'The date the episode ceased is before the date the same episode started.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => isIsoDate(r.DECOM) && isIsoDate(r.DEC) && r.DEC < r.DECOM)
      .map((r) => ({ path: ssda903Path('Episodes', r, 'DEC'), value: r.DEC, detail: `DECOM is ${r.DECOM ?? ''}` })),
  cases: {
    pass: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-04-01', REC: 'E4A' }] } },
    fail: { tables: { Episodes: [{ _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-03-31', REC: 'E4A' }] } },
  },
};

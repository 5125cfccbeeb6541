import type { Ssda903Tree } from '../../formats/ssda903.js';
import { ssda903Path } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';

/** SSDA903 148: an episode has both DEC and REC, or neither. The finding names the blank one. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '148',
  message: 'Date episode ceased and reason episode ceased must both be coded, or both left blank.',
  check: (tree) =>
    (tree.tables.Episodes ?? [])
      .filter((r) => (r.DEC === undefined) !== (r.REC === undefined))
      .map((r) =>
        r.DEC === undefined
          ? { path: ssda903Path('Episodes', r, 'DEC'), value: '', detail: `REC is ${r.REC ?? ''}` }
          : { path: ssda903Path('Episodes', r, 'REC'), value: '', detail: `DEC is ${r.DEC}` },
      ),
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-10' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-10', REC: 'X1' },
        ],
      },
    },
  },
};

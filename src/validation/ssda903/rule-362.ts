import type { Ssda903Tree } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';
import { legalStatusLimitRule } from './legal-status-limit.js';

/** SSDA903 362: a continuous period of an emergency protection order (L2): at most 21 days. */
export const rule: ValidationRule<Ssda903Tree> = legalStatusLimitRule({
  code: '362',
  message: 'Emergency protection order (EPO) lasted longer than 21 days',
  legalStatus: 'L2',
  maxDays: 21,
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L2', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L2', DEC: '2024-03-24', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-24', LS: 'C2' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L2', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L2', DEC: '2024-03-25', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-25', LS: 'C2' },
        ],
      },
    },
  },
});

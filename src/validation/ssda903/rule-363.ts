import type { Ssda903Tree } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';
import { legalStatusLimitRule } from './legal-status-limit.js';

/** SSDA903 363: a continuous period of a child assessment order (L3): at most 7 days. */
export const rule: ValidationRule<Ssda903Tree> = legalStatusLimitRule({
  code: '363',
  message: 'Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act 1989.',
  legalStatus: 'L3',
  maxDays: 7,
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L3', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L3', DEC: '2024-03-10', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-10', LS: 'C2' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L3', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L3', DEC: '2024-03-11', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-11', LS: 'C2' },
        ],
      },
    },
  },
});

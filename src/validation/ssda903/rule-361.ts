import type { Ssda903Tree } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';
import { legalStatusLimitRule } from './legal-status-limit.js';

/** SSDA903 361: a continuous period of police protection (L1): at most 72 hours, counted as 3 days from the start date. */
export const rule: ValidationRule<Ssda903Tree> = legalStatusLimitRule({
  code: '361',
  message: 'Police protection legal status lasted longer than maximum 72 hours allowed in the Children Act 1989.',
  legalStatus: 'L1',
  maxDays: 3,
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L1', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L1', DEC: '2024-03-06', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-06', LS: 'C2' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'L1', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'L1', DEC: '2024-03-07', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-07', LS: 'C2' },
        ],
      },
    },
  },
});

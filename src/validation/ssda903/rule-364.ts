import type { Ssda903Tree } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';
import { legalStatusLimitRule } from './legal-status-limit.js';

/** SSDA903 364: a continuous period of PACE accommodation (J2): at most 21 days (the limit the community validator uses). */
export const rule: ValidationRule<Ssda903Tree> = legalStatusLimitRule({
  code: '364',
  message: 'Sections 41-46 of Police and Criminal Evidence (PACE; 1984) severely limits the time a child can be detained in custody in Local Authority (LA) accommodation.',
  legalStatus: 'J2',
  maxDays: 21,
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'J2', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'J2', DEC: '2024-03-24', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-24', LS: 'C2' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-03-03', LS: 'J2', DEC: '2024-03-04', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-03-04', LS: 'J2', DEC: '2024-03-25', REC: 'X1' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-03-25', LS: 'C2' },
        ],
      },
    },
  },
});

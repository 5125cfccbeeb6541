import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isoDaysBetween, legalStatusPeriods, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

const MAX_DAYS = 21;

/**
 * SSDA903 364: a continuous period of PACE accommodation (J2) — one episode, or several that follow on
 * from each other — may last at most 21 days. Every episode of a longer period
 * is named. A period still open (no DEC) is measured to its latest known end only: the
 * tree carries no collection end date, so an open period is reported only once that
 * alone exceeds the limit.
 */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '364',
  message: 'Sections 41-46 of Police and Criminal Evidence (PACE; 1984) severely limits the time a child can be detained in custody in Local Authority (LA) accommodation.',
  check: (tree) => {
    const findings: RuleFinding[] = [];
    for (const period of legalStatusPeriods(tree, 'J2')) {
      if (period.lastKnownEnd === undefined) continue;
      const days = isoDaysBetween(period.start, period.lastKnownEnd);
      if (days <= MAX_DAYS) continue;
      for (const ep of period.rows) {
        findings.push({
          path: ssda903Path('Episodes', ep, 'LS'),
          value: ep.LS,
          detail: `J2 from ${period.start} to ${period.lastKnownEnd}${period.open ? ' (still open)' : ''} is ${days} days; at most ${MAX_DAYS} allowed`,
        });
      }
    }
    return findings;
  },
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
};

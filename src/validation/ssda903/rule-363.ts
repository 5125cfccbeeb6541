import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isoDaysBetween, legalStatusPeriods, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

const MAX_DAYS = 7;

/**
 * SSDA903 363: a continuous period of a child assessment order (L3) — one episode, or several that follow on
 * from each other — may last at most 7 days. Every episode of a longer period
 * is named. A period still open (no DEC) is measured to its latest known end only: the
 * tree carries no collection end date, so an open period is reported only once that
 * alone exceeds the limit.
 */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '363',
  message: 'Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act 1989.',
  check: (tree) => {
    const findings: RuleFinding[] = [];
    for (const period of legalStatusPeriods(tree, 'L3')) {
      if (period.lastKnownEnd === undefined) continue;
      const days = isoDaysBetween(period.start, period.lastKnownEnd);
      if (days <= MAX_DAYS) continue;
      for (const ep of period.rows) {
        findings.push({
          path: ssda903Path('Episodes', ep, 'LS'),
          value: ep.LS,
          detail: `L3 from ${period.start} to ${period.lastKnownEnd}${period.open ? ' (still open)' : ''} is ${days} days; at most ${MAX_DAYS} allowed`,
        });
      }
    }
    return findings;
  },
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
};

import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isoDaysBetween, legalStatusPeriods, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

const MAX_DAYS = 3;

/**
 * SSDA903 361: a continuous period of police protection (L1) — one episode, or several that follow on
 * from each other — may last at most 72 hours, counted as 3 days from the start date. Every episode of a longer period
 * is named. A period still open (no DEC) is measured to its latest known end only: the
 * tree carries no collection end date, so an open period is reported only once that
 * alone exceeds the limit.
 */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '361',
  message: 'Police protection legal status lasted longer than maximum 72 hours allowed in the Children Act 1989.',
  check: (tree) => {
    const findings: RuleFinding[] = [];
    for (const period of legalStatusPeriods(tree, 'L1')) {
      if (period.lastKnownEnd === undefined) continue;
      const days = isoDaysBetween(period.start, period.lastKnownEnd);
      if (days <= MAX_DAYS) continue;
      for (const ep of period.rows) {
        findings.push({
          path: ssda903Path('Episodes', ep, 'LS'),
          value: ep.LS,
          detail: `L1 from ${period.start} to ${period.lastKnownEnd}${period.open ? ' (still open)' : ''} is ${days} days; at most ${MAX_DAYS} allowed`,
        });
      }
    }
    return findings;
  },
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
};

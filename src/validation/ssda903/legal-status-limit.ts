import type { Ssda903Tree } from '../../formats/ssda903.js';
import { isoDaysBetween, legalStatusPeriods, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * The shape of SSDA903 rules 361–364: a continuous period of one short-term legal status
 * (one episode, or several that follow on from each other) may last at most `maxDays`
 * from its start date. Every episode of a longer period is named. A period still open (no
 * DEC) is measured to its latest known end only: the tree carries no collection end date,
 * so an open period is reported only once that alone exceeds the limit.
 */
export function legalStatusLimitRule(spec: { code: string; message: string; legalStatus: string; maxDays: number; cases: ValidationRule<Ssda903Tree>['cases'] }): ValidationRule<Ssda903Tree> {
  return {
    ruleSet: 'SSDA903',
    code: spec.code,
    message: spec.message,
    check: (tree) => {
      const findings: RuleFinding[] = [];
      for (const period of legalStatusPeriods(tree, spec.legalStatus)) {
        if (period.lastKnownEnd === undefined) continue;
        const days = isoDaysBetween(period.start, period.lastKnownEnd);
        if (days <= spec.maxDays) continue;
        for (const ep of period.rows) {
          findings.push({
            path: ssda903Path('Episodes', ep, 'LS'),
            value: ep.LS,
            detail: `${spec.legalStatus} from ${period.start} to ${period.lastKnownEnd}${period.open ? ' (still open)' : ''} is ${days} days; at most ${spec.maxDays} allowed`,
          });
        }
      }
      return findings;
    },
    cases: spec.cases,
  };
}

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8600: the referral date is on or before the end of the census period. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8600',
  message: 'Child referral date missing or after data collection period',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (details.CINreferralDate > period.end) {
        findings.push({ path: `${path}.CINreferralDate`, value: details.CINreferralDate, detail: `the census period ends ${period.end}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINreferralDate: '2024-03-31' }])]),
    fail: cinTree([cinChild({}, [{ CINreferralDate: '2024-04-10' }])]),
  },
};

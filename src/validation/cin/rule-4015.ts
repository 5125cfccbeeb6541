import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 4015: a CIN plan does not start before the episode's referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4015',
  message: 'The CIN Plan start date cannot be before the referral date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.CINPlanDates ?? []).forEach((plan, k) => {
        if (plan.CINPlanStartDate < details.CINreferralDate) {
          findings.push({ path: `${path}.CINPlanDates[${k}].CINPlanStartDate`, value: plan.CINPlanStartDate, detail: `referred ${details.CINreferralDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-06-01' }] }])]),
    fail: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-05-15' }] }])]),
  },
};

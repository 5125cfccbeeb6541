import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 1105: a child protection plan does not start before the episode's referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1105',
  message: 'The child protection plan start date cannot be before the referral date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((plan, k) => {
        if (plan.CPPstartDate < details.CINreferralDate) {
          findings.push({ path: `${path}.ChildProtectionPlans[${k}].CPPstartDate`, value: plan.CPPstartDate, detail: `referred ${details.CINreferralDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-06-01')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-05-15')] }])]),
  },
};

function plan(start: string): CinChildProtectionPlan {
  return { CPPstartDate: start, InitialCategoryOfAbuse: 'PHY', LatestCategoryOfAbuse: 'PHY', NumberOfPreviousCPP: '0' };
}

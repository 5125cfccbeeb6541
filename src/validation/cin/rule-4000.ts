import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails, isCinTrue } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 4000: a referral with no further action (ReferralNFA true or 1) has no CIN plan. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4000',
  message: 'CIN Plan details provided for a referral with no further action',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (!isCinTrue(details.ReferralNFA)) return;
      (details.CINPlanDates ?? []).forEach((plan, k) => {
        findings.push({ path: `${path}.CINPlanDates[${k}]`, value: plan.CINPlanStartDate, detail: `ReferralNFA is ${details.ReferralNFA}` });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ReferralNFA: '0', CINPlanDates: [{ CINPlanStartDate: '2023-07-03' }] }])]),
    fail: cinTree([cinChild({}, [{ ReferralNFA: '1', CINPlanDates: [{ CINPlanStartDate: '2023-07-03' }] }])]),
  },
};

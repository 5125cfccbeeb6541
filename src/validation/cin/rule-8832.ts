import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails, isCinTrue } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8832: a referral with no further action (ReferralNFA true or 1) has no child protection plans. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8832',
  message: 'Child Protection details provided for a referral with no further action.',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (!isCinTrue(details.ReferralNFA)) return;
      (details.ChildProtectionPlans ?? []).forEach((plan, k) => {
        findings.push({ path: `${path}.ChildProtectionPlans[${k}]`, value: plan.CPPstartDate, detail: `ReferralNFA is ${details.ReferralNFA}` });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [
        { ReferralNFA: 'false', ChildProtectionPlans: [{ CPPstartDate: '2023-07-03', InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' }] },
      ]),
    ]),
    fail: cinTree([
      cinChild({}, [
        { ReferralNFA: 'true', ChildProtectionPlans: [{ CPPstartDate: '2023-07-03', InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' }] },
      ]),
    ]),
  },
};

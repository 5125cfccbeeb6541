import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * 4001: within one CINdetails module, an open child protection plan (no CPPendDate) and an
 * open CIN plan (no CINPlanEndDate) are not both present. Each open CIN plan is named.
 */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4001',
  message: 'A CIN Plan cannot run concurrently with a Child Protection Plan',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      const openCpp = (details.ChildProtectionPlans ?? []).findIndex((p) => p.CPPendDate === undefined);
      if (openCpp === -1) return;
      (details.CINPlanDates ?? []).forEach((plan, k) => {
        if (plan.CINPlanEndDate === undefined) {
          findings.push({ path: `${path}.CINPlanDates[${k}]`, value: plan.CINPlanStartDate, detail: `ChildProtectionPlans[${openCpp}] is also open` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [
        {
          CINPlanDates: [{ CINPlanStartDate: '2023-06-05', CINPlanEndDate: '2023-07-03' }],
          ChildProtectionPlans: [{ CPPstartDate: '2023-07-03', InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' }],
        },
      ]),
    ]),
    fail: cinTree([
      cinChild({}, [
        {
          CINPlanDates: [{ CINPlanStartDate: '2023-06-05' }],
          ChildProtectionPlans: [{ CPPstartDate: '2023-07-03', InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' }],
        },
      ]),
    ]),
  },
};

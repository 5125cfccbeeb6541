import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8840: a child protection plan does not start and end on the same day. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8840',
  message: 'Child Protection Plan cannot start and end on the same day',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((p, k) => {
        if (p.CPPendDate === p.CPPstartDate) findings.push({ path: `${path}.ChildProtectionPlans[${k}].CPPendDate`, value: p.CPPendDate });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-07-04')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-07-03')] }])]),
  },
};

function plan(start: string, end: string): CinChildProtectionPlan {
  return { CPPstartDate: start, CPPendDate: end, InitialCategoryOfAbuse: 'EMO', LatestCategoryOfAbuse: 'EMO', NumberOfPreviousCPP: '0' };
}

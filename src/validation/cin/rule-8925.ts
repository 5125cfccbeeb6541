import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8925: a child protection plan does not end before it starts. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8925',
  message: 'Child Protection Plan End Date earlier than Start Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((p, k) => {
        if (p.CPPendDate !== undefined && p.CPPendDate < p.CPPstartDate) {
          findings.push({ path: `${path}.ChildProtectionPlans[${k}].CPPendDate`, value: p.CPPendDate, detail: `the plan started ${p.CPPstartDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-12-01')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-06-20')] }])]),
  },
};

function plan(start: string, end: string): CinChildProtectionPlan {
  return { CPPstartDate: start, CPPendDate: end, InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'MUL', NumberOfPreviousCPP: '0' };
}

import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8930: a child protection plan end date, when sent, falls within the census period. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8930',
  message: 'Child Protection Plan End Date must fall within the census year',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((p, k) => {
        const end = p.CPPendDate;
        if (end !== undefined && (end < period.start || end > period.end)) {
          findings.push({ path: `${path}.ChildProtectionPlans[${k}].CPPendDate`, value: end, detail: `the census period is ${period.start} to ${period.end}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2024-03-31')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2024-04-20')] }])]),
  },
};

function plan(start: string, end: string): CinChildProtectionPlan {
  return { CPPstartDate: start, CPPendDate: end, InitialCategoryOfAbuse: 'PHY', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '2' };
}

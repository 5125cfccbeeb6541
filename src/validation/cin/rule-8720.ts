import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8720: a child protection plan starts on or before the ReferenceDate (end of the census period). */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8720',
  message: 'Child Protection Plan Start Date missing or out of data collection period',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((p, k) => {
        if (p.CPPstartDate > period.end) {
          findings.push({ path: `${path}.ChildProtectionPlans[${k}].CPPstartDate`, value: p.CPPstartDate, detail: `the census period ends ${period.end}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2024-03-31')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2024-04-10')] }])]),
  },
};

function plan(start: string): CinChildProtectionPlan {
  return { CPPstartDate: start, InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '1' };
}

import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8841: every review of a child protection plan is after the day the plan started. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8841',
  message: 'The review date cannot be on the same day or before the Child protection Plan start date.',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.ChildProtectionPlans ?? []).forEach((p, k) => {
        (p.Reviews?.CPPreviewDate ?? []).forEach((review, r) => {
          if (review <= p.CPPstartDate) {
            findings.push({ path: `${path}.ChildProtectionPlans[${k}].Reviews.CPPreviewDate[${r}]`, value: review, detail: `the plan started ${p.CPPstartDate}` });
          }
        });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', ['2023-07-04', '2023-10-02'])] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', ['2023-07-03', '2023-10-02'])] }])]),
  },
};

function plan(start: string, reviews: string[]): CinChildProtectionPlan {
  return { CPPstartDate: start, InitialCategoryOfAbuse: 'SAB', LatestCategoryOfAbuse: 'SAB', NumberOfPreviousCPP: '0', Reviews: { CPPreviewDate: reviews } };
}

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 4011: a CIN plan does not end before it starts. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4011',
  message: 'CIN Plan End Date earlier than Start Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.CINPlanDates ?? []).forEach((plan, k) => {
        const end = plan.CINPlanEndDate;
        if (end !== undefined && end < plan.CINPlanStartDate) {
          findings.push({ path: `${path}.CINPlanDates[${k}].CINPlanEndDate`, value: end, detail: `starts ${plan.CINPlanStartDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-07-01', CINPlanEndDate: '2023-07-02' }] }])]),
    fail: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-07-01', CINPlanEndDate: '2023-06-20' }] }])]),
  },
};

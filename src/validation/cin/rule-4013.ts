import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 4013: a CIN plan end date, when sent, falls within the census period. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4013',
  message: 'CIN Plan end date must fall within the census year',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.CINPlanDates ?? []).forEach((plan, k) => {
        const end = plan.CINPlanEndDate;
        if (end !== undefined && (end < period.start || end > period.end)) {
          findings.push({ path: `${path}.CINPlanDates[${k}].CINPlanEndDate`, value: end, detail: `the census period is ${period.start} to ${period.end}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-07-01', CINPlanEndDate: '2024-03-31' }] }])]),
    fail: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-07-01', CINPlanEndDate: '2024-04-20' }] }])]),
  },
};

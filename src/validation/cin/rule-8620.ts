import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8620: a CIN closure date, when sent, falls within the census period. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8620',
  message: 'CIN Closure Date present and does not fall within the Census year',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      const closed = details.CINclosureDate;
      if (closed !== undefined && (closed < period.start || closed > period.end)) {
        findings.push({ path: `${path}.CINclosureDate`, value: closed, detail: `the census period is ${period.start} to ${period.end}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINclosureDate: '2024-03-31', ReasonForClosure: 'RC7' }])]),
    fail: cinTree([cinChild({}, [{ CINclosureDate: '2024-04-15', ReasonForClosure: 'RC7' }])]),
  },
};

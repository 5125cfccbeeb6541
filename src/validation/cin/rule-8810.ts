import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8810: a reason for closure comes with a CIN closure date. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8810',
  message: 'A CIN case cannot have a Reason for Closure without a CIN Closure Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (details.ReasonForClosure !== undefined && details.CINclosureDate === undefined) {
        findings.push({ path: `${path}.ReasonForClosure`, value: details.ReasonForClosure });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINclosureDate: '2024-01-10', ReasonForClosure: 'RC9' }])]),
    fail: cinTree([cinChild({}, [{ ReasonForClosure: 'RC9' }])]),
  },
};

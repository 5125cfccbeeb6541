import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8805: a CIN closure date comes with a reason for closure. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8805',
  message: 'A CIN case cannot have a CIN closure date without a Reason for Closure',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (details.CINclosureDate !== undefined && details.ReasonForClosure === undefined) {
        findings.push({ path: `${path}.CINclosureDate`, value: details.CINclosureDate });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINclosureDate: '2024-01-10', ReasonForClosure: 'RC7' }])]),
    fail: cinTree([cinChild({}, [{ CINclosureDate: '2024-01-10' }])]),
  },
};

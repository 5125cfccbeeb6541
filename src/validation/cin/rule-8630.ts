import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8630: a CIN episode does not close before its referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8630',
  message: 'CIN Closure Date is before CIN Referral Date for the same CIN episode',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      const closed = details.CINclosureDate;
      if (closed !== undefined && closed < details.CINreferralDate) {
        findings.push({ path: `${path}.CINclosureDate`, value: closed, detail: `referred ${details.CINreferralDate}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINclosureDate: '2023-06-01', ReasonForClosure: 'RC8' }])]),
    fail: cinTree([cinChild({}, [{ CINclosureDate: '2023-05-01', ReasonForClosure: 'RC7' }])]),
  },
};

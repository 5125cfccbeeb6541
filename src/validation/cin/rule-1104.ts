import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 1104 (Section 47 module): the initial child protection conference is not before the referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1104',
  message: 'The date of the initial child protection conference cannot be before the referral date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Section47 ?? []).forEach((s47, k) => {
        const icpc = s47.DateOfInitialCPC;
        if (icpc !== undefined && icpc < details.CINreferralDate) {
          findings.push({ path: `${path}.Section47[${k}].DateOfInitialCPC`, value: icpc, detail: `referred ${details.CINreferralDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-01', DateOfInitialCPC: '2023-06-01', ICPCnotRequired: 'false' }] }])]),
    fail: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-05', DateOfInitialCPC: '2023-05-30', ICPCnotRequired: 'false' }] }])]),
  },
};

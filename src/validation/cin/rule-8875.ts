import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails, isWeekend } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8875 (Section 47 module): the initial child protection conference is not held on a Saturday or Sunday. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8875',
  message: 'The Date of Initial Child Protection Conference cannot be a weekend',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Section47 ?? []).forEach((s47, k) => {
        const icpc = s47.DateOfInitialCPC;
        if (icpc !== undefined && isWeekend(icpc)) {
          findings.push({ path: `${path}.Section47[${k}].DateOfInitialCPC`, value: icpc, detail: new Date(`${icpc}T00:00:00Z`).getUTCDay() === 0 ? 'a Sunday' : 'a Saturday' });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-05', DateOfInitialCPC: '2023-06-16', ICPCnotRequired: 'false' }] }])]),
    fail: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-05', DateOfInitialCPC: '2023-06-17', ICPCnotRequired: 'false' }] }])]),
  },
};

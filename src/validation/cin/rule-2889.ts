import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 2889: a section 47 enquiry does not start before the episode's referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '2889',
  message: 'The S47 start date cannot be before the referral date.',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Section47 ?? []).forEach((s47, k) => {
        if (s47.S47ActualStartDate < details.CINreferralDate) {
          findings.push({ path: `${path}.Section47[${k}].S47ActualStartDate`, value: s47.S47ActualStartDate, detail: `referred ${details.CINreferralDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-01', ICPCnotRequired: 'true' }] }])]),
    fail: cinTree([cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-05-20', ICPCnotRequired: 'true' }] }])]),
  },
};

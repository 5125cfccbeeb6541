import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 1103: an assessment does not start before the episode's referral. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1103',
  message: 'The assessment start date cannot be before the referral date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        if (a.AssessmentActualStartDate < details.CINreferralDate) {
          findings.push({ path: `${path}.Assessments[${k}].AssessmentActualStartDate`, value: a.AssessmentActualStartDate, detail: `referred ${details.CINreferralDate}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-01' }] }])]),
    fail: cinTree([cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-05-15' }] }])]),
  },
};

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8608: an assessment's authorisation (end) date, when sent, is on or after its start. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8608',
  message: 'Assessment Start Date cannot be later than its End Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        const end = a.AssessmentAuthorisationDate;
        if (end !== undefined && a.AssessmentActualStartDate > end) {
          findings.push({ path: `${path}.Assessments[${k}].AssessmentActualStartDate`, value: a.AssessmentActualStartDate, detail: `authorised ${end}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-05' }] }])]),
    fail: cinTree([cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-10', AssessmentAuthorisationDate: '2023-06-05' }] }])]),
  },
};

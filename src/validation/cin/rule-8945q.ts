import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8945Q (2024-25): assessment factor 18A is withdrawn; 18B or 18C says who harmed the child. A query, not an error. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8945Q',
  message: "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be used ('18B' or '18C' should be used instead)",
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        (a.FactorsIdentifiedAtAssessment?.AssessmentFactors ?? []).forEach((f, n) => {
          if (f === '18A') findings.push({ path: `${path}.Assessments[${k}].FactorsIdentifiedAtAssessment.AssessmentFactors[${n}]`, value: f });
        });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['18B'] } }] }]),
    ]),
    fail: cinTree([
      cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['18A'] } }] }]),
    ]),
  },
};

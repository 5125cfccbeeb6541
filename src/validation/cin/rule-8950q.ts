import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8950Q (2024-25): assessment factor 19A is withdrawn; 19B or 19C says who harmed the child. A query, not an error. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8950Q',
  message: "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be used ('19B' or '19C' should be used instead)",
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        (a.FactorsIdentifiedAtAssessment?.AssessmentFactors ?? []).forEach((f, n) => {
          if (f === '19A') findings.push({ path: `${path}.Assessments[${k}].FactorsIdentifiedAtAssessment.AssessmentFactors[${n}]`, value: f });
        });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['19B'] } }] }]),
    ]),
    fail: cinTree([
      cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['19A'] } }] }]),
    ]),
  },
};

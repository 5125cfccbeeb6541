import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8869: assessment factor 21 (no factors identified) stands alone. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8869',
  message: 'The assessment factors code “21” cannot be used in conjunction with any other assessment factors.',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        const factors = a.FactorsIdentifiedAtAssessment?.AssessmentFactors ?? [];
        const others = factors.filter((f) => f !== '21');
        if (others.length === 0) return;
        factors.forEach((f, n) => {
          if (f === '21') {
            findings.push({ path: `${path}.Assessments[${k}].FactorsIdentifiedAtAssessment.AssessmentFactors[${n}]`, value: f, detail: `also sent: ${others.join(', ')}` });
          }
        });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [
        {
          Assessments: [
            { AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['21'] } },
            { AssessmentActualStartDate: '2023-07-03', AssessmentAuthorisationDate: '2023-07-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['3B', '4B'] } },
          ],
        },
      ]),
    ]),
    fail: cinTree([
      cinChild({}, [
        { Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['3B', '21'] } }] },
      ]),
    ]),
  },
};

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8898: each assessment factor code at most once per assessment; every repeat is named. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8898',
  message: 'The assessment has more than one parental or child factors with the same code',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      (details.Assessments ?? []).forEach((a, k) => {
        const seen = new Set<string>();
        (a.FactorsIdentifiedAtAssessment?.AssessmentFactors ?? []).forEach((f, n) => {
          if (seen.has(f)) findings.push({ path: `${path}.Assessments[${k}].FactorsIdentifiedAtAssessment.AssessmentFactors[${n}]`, value: f });
          seen.add(f);
        });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [{ Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['3B', '4B'] } }] }]),
    ]),
    fail: cinTree([
      cinChild({}, [
        { Assessments: [{ AssessmentActualStartDate: '2023-06-05', AssessmentAuthorisationDate: '2023-06-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['3B', '4B', '3B'] } }] },
      ]),
    ]),
  },
};

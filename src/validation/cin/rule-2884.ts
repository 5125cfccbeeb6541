import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * 2884: an initial child protection conference is recorded once: the CINdetails-level
 * DateOfInitialCPC does not repeat a Section47 DateOfInitialCPC of the same episode.
 */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '2884',
  message: 'An initial child protection conference is recorded at both the S47 and CIN Details level and it should only be recorded in one',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      const icpc = details.DateOfInitialCPC;
      if (icpc === undefined) return;
      const also = (details.Section47 ?? []).flatMap((s, k) => (s.DateOfInitialCPC === icpc ? [`Section47[${k}]`] : []));
      if (also.length > 0) findings.push({ path: `${path}.DateOfInitialCPC`, value: icpc, detail: `also recorded in ${also.join(', ')}` });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [{ Section47: [{ S47ActualStartDate: '2023-06-05', DateOfInitialCPC: '2023-06-20', ICPCnotRequired: 'false' }] }]),
      cinChild({ LAchildID: 'CHILD0002' }, [{ DateOfInitialCPC: '2023-06-20' }]),
    ]),
    fail: cinTree([
      cinChild({}, [{ DateOfInitialCPC: '2023-06-20', Section47: [{ S47ActualStartDate: '2023-06-05', DateOfInitialCPC: '2023-06-20', ICPCnotRequired: 'false' }] }]),
    ]),
  },
};

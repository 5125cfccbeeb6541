import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * 8750: an unborn child (ExpectedPersonBirthDate and no PersonBirthDate) has Sex U, or
 * GenderCurrent 0 in the 2023-24 layout and earlier.
 */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8750',
  message: 'Sex must equal U for an unborn child',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const ids = child.ChildIdentifiers;
      if (ids.ExpectedPersonBirthDate === undefined || ids.PersonBirthDate !== undefined) return;
      const path = `${cinChildPath(ci)}.ChildIdentifiers`;
      if (ids.Sex !== undefined && ids.Sex !== 'U') findings.push({ path: `${path}.Sex`, value: ids.Sex });
      if (ids.GenderCurrent !== undefined && ids.GenderCurrent !== '0') {
        findings.push({ path: `${path}.GenderCurrent`, value: ids.GenderCurrent, detail: 'GenderCurrent must be 0 in the 2023-24 layout and earlier' });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({ PersonBirthDate: undefined, ExpectedPersonBirthDate: '2024-05-01', GenderCurrent: '0' }),
      cinChild({ LAchildID: 'CHILD0002', GenderCurrent: '2' }),
    ]),
    fail: cinTree([cinChild({ PersonBirthDate: undefined, ExpectedPersonBirthDate: '2024-05-01', GenderCurrent: '1' })]),
  },
};

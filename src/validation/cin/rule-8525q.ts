import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8525Q: exactly one of PersonBirthDate and ExpectedPersonBirthDate. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8525Q',
  message: 'Either Date of Birth or Expected Date of Birth must be provided (but not both)',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const { PersonBirthDate: dob, ExpectedPersonBirthDate: expected } = child.ChildIdentifiers;
      const path = `${cinChildPath(ci)}.ChildIdentifiers`;
      if (dob === undefined && expected === undefined) findings.push({ path, detail: 'neither was sent' });
      if (dob !== undefined && expected !== undefined) findings.push({ path: `${path}.ExpectedPersonBirthDate`, value: expected, detail: `PersonBirthDate ${dob} was also sent` });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild(), cinChild({ LAchildID: 'CHILD0002', PersonBirthDate: undefined, ExpectedPersonBirthDate: '2024-05-01', GenderCurrent: '0' })]),
    fail: cinTree([cinChild({ ExpectedPersonBirthDate: '2015-05-20' })]),
  },
};

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinCollectionYear, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 1580 (from 2024-25): LAchildID holds letters and digits only. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1580',
  message: 'LA Child ID must not contain any non-alphanumeric characters',
  check(tree): RuleFinding[] {
    const year = cinCollectionYear(tree);
    if (year !== undefined && year < 2025) return []; // introduced in the 2024-25 collection
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const id = child.ChildIdentifiers.LAchildID;
      if (!/^[A-Za-z0-9]+$/.test(id)) findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.LAchildID`, value: id });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ LAchildID: 'Child0001', GenderCurrent: undefined, Sex: 'F' })], 2025),
    fail: cinTree([cinChild({ LAchildID: 'CHILD-0001', GenderCurrent: undefined, Sex: 'F' })], 2025),
  },
};

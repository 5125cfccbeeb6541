import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinCollectionYear, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 1570 (from 2024-25): LAchildID at most 20 characters. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1570',
  message: 'LA Child ID must not be longer than 20 characters',
  check(tree): RuleFinding[] {
    const year = cinCollectionYear(tree);
    if (year !== undefined && year < 2025) return []; // introduced in the 2024-25 collection
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const id = child.ChildIdentifiers.LAchildID;
      if (id.length > 20) findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.LAchildID`, value: id, detail: `${id.length} characters` });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ LAchildID: 'CHILD000000000000001', GenderCurrent: undefined, Sex: 'M' })], 2025),
    fail: cinTree([cinChild({ LAchildID: 'CHILD00000000000000001', GenderCurrent: undefined, Sex: 'M' })], 2025),
  },
};

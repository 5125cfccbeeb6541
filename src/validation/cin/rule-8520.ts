import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8520: a date of birth, when sent, is on or before the end of the census period. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8520',
  message: 'Date of Birth is after data collection period (must be on or before the end of the census period)',
  check(tree): RuleFinding[] {
    const period = cinCensusPeriod(tree);
    if (!period) return [];
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const dob = child.ChildIdentifiers.PersonBirthDate;
      if (dob !== undefined && dob > period.end) {
        findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.PersonBirthDate`, value: dob, detail: `the census period ends ${period.end}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ PersonBirthDate: '2024-03-31' })]),
    fail: cinTree([cinChild({ PersonBirthDate: '2024-05-01' })]),
  },
};

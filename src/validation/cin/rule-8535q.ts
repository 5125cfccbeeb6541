import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8535Q: a date of death is not before the date of birth. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8535Q',
  message: 'Please check and either amend data or provide a reason: Child’s date of death should not be prior to the date of birth',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const { PersonBirthDate: dob, PersonDeathDate: death } = child.ChildIdentifiers;
      if (dob !== undefined && death !== undefined && death < dob) {
        findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.PersonDeathDate`, value: death, detail: `born ${dob}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ PersonDeathDate: '2023-09-01' }, [{ CINclosureDate: '2023-09-01', ReasonForClosure: 'RC2' }])]),
    fail: cinTree([cinChild({ PersonDeathDate: '2015-01-01' }, [{ CINreferralDate: '2014-12-01' }])]),
  },
};

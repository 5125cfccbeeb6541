import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8555Q: no referral after the child's recorded date of death. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8555Q',
  message: 'Child cannot be referred after its recorded date of death',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path, child) => {
      const death = child.ChildIdentifiers.PersonDeathDate;
      if (death !== undefined && details.CINreferralDate > death) {
        findings.push({ path: `${path}.CINreferralDate`, value: details.CINreferralDate, detail: `date of death ${death}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ PersonDeathDate: '2023-06-01' })]),
    fail: cinTree([cinChild({ PersonDeathDate: '2023-05-01' })]),
  },
};

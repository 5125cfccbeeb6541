import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree, isCinTrue } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8772: UPNunknown UN7 (referral with no further action) only when every CINdetails is NFA. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8772',
  message: 'UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral going on to further action',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      if (child.ChildIdentifiers.UPNunknown !== 'UN7') return;
      const further = child.CINdetails.flatMap((d, di) => (isCinTrue(d.ReferralNFA) ? [] : [`CINdetails[${di}]`]));
      if (further.length > 0) {
        findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.UPNunknown`, value: 'UN7', detail: `not NFA: ${further.join(', ')}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ UPNunknown: 'UN7' }, [{ ReferralNFA: 'true' }])]),
    fail: cinTree([cinChild({ UPNunknown: 'UN7' }, [{ ReferralNFA: 'false' }])]),
  },
};

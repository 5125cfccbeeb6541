import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinChildPath, cinTree, isCinFalse } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * 8820: CIN episodes of one child do not overlap. No episode's referral date may fall on
 * or after another episode's referral and before that episode's closure, or, when that
 * episode is open and led to further action, on or before the ReferenceDate. One episode
 * may close on the day the next is referred.
 */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8820',
  message: 'The dates on the CIN episodes for this child overlap',
  check(tree): RuleFinding[] {
    const end = cinCensusPeriod(tree)?.end;
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      child.CINdetails.forEach((a, ai) => {
        const overlapped = child.CINdetails.flatMap((b, bi) => {
          if (bi === ai || a.CINreferralDate < b.CINreferralDate) return [];
          const inside =
            b.CINclosureDate !== undefined
              ? a.CINreferralDate < b.CINclosureDate
              : isCinFalse(b.ReferralNFA) && (end === undefined || a.CINreferralDate <= end);
          return inside ? [`CINdetails[${bi}]`] : [];
        });
        if (overlapped.length > 0) {
          findings.push({ path: `${cinChildPath(ci)}.CINdetails[${ai}].CINreferralDate`, value: a.CINreferralDate, detail: `falls within ${overlapped.join(', ')}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINreferralDate: '2023-05-01', CINclosureDate: '2023-08-01', ReasonForClosure: 'RC7' }, { CINreferralDate: '2023-08-01' }])]),
    fail: cinTree([cinChild({}, [{ CINreferralDate: '2023-05-01', CINclosureDate: '2023-09-01', ReasonForClosure: 'RC7' }, { CINreferralDate: '2023-08-01' }])]),
  },
};

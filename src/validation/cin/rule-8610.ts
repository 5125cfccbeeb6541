import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree, forEachCinDetails, isCinFalse } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8610: a referral that led to further action (ReferralNFA false or 0) has a PrimaryNeedCode. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8610',
  message: 'Primary Need code is missing for a referral which led to further action.',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    forEachCinDetails(tree, (details, path) => {
      if (isCinFalse(details.ReferralNFA) && details.PrimaryNeedCode === undefined) {
        findings.push({ path, detail: `ReferralNFA is ${details.ReferralNFA} and no PrimaryNeedCode was sent` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [{ ReferralNFA: '0', PrimaryNeedCode: 'N0' }]),
      cinChild({ LAchildID: 'CHILD0002' }, [{ ReferralNFA: 'true', PrimaryNeedCode: undefined }]),
    ]),
    fail: cinTree([cinChild({}, [{ ReferralNFA: 'false', PrimaryNeedCode: undefined }])]),
  },
};

import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** Check letters by remainder 0–22 (I, O and S are not used). */
const LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * The check letter a UPN should start with: characters 2–13 weighted 2–13, summed,
 * remainder by 23. A letter in position 13 (temporary UPN) counts as its place in the
 * check-letter table. Undefined when the UPN is not in a shape the sum applies to.
 */
export function upnCheckLetter(upn: string): string | undefined {
  if (!/^[A-Za-z]\d{11}[A-Za-z0-9]$/.test(upn)) return undefined;
  let sum = 0;
  for (let i = 1; i <= 12; i++) {
    const ch = upn.charAt(i).toUpperCase();
    const v = ch >= '0' && ch <= '9' ? Number(ch) : LETTERS.indexOf(ch);
    if (v < 0) return undefined; // not a recognised 13th character: rule 1550's concern
    sum += v * (i + 1);
  }
  return LETTERS.charAt(sum % 23);
}

/** 1510: where a UPN is sent, its first character must be the correct check letter. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '1510',
  message: 'UPN invalid (wrong check letter at character 1)',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const upn = child.ChildIdentifiers.UPN;
      if (upn === undefined) return;
      const expected = upnCheckLetter(upn);
      if (expected !== undefined && upn.charAt(0).toUpperCase() !== expected) {
        findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.UPN`, value: upn, detail: `the check letter should be ${expected}` });
      }
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ UPN: 'C999000000001' }), cinChild({ LAchildID: 'CHILD0002', UPN: 'X20100000042B' })]),
    fail: cinTree([cinChild({ UPN: 'A999000000001' })]),
  },
};

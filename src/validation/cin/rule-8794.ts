import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8794: each disability code at most once per child; every repeat is named. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8794',
  message: 'Child has two or more disabilities with the same code',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const seen = new Set<string>();
      (child.ChildCharacteristics.Disabilities?.Disability ?? []).forEach((c, k) => {
        if (seen.has(c)) findings.push({ path: `${cinChildPath(ci)}.ChildCharacteristics.Disabilities.Disability[${k}]`, value: c });
        seen.add(c);
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{}], { Disabilities: { Disability: ['HAND', 'HEAR'] } })]),
    fail: cinTree([cinChild({}, [{}], { Disabilities: { Disability: ['HAND', 'HEAR', 'HAND'] } })]),
  },
};

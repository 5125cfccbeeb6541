import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8790: Disability NONE is never sent with another disability code. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8790',
  message: 'Disability information includes both None and other values',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const codes = child.ChildCharacteristics.Disabilities?.Disability ?? [];
      const others = codes.filter((c) => c !== 'NONE');
      if (others.length === 0) return;
      codes.forEach((c, k) => {
        if (c === 'NONE') {
          findings.push({ path: `${cinChildPath(ci)}.ChildCharacteristics.Disabilities.Disability[${k}]`, value: c, detail: `also sent: ${others.join(', ')}` });
        }
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{}], { Disabilities: { Disability: ['NONE'] } }), cinChild({ LAchildID: 'CHILD0002' }, [{}], { Disabilities: { Disability: ['HAND', 'VIS'] } })]),
    fail: cinTree([cinChild({}, [{}], { Disabilities: { Disability: ['NONE', 'HAND'] } })]),
  },
};

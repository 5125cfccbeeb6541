import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8510: no two child records share an LAchildID; every record in a clash is named. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8510',
  message: 'More than one child record with the same LA Child ID',
  check(tree): RuleFinding[] {
    const byId = new Map<string, number[]>();
    tree.Message.Children.Child.forEach((child, ci) => {
      const id = child.ChildIdentifiers.LAchildID;
      byId.set(id, [...(byId.get(id) ?? []), ci]);
    });
    const findings: RuleFinding[] = [];
    for (const [id, indexes] of byId) {
      if (indexes.length < 2) continue;
      for (const ci of indexes) {
        const others = indexes.filter((o) => o !== ci).map((o) => `Child[${o}]`);
        findings.push({ path: `${cinChildPath(ci)}.ChildIdentifiers.LAchildID`, value: id, detail: `also used by ${others.join(', ')}` });
      }
    }
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({ LAchildID: 'CHILD0001' }), cinChild({ LAchildID: 'CHILD0002' })]),
    fail: cinTree([cinChild({ LAchildID: 'CHILD0001' }), cinChild({ LAchildID: 'CHILD0001' })]),
  },
};

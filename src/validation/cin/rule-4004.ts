import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 4004: a child has at most one open CIN plan (no CINPlanEndDate); each open plan is named. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '4004',
  message: 'This child is showing more than one open CIN Plan, i.e. with no End Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const open = child.CINdetails.flatMap((d, di) =>
        (d.CINPlanDates ?? []).flatMap((p, k) => (p.CINPlanEndDate === undefined ? [{ path: `${cinChildPath(ci)}.CINdetails[${di}].CINPlanDates[${k}]`, value: p.CINPlanStartDate }] : [])),
      );
      if (open.length > 1) findings.push(...open.map((f) => ({ ...f, detail: `${open.length} open CIN plans` })));
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-06-05', CINPlanEndDate: '2023-08-01' }, { CINPlanStartDate: '2023-09-04' }] }])]),
    fail: cinTree([cinChild({}, [{ CINPlanDates: [{ CINPlanStartDate: '2023-06-05' }, { CINPlanStartDate: '2023-09-04' }] }])]),
  },
};

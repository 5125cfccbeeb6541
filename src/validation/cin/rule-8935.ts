import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 8935: a child has at most one open child protection plan (no CPPendDate); each open plan is named. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8935',
  message: 'This child is showing more than one open Child Protection plan, i.e. with no End Date',
  check(tree): RuleFinding[] {
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const open = child.CINdetails.flatMap((d, di) =>
        (d.ChildProtectionPlans ?? []).flatMap((p, k) =>
          p.CPPendDate === undefined ? [{ path: `${cinChildPath(ci)}.CINdetails[${di}].ChildProtectionPlans[${k}]`, value: p.CPPstartDate }] : [],
        ),
      );
      if (open.length > 1) findings.push(...open.map((f) => ({ ...f, detail: `${open.length} open child protection plans` })));
    });
    return findings;
  },
  cases: {
    pass: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-09-01'), plan('2023-10-02')] }])]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03'), plan('2023-10-02')] }])]),
  },
};

function plan(start: string, end?: string): CinChildProtectionPlan {
  return { CPPstartDate: start, ...(end ? { CPPendDate: end } : {}), InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' };
}

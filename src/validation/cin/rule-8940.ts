import type { CinCensusTree, CinChildProtectionPlan } from '../../formats/cin-census.js';
import { cinCensusPeriod, cinChild, cinChildPath, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * 8940: a child's child protection plans do not overlap. No plan may start on or after
 * another plan's start and on or before that plan's end, or, when that plan is open, on
 * or before the ReferenceDate. Plans are compared across all of the child's episodes.
 */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '8940',
  message: 'Child Protection Plan data contains overlapping dates',
  check(tree): RuleFinding[] {
    const end = cinCensusPeriod(tree)?.end;
    const findings: RuleFinding[] = [];
    tree.Message.Children.Child.forEach((child, ci) => {
      const plans = child.CINdetails.flatMap((d, di) =>
        (d.ChildProtectionPlans ?? []).map((p, k) => ({ p, path: `${cinChildPath(ci)}.CINdetails[${di}].ChildProtectionPlans[${k}]`, name: `CINdetails[${di}].ChildProtectionPlans[${k}]` })),
      );
      plans.forEach((a, ai) => {
        const within = plans.flatMap((b, bi) => {
          if (bi === ai || a.p.CPPstartDate < b.p.CPPstartDate) return [];
          const bEnd = b.p.CPPendDate ?? end;
          return bEnd === undefined || a.p.CPPstartDate <= bEnd ? [b.name] : [];
        });
        if (within.length > 0) findings.push({ path: `${a.path}.CPPstartDate`, value: a.p.CPPstartDate, detail: `falls within ${within.join(', ')}` });
      });
    });
    return findings;
  },
  cases: {
    pass: cinTree([
      cinChild({}, [
        { CINclosureDate: '2023-09-01', ReasonForClosure: 'RC7', ChildProtectionPlans: [plan('2023-07-03', '2023-09-01')] },
        { CINreferralDate: '2023-09-01', ChildProtectionPlans: [plan('2023-09-04', '2024-01-15')] },
      ]),
    ]),
    fail: cinTree([cinChild({}, [{ ChildProtectionPlans: [plan('2023-07-03', '2023-12-01'), plan('2023-09-04', '2024-01-15')] }])]),
  },
};

function plan(start: string, end: string): CinChildProtectionPlan {
  return { CPPstartDate: start, CPPendDate: end, InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' };
}

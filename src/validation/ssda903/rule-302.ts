import type { Ssda903Tree } from '../../formats/ssda903.js';
import { episodesByChild, isIsoDate, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** SSDA903 302: a child's first episode (earliest DECOM) cannot start before the Header DOB. Needs Header and Episodes. */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '302',
  message: 'First episode starts before child was born.',
  check: (tree) => {
    const dob = new Map<string, string>();
    for (const h of tree.tables.Header ?? []) {
      if (h.CHILD !== undefined && isIsoDate(h.DOB) && !dob.has(h.CHILD)) dob.set(h.CHILD, h.DOB);
    }
    const findings: RuleFinding[] = [];
    for (const [child, episodes] of episodesByChild(tree)) {
      const first = episodes[0];
      const born = dob.get(child);
      if (first?.DECOM !== undefined && born !== undefined && first.DECOM < born) {
        findings.push({ path: ssda903Path('Episodes', first, 'DECOM'), value: first.DECOM, detail: `DOB is ${born}` });
      }
    }
    return findings;
  },
  cases: {
    pass: {
      tables: {
        Header: [{ _line: 2, CHILD: 'TESTC001', DOB: '2012-06-05' }],
        Episodes: [{ _line: 2, CHILD: 'TESTC001', DECOM: '2012-06-05' }],
      },
    },
    fail: {
      tables: {
        Header: [{ _line: 2, CHILD: 'TESTC001', DOB: '2012-06-05' }],
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2012-06-04', DEC: '2012-07-01', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2012-07-01' },
        ],
      },
    },
  },
};

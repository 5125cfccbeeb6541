import type { Ssda903Tree } from '../../formats/ssda903.js';
import { episodesByChild, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * SSDA903 142: every episode of a child except the latest (by DECOM) must have ended,
 * with both DEC and REC. The finding names the first of the two that is blank.
 */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '142',
  message: 'A new episode has started, but the previous episode has not ended.',
  check: (tree) => {
    const findings: RuleFinding[] = [];
    for (const episodes of episodesByChild(tree).values()) {
      episodes.slice(0, -1).forEach((ep, i) => {
        if (ep.DEC !== undefined && ep.REC !== undefined) return;
        const next = episodes[i + 1];
        findings.push({
          path: ssda903Path('Episodes', ep, ep.DEC === undefined ? 'DEC' : 'REC'),
          value: ep.DEC === undefined ? '' : ep.REC ?? '',
          detail: next ? `the next episode (row ${next._line}) starts ${next.DECOM ?? ''}` : undefined,
        });
      });
    }
    return findings;
  },
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-10' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-10' },
        ],
      },
    },
  },
};

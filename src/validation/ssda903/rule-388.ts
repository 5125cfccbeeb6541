import type { Ssda903Tree } from '../../formats/ssda903.js';
import { episodesByChild, ssda903Path } from '../../formats/ssda903.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/**
 * SSDA903 388: REC X1 (new episode begins) means the child stays looked after and the
 * next episode starts the day this one ended. Reported, on the REC of the ended episode:
 * X1 whose next episode starts on another day; X1 on the child's last episode (no
 * continuation at all); and an episode followed the same day by another but coded with a
 * reason other than X1 (the continuation is there, so the ending must be X1).
 */
export const rule: ValidationRule<Ssda903Tree> = {
  ruleSet: 'SSDA903',
  code: '388',
  message: 'Reason episode ceased is coded new episode begins, but there is no continuation episode.',
  check: (tree) => {
    const findings: RuleFinding[] = [];
    for (const episodes of episodesByChild(tree).values()) {
      episodes.forEach((ep, i) => {
        if (ep.DEC === undefined || ep.REC === undefined) return;
        const next = episodes[i + 1];
        const path = ssda903Path('Episodes', ep, 'REC');
        if (ep.REC === 'X1' && !next) {
          findings.push({ path, value: ep.REC, detail: `the episode ended ${ep.DEC} and no later episode follows` });
        } else if (ep.REC === 'X1' && next && next.DECOM !== ep.DEC) {
          findings.push({ path, value: ep.REC, detail: `the episode ended ${ep.DEC} but the next (row ${next._line}) starts ${next.DECOM ?? ''}` });
        } else if (ep.REC !== 'X1' && next && next.DECOM === ep.DEC) {
          findings.push({ path, value: ep.REC, detail: `the next episode (row ${next._line}) starts the same day, so REC should be X1` });
        }
      });
    }
    return findings;
  },
  cases: {
    pass: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-10', DEC: '2024-06-01', REC: 'E4A' },
        ],
      },
    },
    fail: {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'X1' },
          { _line: 3, CHILD: 'TESTC001', DECOM: '2024-05-12', DEC: '2024-06-01', REC: 'X1' },
        ],
      },
    },
  },
};

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ssda903Tree } from '../../src/formats/ssda903.js';
import { findingsToIssues, runRules } from '../../src/validation/rule.js';
import { SSDA903_RULES } from '../../src/validation/ssda903/index.js';

const byCode = Object.fromEntries(SSDA903_RULES.map((r) => [r.code, r]));
const rule = (code: string) => {
  const r = byCode[code];
  if (!r) throw new Error(`rule ${code} is not registered`);
  return r;
};

describe('SSDA903 rules (generic)', () => {
  it('has at least 15 rules with unique codes', () => {
    expect(SSDA903_RULES.length).toBeGreaterThanOrEqual(15);
    expect(new Set(SSDA903_RULES.map((r) => r.code)).size).toBe(SSDA903_RULES.length);
  });

  it('registers every rule file in index.ts', () => {
    const dir = join(import.meta.dirname, '../../src/validation/ssda903');
    const index = readFileSync(join(dir, 'index.ts'), 'utf8');
    for (const r of SSDA903_RULES) expect(index).toContain(`./rule-${r.code}.js`);
  });

  describe.each(SSDA903_RULES.map((r) => [r.code, r] as const))('rule %s', (_code, r) => {
    it('is an SSDA903 rule with a published message', () => {
      expect(r.ruleSet).toBe('SSDA903');
      expect(r.message.length).toBeGreaterThan(10);
    });

    it('finds nothing in its passing case', () => {
      expect(r.check(r.cases.pass)).toEqual([]);
    });

    it('finds at least one offending cell, with a path, in its failing case', () => {
      const findings = r.check(r.cases.fail);
      expect(findings.length).toBeGreaterThanOrEqual(1);
      for (const f of findings) expect(f.path).toMatch(/^[A-Za-z0-9]+\[row \d+\]\.[A-Z_]+$/);
    });

    it('finds nothing when its tables are absent', () => {
      expect(r.check({ tables: {} })).toEqual([]);
    });

    it('renders findings as error issues carrying the rule code', () => {
      const issues = findingsToIssues(r, r.check(r.cases.fail));
      for (const i of issues) {
        expect(i).toMatchObject({ severity: 'error', code: 'business-rule', rule: `SSDA903-${r.code}` });
        expect(i.diagnostics).toContain(r.message);
      }
    });
  });
});

describe('SSDA903 rules (particular cases)', () => {
  const episodes = (...rows: Record<string, string>[]): Ssda903Tree => ({ tables: { Episodes: rows.map((r, i) => ({ _line: i + 2, CHILD: 'TESTC001', ...r })) } });

  it('144 names each offending cell with its row and value', () => {
    const tree = episodes({ LS: 'C2' }, { LS: 'X9' }, { LS: 'c2' });
    expect(rule('144').check(tree)).toEqual([
      { path: 'Episodes[row 3].LS', value: 'X9' },
      { path: 'Episodes[row 4].LS', value: 'c2' },
    ]);
  });

  it('101 uses the 2024 schema sex codes and reports a blank', () => {
    const tree: Ssda903Tree = { tables: { Header: [{ _line: 2, SEX: '1' }, { _line: 3, SEX: '2' }, { _line: 4, SEX: 'M' }, { _line: 5 }] } };
    expect(rule('101').check(tree).map((f) => f.path)).toEqual(['Header[row 4].SEX', 'Header[row 5].SEX']);
  });

  it('149 leaves a blank REC to 148', () => {
    const tree = episodes({ DECOM: '2024-04-01', DEC: '2024-05-01' });
    expect(rule('149').check(tree)).toEqual([]);
    expect(rule('148').check(tree)).toEqual([{ path: 'Episodes[row 2].REC', value: '', detail: 'DEC is 2024-05-01' }]);
  });

  it('361 allows police protection of exactly 72 hours and joins continuous L1 episodes', () => {
    const ok = episodes({ DECOM: '2024-03-01', LS: 'L1', DEC: '2024-03-04', REC: 'E4A' });
    expect(rule('361').check(ok)).toEqual([]);
    const long = episodes({ DECOM: '2024-03-01', LS: 'L1', DEC: '2024-03-03', REC: 'X1' }, { DECOM: '2024-03-03', LS: 'L1', DEC: '2024-03-05', REC: 'E4A' });
    const findings = rule('361').check(long);
    expect(findings.map((f) => f.path)).toEqual(['Episodes[row 2].LS', 'Episodes[row 3].LS']);
    expect(findings[0]?.detail).toContain('L1 from 2024-03-01 to 2024-03-05');
  });

  it('361 does not join L1 episodes separated by a gap', () => {
    const tree = episodes({ DECOM: '2024-03-01', LS: 'L1', DEC: '2024-03-03', REC: 'E4A' }, { DECOM: '2024-04-01', LS: 'L1', DEC: '2024-04-03', REC: 'E4A' });
    expect(rule('361').check(tree)).toEqual([]);
  });

  it('364 checks J2 at 21 days, and another legal status breaks the period', () => {
    const tree = episodes(
      { DECOM: '2024-01-01', LS: 'J2', DEC: '2024-01-15', REC: 'X1' },
      { DECOM: '2024-01-15', LS: 'J1', DEC: '2024-01-20', REC: 'X1' },
      { DECOM: '2024-01-20', LS: 'J2', DEC: '2024-02-05', REC: 'E8' },
    );
    expect(rule('364').check(tree)).toEqual([]);
    expect(rule('361').check(tree)).toEqual([]);
  });

  it('142 and 388 look at each child separately, in start order whatever the file order', () => {
    const tree: Ssda903Tree = {
      tables: {
        Episodes: [
          { _line: 2, CHILD: 'TESTC001', DECOM: '2024-05-10', DEC: '2024-06-01', REC: 'E4A' },
          { _line: 3, CHILD: 'TESTC002', DECOM: '2024-04-01' },
          { _line: 4, CHILD: 'TESTC001', DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'X1' },
        ],
      },
    };
    expect(rule('142').check(tree)).toEqual([]);
    expect(rule('388').check(tree)).toEqual([]);
  });

  it('388 reports X1 on a last episode and a same-day continuation not coded X1', () => {
    const tree = episodes(
      { DECOM: '2024-04-01', DEC: '2024-05-10', REC: 'E4A' },
      { DECOM: '2024-05-10', DEC: '2024-06-01', REC: 'X1' },
    );
    expect(rule('388').check(tree).map((f) => f.path)).toEqual(['Episodes[row 2].REC', 'Episodes[row 3].REC']);
  });

  it('302 needs both Header and Episodes', () => {
    const fail = rule('302').cases.fail;
    expect(rule('302').check({ tables: { Episodes: fail.tables.Episodes ?? [] } })).toEqual([]);
    expect(rule('302').check(fail)).toEqual([{ path: 'Episodes[row 2].DECOM', value: '2012-06-04', detail: 'DOB is 2012-06-05' }]);
  });

  it('runRules gathers every rule\'s findings as issues', () => {
    const tree: Ssda903Tree = { tables: { Header: [{ _line: 2, CHILD: 'TESTC001', SEX: '3', DOB: '2010-01-01', ETHNIC: 'XXXX' }] } };
    const issues = runRules(SSDA903_RULES, tree);
    expect(issues.map((i) => i.rule)).toEqual(['SSDA903-101', 'SSDA903-103']);
    expect(issues[0]?.expression).toEqual(['Header[row 2].SEX']);
    expect(issues[0]?.diagnostics).toBe('SSDA903 rule 101: Gender code is not valid.; received "3"');
  });
});

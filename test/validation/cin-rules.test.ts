import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CinCensusTree } from '../../src/formats/cin-census.js';
import { readCinCensus } from '../../src/formats/cin-census.js';
import { CIN_RULES } from '../../src/validation/cin/index.js';
import { upnCheckLetter } from '../../src/validation/cin/rule-1510.js';
import { findingsToIssues, isQueryRule, runRules } from '../../src/validation/rule.js';

/**
 * Rules whose fail case cannot help breaking another rule too: two open child protection
 * plans (8935) always overlap in time (8940).
 */
const ALSO_BROKEN: Record<string, string[]> = { '8935': ['8940'] };

/** Follows a finding path (`Message.Children.Child[0].CINdetails[1].X`) through a tree. */
function resolve(tree: CinCensusTree, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split('.')) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(part);
    if (!m || node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[m[1]!];
    if (m[2] !== undefined) node = Array.isArray(node) ? (node as unknown[])[Number(m[2])] : undefined;
  }
  return node;
}

/** Renders a tree back to XML, so the rule cases can be read by the schema layer. */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (typeof value === 'string') return `<${name}>${value}</${name}>`;
  const inner = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => toXml(k, v))
    .join('');
  return `<${name}>${inner}</${name}>`;
}

const codes = (tree: CinCensusTree) => [...new Set(runRules(CIN_RULES, tree).map((i) => i.rule))].sort();

describe('CIN_RULES', () => {
  it('holds at least 25 rules, each with a unique published code', () => {
    expect(CIN_RULES.length).toBeGreaterThanOrEqual(25);
    const list = CIN_RULES.map((r) => r.code);
    expect(new Set(list).size).toBe(list.length);
    for (const r of CIN_RULES) {
      expect(r.ruleSet).toBe('CIN');
      expect(r.code).toMatch(/^\d{3,4}Q?$/);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
});

describe.each(CIN_RULES.map((r) => [r.code, r] as const))('CIN rule %s', (code, rule) => {
  it('passes its pass case, and the pass case breaks no other rule', () => {
    expect(rule.check(rule.cases.pass)).toEqual([]);
    expect(codes(rule.cases.pass)).toEqual([]);
  });

  it('fails its fail case, naming places that exist in the tree', () => {
    const findings = rule.check(rule.cases.fail);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.path).toMatch(/^Message(\.|$)/);
      expect(resolve(rule.cases.fail, f.path), f.path).toBeDefined();
      if (typeof f.value === 'string') expect(JSON.stringify(resolve(rule.cases.fail, f.path))).toContain(f.value);
    }
  });

  it('the fail case breaks this rule only', () => {
    expect(codes(rule.cases.fail)).toEqual([`CIN-${code}`, ...(ALSO_BROKEN[code] ?? []).map((c) => `CIN-${c}`)].sort());
  });

  it(`reports ${isQueryRule(code) ? 'warnings (a query)' : 'errors'} carrying the rule code`, () => {
    const issues = findingsToIssues(rule, rule.check(rule.cases.fail));
    for (const i of issues) {
      expect(i.severity).toBe(code.endsWith('Q') ? 'warning' : 'error');
      expect(i.rule).toBe(`CIN-${code}`);
      expect(i.diagnostics).toContain(rule.message);
    }
  });

  it('its cases are trees the CIN census reader accepts', async () => {
    for (const tree of [rule.cases.pass, rule.cases.fail]) {
      const parsed = await readCinCensus(toXml('Message', tree.Message));
      expect(parsed.tree).toEqual(tree);
    }
  });
});

describe('CIN rule details', () => {
  it('1510 computes the UPN check letter, including a temporary UPN ending in a letter', () => {
    expect(upnCheckLetter('A950000178301')).toBe('A');
    expect(upnCheckLetter('H243278544154')).toBe('H');
    expect(upnCheckLetter('X20100000042B')).toBe('X');
    expect(upnCheckLetter('A2010000004')).toBeUndefined();
  });

  it('1570 and 1580 apply from the 2024-25 collection only', () => {
    const long = CIN_RULES.find((r) => r.code === '1570')!;
    const tree = structuredClone(long.cases.fail);
    tree.Message.Header!.CollectionDetails!.Year = '2024';
    expect(long.check(tree)).toEqual([]);
  });

  it('8750 accepts Sex U for an unborn child and refuses Sex M', () => {
    const rule = CIN_RULES.find((r) => r.code === '8750')!;
    const tree = structuredClone(rule.cases.fail);
    const ids = tree.Message.Children.Child[0]!.ChildIdentifiers;
    delete ids.GenderCurrent;
    ids.Sex = 'U';
    expect(rule.check(tree)).toEqual([]);
    ids.Sex = 'M';
    expect(rule.check(tree)).toEqual([{ path: 'Message.Children.Child[0].ChildIdentifiers.Sex', value: 'M' }]);
  });

  it('8820 lets one episode close on the day the next is referred, but not after', () => {
    const rule = CIN_RULES.find((r) => r.code === '8820')!;
    expect(rule.check(rule.cases.pass)).toEqual([]);
    expect(rule.check(rule.cases.fail).map((f) => f.path)).toEqual(['Message.Children.Child[0].CINdetails[1].CINreferralDate']);
  });
});

const CSV = fileURLToPath(new URL('../../../shared/samples/la/rules/cin_rules_from_cin_validator.csv', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../../../shared/samples/la/cin/', import.meta.url));

describe.runIf(existsSync(CSV))('CIN rules against the published rule list', () => {
  it('carry the published message of their code (latest collection year)', () => {
    const rows = parse<{ rule_code: string; message_truncated_150: string }>(readFileSync(CSV), { columns: true });
    const published = new Map<string, string>();
    for (const row of rows) published.set(row.rule_code, row.message_truncated_150); // later years override earlier
    for (const r of CIN_RULES) {
      const message = published.get(r.code);
      expect(message, `rule ${r.code} is not in the published list`).toBeDefined();
      expect(r.message.startsWith(message!.trim()), `rule ${r.code}: ${r.message} vs ${message}`).toBe(true);
    }
  });
});

describe.runIf(existsSync(SAMPLES))('CIN rules on the shared samples', () => {
  const sample = async (name: string) => (await readCinCensus(readFileSync(`${SAMPLES}${name}`))).tree;
  const tally = (tree: CinCensusTree) => {
    const out: Record<string, number> = {};
    for (const i of runRules(CIN_RULES, tree)) out[`${i.rule} ${i.severity}`] = (out[`${i.rule} ${i.severity}`] ?? 0) + 1;
    return out;
  };

  it('liia-tools cin-2022.xml: implausible dates and a plan starting before the referral', async () => {
    expect(tally(await sample('liia-tools_cin-2022.xml'))).toEqual({
      'CIN-1103 error': 1, // assessment 1970-06-03 before the referral 1970-10-06
      'CIN-1104 error': 1, // ICPC before the referral
      'CIN-1105 error': 1, // child protection plan 1970-02-17 before the referral
      'CIN-1510 error': 1, // A123456789123: check letter should be P
      'CIN-2889 error': 1, // S47 before the referral
      'CIN-4013 error': 1, // 1971 dates in a 2021-22 census
      'CIN-8525Q warning': 1, // both birth and expected birth dates
      'CIN-8620 error': 1,
      'CIN-8930 error': 1,
    });
  });

  it('cin-validator fake_CIN_data.xml: generated data with errors and warnings', async () => {
    expect(tally(await sample('cin-validator_fake_CIN_data.xml'))).toEqual({
      'CIN-100 error': 1, // ReferenceDate 2022-07-21, not 2022-03-31
      'CIN-1510 error': 320, // generated UPNs mostly lack a true check letter
      'CIN-8555Q warning': 30,
      'CIN-8600 error': 8,
      'CIN-8620 error': 192,
      'CIN-8790 error': 3,
      'CIN-8794 error': 5,
    });
  });
});

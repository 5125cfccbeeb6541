import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import { loadAgreements } from '../../src/config/agreements.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const { agencies } = loadAgencies(path.join(PACKAGE_ROOT, 'config'));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const GOOD = `
id: test-agreement
title: Test
version: 1
parties: [la:383, ods:RR8]
lawfulBasis: { article6: 6(1)(e) public task }
consentRequired: false
reviewDate: 2027-01-01
shares:
  - id: plans
    from: [la:383]
    to: [ods:RR8]
    roles: [unscheduled-care]
    purposes: [direct-care]
    datasets: { ProtectionPlan: [kind, period] }
`;

function configWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-agreements-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'agreements'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'agreements', name), text);
  return dir;
}

describe('sharing agreements configuration', () => {
  it('loads the demo agreements that ship in config/, with none past review', () => {
    const set = loadAgreements(path.join(PACKAGE_ROOT, 'config'), agencies, '2026-12-07');
    expect(set.agreements.map((a) => a.id).sort()).toEqual(['cpis-england', 'leeds-health-to-social-care', 'leeds-safeguarding-partnership']);
    expect(set.warnings).toEqual([]);
  });

  it('loads a good file', () => {
    const set = loadAgreements(configWith({ 'a.yaml': GOOD }), agencies, '2026-12-07');
    expect(set.agreements[0]).toMatchObject({ id: 'test-agreement', version: '1', consentRequired: false, overrideRoles: [] });
  });

  it.each([
    ['a purpose that does not exist', GOOD.replace('purposes: [direct-care]', 'purposes: [curiosity]'), 'shares.0.purposes.0'],
    ['a misspelt field', GOOD.replace('[kind, period]', '[kind, perod]'), "shares.0.datasets.ProtectionPlan.1: 'perod' is not a field of ProtectionPlan"],
    ['an unknown record type', GOOD.replace('ProtectionPlan:', 'Plan:'), "shares.0.datasets.Plan: 'Plan' is not a record type"],
    ['a role that does not exist', GOOD.replace('roles: [unscheduled-care]', 'roles: [nurse]'), 'shares.0.roles.0'],
    ['a share naming a non-party', GOOD.replace('to: [ods:RR8]', 'to: [police:E23000010]'), "shares.0.to.0: 'police:E23000010' is not a party"],
    ['an agency that is not configured', GOOD.replace('parties: [la:383, ods:RR8]', 'parties: [la:383, ods:RR8, ods:XYZ99]'), "parties.2: 'ods:XYZ99' is not an agency in agencies.yaml"],
    ['a malformed party', GOOD.replace('parties: [la:383, ods:RR8]', 'parties: [la:383, hospital]'), 'parties.1'],
    ['no lawful basis', GOOD.replace('lawfulBasis: { article6: 6(1)(e) public task }', 'lawfulBasis: {}'), 'lawfulBasis: a lawful basis needs article6'],
    ['a missing review date', GOOD.replace('reviewDate: 2027-01-01\n', ''), 'reviewDate'],
    ['an unknown key', GOOD.replace('consentRequired: false', 'consentRequired: false\nconsentNeeded: true'), 'consentNeeded'],
    ['a permitting share without purposes', GOOD.replace('    purposes: [direct-care]\n', ''), 'shares.0.purposes: a permitting share must name the purposes'],
    ['a bad label', GOOD.replace('    datasets:', '    labels: [X]\n    datasets:'), 'shares.0.labels.0'],
  ])('stops start-up on %s, naming the file and the field', (_name, text, expected) => {
    const dir = configWith({ 'bad.yaml': text });
    expect(() => loadAgreements(dir, agencies, '2026-12-07')).toThrow(path.join(dir, 'agreements', 'bad.yaml'));
    expect(() => loadAgreements(dir, agencies, '2026-12-07')).toThrow(expected);
  });

  it('stops start-up when two files define one agreement id', () => {
    const dir = configWith({ 'a.yaml': GOOD, 'b.yaml': GOOD });
    expect(() => loadAgreements(dir, agencies, '2026-12-07')).toThrow(/b\.yaml: id: agreement 'test-agreement' is also defined in .*a\.yaml/);
  });

  it('stops start-up on YAML that does not parse', () => {
    const dir = configWith({ 'a.yaml': 'id: [unclosed' });
    expect(() => loadAgreements(dir, agencies, '2026-12-07')).toThrow(/a\.yaml: cannot be read as YAML/);
  });

  it('warns, without stopping, when a review date has passed or there are no agreements', () => {
    expect(loadAgreements(configWith({ 'a.yaml': GOOD }), agencies, '2027-01-02').warnings[0]).toMatch(/test-agreement was due for review on 2027-01-01/);
    expect(loadAgreements(configWith({}), agencies, '2026-12-07').warnings[0]).toMatch(/no agreements/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAlertRules } from '../../src/config/alert-rules.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function withRules(yaml: string): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-alerts-'));
  fs.writeFileSync(path.join(dir, 'alerts.yaml'), yaml);
  return dir;
}

const rule = (over: string) => `rules:
  - id: missing-child-on-plan
    version: 1
    title: A child on a plan reported missing
    severity: high
    on: [notification]
${over}`;

describe('config/alerts.yaml', () => {
  it('a bad file stops start-up naming the file, the field and what was expected', () => {
    const d = withRules(rule(`    when:\n      - notificationType: [missing]\n      - riskGrade: [severe]\n`).replace('severity: high', 'severity: urgent'));
    expect(() => loadAlertRules(d)).toThrow(ConfigError);
    try {
      loadAlertRules(d);
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain(path.join(d, 'alerts.yaml'));
      expect(msg).toMatch(/rules\.0\.severity: .*"high".*"medium".*"low"/);
      expect(msg).toMatch(/rules\.0\.when\.1\.riskGrade\.0: .*"standard"/);
    }
  });

  it('refuses two conditions in one list item, and a sweep rule that needs a notification', () => {
    expect(() => loadAlertRules(withRules(rule(`    when:\n      - { notificationType: [missing], riskGrade: [high] }\n`)))).toThrow(/rules\.0\.when\.0: expected exactly one condition/);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(() => loadAlertRules(withRules(rule(`    when:\n      - notificationType: [missing]\n`).replace('on: [notification]', 'on: [sweep]')))).toThrow(/rules\.0\.when\.0\.notificationType: a rule evaluated on sweep/);
  });

  it('no file means no rules, with a warning', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-alerts-'));
    const { rules, warnings } = loadAlertRules(dir);
    expect(rules).toEqual([]);
    expect(warnings[0]).toMatch(/alerts\.yaml does not exist/);
  });
});

describe('SGW_ALERT_SWEEP_SECONDS', () => {
  it('defaults to 300 and refuses a value outside 1–86400, naming the variable', () => {
    expect(loadConfig({}).alertSweepSeconds).toBe(300);
    expect(loadConfig({ SGW_ALERT_SWEEP_SECONDS: '60' }).alertSweepSeconds).toBe(60);
    expect(() => loadConfig({ SGW_ALERT_SWEEP_SECONDS: '0' })).toThrow(/SGW_ALERT_SWEEP_SECONDS="0": expected at least 1 second/);
  });
});

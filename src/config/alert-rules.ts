import fs from 'node:fs';
import path from 'node:path';
import type { AlertRule } from '../alerts/rule-schema.js';
import { AlertRulesFileSchema } from '../alerts/rule-schema.js';
import { readYamlConfig } from './yaml-file.js';

/**
 * Loads the alert rules from `<configDir>/alerts.yaml`, checked with zod: a bad file stops
 * start-up naming the file, the field and what was expected. No file means no rules (the
 * gateway then raises no alerts), which start-up reports as a warning.
 */
export function loadAlertRules(configDir: string): { rules: AlertRule[]; warnings: string[] } {
  const file = path.join(configDir, 'alerts.yaml');
  if (!fs.existsSync(file)) return { rules: [], warnings: [`${file} does not exist: no alert rules are in force`] };
  return { rules: readYamlConfig(file, AlertRulesFileSchema, 'alert rules').rules, warnings: [] };
}

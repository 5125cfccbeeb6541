import fs from 'node:fs';
import path from 'node:path';
import type { Agency } from '../model/agency.js';
import type { Agreement } from '../policy/agreement.js';
import { AgreementSchema } from '../policy/agreement.js';
import { ConfigError } from './env.js';
import { readYamlConfig } from './yaml-file.js';

export interface AgreementSet {
  agreements: Agreement[];
  /** Things a person should know but that do not stop start-up (a review date passed, no agreements at all). */
  warnings: string[];
}

/**
 * Loads every data-sharing agreement in `<configDir>/agreements/*.yaml`. Each file holds one
 * agreement, checked with zod; a bad file stops start-up with an error naming the file and
 * the field. Agencies named as parties must be configured in agencies.yaml.
 */
export function loadAgreements(configDir: string, agencies: ReadonlyMap<string, Agency>, today: string): AgreementSet {
  const dir = path.join(configDir, 'agreements');
  const warnings: string[] = [];
  if (!fs.existsSync(dir)) {
    return { agreements: [], warnings: [`${dir} does not exist: no sharing agreements are in force, so no agency sees another's records`] };
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const agreements: Agreement[] = [];
  const byId = new Map<string, string>();
  for (const name of files) {
    const file = path.join(dir, name);
    const agreement: Agreement = { ...readYamlConfig(file, AgreementSchema, 'sharing agreement'), file };
    const unknown = agreement.parties.map((p, i) => [p, i] as const).filter(([p]) => !p.startsWith('type:') && !agencies.has(p));
    if (unknown.length > 0) {
      throw new ConfigError(`${file}: invalid sharing agreement:\n  ${unknown.map(([p, i]) => `parties.${i}: '${p}' is not an agency in agencies.yaml`).join('\n  ')}`);
    }
    const seen = byId.get(agreement.id);
    if (seen) throw new ConfigError(`${file}: id: agreement '${agreement.id}' is also defined in ${seen}`);
    byId.set(agreement.id, file);
    if (agreement.reviewDate < today) warnings.push(`${file}: agreement ${agreement.id} was due for review on ${agreement.reviewDate}`);
    agreements.push(agreement);
  }
  if (agreements.length === 0) warnings.push(`${dir} holds no agreements: no agency sees another's records`);
  return { agreements, warnings };
}

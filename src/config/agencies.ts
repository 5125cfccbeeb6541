import path from 'node:path';
import { z } from 'zod';
import type { Agency } from '../model/agency.js';
import { AgencySchema, describeAgency } from '../model/agency.js';
import { ConfigError } from './env.js';
import type { WebhookTarget } from './webhook-secret.js';
import { readWebhookSecret } from './webhook-secret.js';
import { readYamlConfig } from './yaml-file.js';

/** An identity provider whose tokens an agency's users present. */
const IssuerSchema = z
  .object({
    issuer: z.string().min(1),
    /** SPKI PEM or public JWK (JSON) file, relative to the config directory. */
    publicKeyFile: z.string().min(1),
    algorithm: z.enum(['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA']).default('ES256'),
    /** The key's id (JWS `kid`): a token naming another key is refused. Default: the JWK file's `kid`, else none (any kid). */
    keyId: z.string().min(1).optional(),
  })
  .strict();
export type IssuerConfig = z.infer<typeof IssuerSchema> & { publicKeyPath: string };

const AgenciesFileSchema = z
  .object({
    agencies: z.array(AgencySchema.extend({ issuers: z.array(IssuerSchema).default([]) }).strict()).min(1),
  })
  .strict();

export interface AgencyDirectory {
  agencies: Map<string, Agency>;
  issuers: Map<string, IssuerConfig[]>;
  /** Agencies with a webhook: its URL and signing secret (kept apart from the agency, which is stored and shown). */
  webhooks: Map<string, WebhookTarget>;
}

/**
 * Loads `agencies.yaml` from the config directory, and the webhook secrets it names. A bad
 * file or an unreadable or short secret stops start-up with an error naming the file and the field.
 */
export function loadAgencies(configDir: string): AgencyDirectory {
  const file = path.join(configDir, 'agencies.yaml');
  const config = readYamlConfig(file, AgenciesFileSchema, 'agency configuration');
  const agencies = new Map<string, Agency>();
  const issuers = new Map<string, IssuerConfig[]>();
  const webhooks = new Map<string, WebhookTarget>();
  for (const [i, entry] of config.agencies.entries()) {
    const { issuers: agencyIssuers, ...agency } = entry;
    if (agencies.has(agency.id)) throw new ConfigError(`${file}: agency ${agency.id} is listed twice`);
    agencies.set(agency.id, describeAgency(agency));
    issuers.set(
      agency.id,
      agencyIssuers.map((i) => ({ ...i, publicKeyPath: path.resolve(configDir, i.publicKeyFile) })),
    );
    if (agency.webhook) {
      const field = `${file}: agencies.${i}.webhook.secretFile (${agency.id})`;
      webhooks.set(agency.id, { url: agency.webhook.url, secret: readWebhookSecret(path.resolve(configDir, agency.webhook.secretFile), field) });
    }
  }
  return { agencies, issuers, webhooks };
}

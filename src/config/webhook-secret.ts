import fs from 'node:fs';
import { ConfigError } from './env.js';

/** Shortest signing secret accepted, in bytes: as long as the HMAC-SHA256 output. */
export const MIN_WEBHOOK_SECRET_BYTES = 32;

/** Where an agency's webhook notices go, and the key that signs them. */
export interface WebhookTarget {
  url: string;
  secret: Buffer;
}

/**
 * Reads a webhook signing secret. The file holds either `whsec_<base64>` (the Standard
 * Webhooks form, which receivers' libraries accept as is) or the secret itself as text;
 * surrounding white space is ignored. `field` names the setting for the error.
 */
export function readWebhookSecret(file: string, field: string): Buffer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${field}: cannot read the webhook secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let secret: Buffer;
  if (text.startsWith('whsec_')) {
    const b64 = text.slice('whsec_'.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new ConfigError(`${field}: ${file} starts with whsec_ but the rest is not base64`);
    secret = Buffer.from(b64, 'base64');
  } else {
    secret = Buffer.from(text, 'utf8');
  }
  if (secret.length < MIN_WEBHOOK_SECRET_BYTES) {
    throw new ConfigError(`${field}: the webhook secret in ${file} is ${secret.length} bytes; at least ${MIN_WEBHOOK_SECRET_BYTES} are needed (e.g. whsec_ followed by \`openssl rand -base64 32\`)`);
  }
  return secret;
}

/**
 * Sealed payloads: a sensitive payload (narrative, abuse categories, case notes) stored in
 * the database as an AES-256-GCM envelope under the owning agency's data key. The
 * associated data binds the envelope to its owning agency, its record id and the key id,
 * so an envelope copied onto another record or claimed for another agency does not open,
 * and any change to the ciphertext, IV or tag is detected. Envelopes carry the key id, so
 * after a rotation the old key still opens what it sealed while the new one seals.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { DataKeyRing } from './keys.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const b64 = z.string().regex(/^[A-Za-z0-9_-]*$/, 'expected base64url');

export const EnvelopeSchema = z.object({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  /** Owning agency (data controller), e.g. 'la:383'. */
  agency: z.string().min(1),
  kid: z.string().min(1),
  iv: b64,
  tag: b64,
  ct: b64,
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** What an envelope belongs to; both must be given again to open it. */
export interface EnvelopeBinding {
  agency: string;
  recordId: string;
}

export type EnvelopeFailure = 'malformed' | 'wrong-owner' | 'unknown-key' | 'authentication-failed';

/**
 * An envelope that cannot be opened. The message names the record id, agency and key id
 * (never any of the payload), and `reason` says which check failed.
 */
export class EnvelopeError extends Error {
  readonly reason: EnvelopeFailure;
  constructor(reason: EnvelopeFailure, message: string) {
    super(message);
    this.name = 'EnvelopeError';
    this.reason = reason;
  }
}

/** Length-prefixed fields, so no choice of agency or record id can make two bindings encode alike. */
function associatedData(agency: string, recordId: string, kid: string): Buffer {
  const parts = ['sgw-envelope/v1', 'A256GCM', agency, recordId, kid].map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    at = out.writeUInt32BE(p.length, at);
    at += p.copy(out, at);
  }
  return out;
}

/** Seals a payload under the owning agency's active data key, bound to the record id. */
export function sealPayload(keys: DataKeyRing, binding: EnvelopeBinding, plaintext: Uint8Array | string): Envelope {
  const { kid, key } = keys.active(binding.agency);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(binding.agency, binding.recordId, kid));
  const ct = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return { v: 1, alg: 'A256GCM', agency: binding.agency, kid, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), ct: ct.toString('base64url') };
}

/**
 * Opens an envelope of the record `binding.recordId` owned by `binding.agency`, with the
 * data key the envelope names. Throws EnvelopeError when the envelope is not one, belongs
 * to another agency, names a key the ring lacks, or fails authentication (tampered, wrong
 * key, or sealed for another record).
 */
export function openPayload(keys: DataKeyRing, envelope: unknown, binding: EnvelopeBinding): Buffer {
  const where = `record ${binding.recordId} of ${binding.agency}`;
  const parsed = EnvelopeSchema.safeParse(envelope);
  if (!parsed.success) throw new EnvelopeError('malformed', `${where}: not a sealed payload (${parsed.error.issues.map((i) => `${i.path.join('.') || 'envelope'}: ${i.message}`).join('; ')})`);
  const e = parsed.data;
  if (e.agency !== binding.agency) throw new EnvelopeError('wrong-owner', `${where}: the payload is sealed for agency ${e.agency}, so only that agency's key opens it`);
  const key = keys.find(e.agency, e.kid);
  if (!key) throw new EnvelopeError('unknown-key', `${where}: no data key '${e.kid}' for agency ${e.agency} in this deployment's key ring`);
  const iv = Buffer.from(e.iv, 'base64url');
  const tag = Buffer.from(e.tag, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new EnvelopeError('malformed', `${where}: the IV must be ${IV_BYTES} bytes and the tag ${TAG_BYTES}`);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(e.agency, binding.recordId, e.kid));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(e.ct, 'base64url')), decipher.final()]);
  } catch {
    throw new EnvelopeError('authentication-failed', `${where}: the sealed payload failed authentication with key '${e.kid}' (altered, sealed for another record, or the key is not the one that sealed it)`);
  }
}

/** sealPayload for a JSON value. */
export function sealJson(keys: DataKeyRing, binding: EnvelopeBinding, value: unknown): Envelope {
  return sealPayload(keys, binding, JSON.stringify(value));
}

/** openPayload for a JSON value sealed with sealJson. */
export function openJson(keys: DataKeyRing, envelope: unknown, binding: EnvelopeBinding): unknown {
  return JSON.parse(openPayload(keys, envelope, binding).toString('utf8')) as unknown;
}

/** Whether the envelope was sealed with a key other than the agency's active one (so re-sealing it completes a rotation). */
export function needsReseal(keys: DataKeyRing, envelope: Envelope): boolean {
  return keys.active(envelope.agency).kid !== envelope.kid;
}

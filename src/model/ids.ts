import { createHash } from 'node:crypto';

/**
 * Deterministic record id: a hash of record type, source system and source identifiers,
 * so the same message sent twice updates the record instead of duplicating it.
 */
export function deterministicId(recordType: string, sourceSystem: string, ...sourceIds: string[]): string {
  const h = createHash('sha256');
  h.update([recordType, sourceSystem, ...sourceIds].join('\u001f'));
  return h.digest('base64url').slice(0, 32);
}

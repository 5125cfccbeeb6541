import { createHash } from 'node:crypto';
import type { AuditEntry } from '../model/audit-entry.js';

export const GENESIS_HASH = 'genesis';

/** JSON with object keys sorted at every level, so a value hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The hash of one chain link: covers the previous link's hash, this entry's position
 * and its content, so an edit, deletion, insertion or reordering breaks every later link.
 */
export function linkHash(prevHash: string, seq: number, entry: AuditEntry): string {
  return linkHashOfJson(prevHash, seq, canonicalJson(entry));
}

/** linkHash of an entry already in canonical JSON (appends compute it once for the chain and the tree). */
export function linkHashOfJson(prevHash: string, seq: number, canonical: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${canonical}`).digest('hex');
}

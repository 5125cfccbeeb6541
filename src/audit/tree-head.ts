/**
 * Signed tree heads: { treeSize, rootHash (lowercase hex SHA-256), timestamp (ISO 8601 UTC),
 * keyId } as the payload of a compact JWS, EdDSA over Ed25519, the key id also in the
 * protected header. A verifier trusts a set of public keys by key id, so heads signed
 * before a key rotation still verify with the retired key's public half.
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import type { AuditPublicKey, AuditSigningKey } from './signing-key.js';
import { TREE_HEAD_ALGORITHM } from './signing-key.js';

export const TREE_HEAD_TYPE = 'sgw-tree-head+jws';

export const TreeHeadSchema = z
  .object({
    treeSize: z.number().int().min(0),
    rootHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
    timestamp: z.iso.datetime(),
    keyId: z.string().min(1),
  })
  .strict();
export type TreeHead = z.infer<typeof TreeHeadSchema>;

/** A tree head with its compact JWS: what the heads file, the table and GET /audit/head carry. */
export interface SignedTreeHead extends TreeHead {
  jws: string;
}

/** Signs a tree head with the audit signing key. */
export async function signTreeHead(key: AuditSigningKey, head: Omit<TreeHead, 'keyId'>): Promise<SignedTreeHead> {
  const payload: TreeHead = { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId: key.kid };
  const jws = await new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8')).setProtectedHeader({ alg: TREE_HEAD_ALGORITHM, kid: key.kid, typ: TREE_HEAD_TYPE }).sign(key.privateKey);
  return { ...payload, jws };
}

export type HeadCheck = { ok: true; head: SignedTreeHead } | { ok: false; problem: string };

/**
 * Checks a signed tree head: a compact JWS, EdDSA, by a key among `keys` (by key id),
 * whose signature verifies and whose payload is a well-formed tree head naming that key.
 * Only the JWS counts: fields sent beside it are never trusted.
 */
export async function verifySignedTreeHead(jws: string, keys: readonly AuditPublicKey[]): Promise<HeadCheck> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, problem: 'it is not a compact JWS' };
  }
  if (header.alg !== TREE_HEAD_ALGORITHM) return { ok: false, problem: `it is signed with ${String(header.alg)}; tree heads are signed with ${TREE_HEAD_ALGORITHM} (Ed25519)` };
  if (typeof header.kid !== 'string') return { ok: false, problem: 'its protected header names no key id (kid)' };
  const kid = header.kid;
  const trusted: KeyObject | undefined = keys.find((k) => k.kid === kid)?.key;
  if (!trusted) {
    const known = keys.map((k) => k.kid).join(', ') || 'none';
    return { ok: false, problem: `it is signed by key ${kid}, which is not among the trusted public keys (${known}); pass that key with --public-key if it is one of yours` };
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, trusted, { algorithms: [TREE_HEAD_ALGORITHM] }));
  } catch {
    return { ok: false, problem: `its signature does not verify with key ${kid}: it was altered or signed by another key` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, problem: 'its signed payload is not JSON' };
  }
  const head = TreeHeadSchema.safeParse(parsed);
  if (!head.success) return { ok: false, problem: `its signed payload is not a tree head (${head.error.issues[0]?.path.join('.')}: ${head.error.issues[0]?.message})` };
  if (head.data.keyId !== kid) return { ok: false, problem: `its payload names key ${head.data.keyId} but its header names ${kid}` };
  return { ok: true, head: { ...head.data, jws } };
}

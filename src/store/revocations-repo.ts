import type { Queryable } from './db.js';

/** One revocation: a token by its `jti`, or every token of a user issued at or before a time. */
export type Revocation =
  | { agency: string; jti: string }
  | { agency: string; sub: string; issuedBefore: Date };

export interface RevocationRecord {
  revocation: Revocation;
  revokedAt: Date;
  /** Who revoked: `cli:<os user>` or the admin's agency and sub. */
  revokedBy: string;
  reason: string | null;
}

/** The same revocation as the NOTIFY payload of migration 0016 spells it. */
export interface RevocationNotice {
  agency: string;
  jti: string | null;
  sub: string | null;
  /** Epoch seconds (with fraction), for a user's revocation. */
  before: number | null;
}

/** Stores a revocation; its commit tells every gateway process on this database (NOTIFY, migration 0016). */
export async function insertRevocation(db: Queryable, r: RevocationRecord): Promise<number> {
  const rev = r.revocation;
  const [row] = await db.query<{ id: number }>(
    'INSERT INTO token_revocations (agency, jti, sub, issued_before, revoked_at, revoked_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    ['jti' in rev ? [rev.agency, rev.jti, null, null] : [rev.agency, null, rev.sub, rev.issuedBefore.toISOString()], r.revokedAt.toISOString(), r.revokedBy, r.reason].flat(),
  );
  return Number(row!.id);
}

/** Every revocation, in the notice's shape (loaded at start-up and after a gap in notices). */
export async function allRevocations(db: Queryable): Promise<RevocationNotice[]> {
  return db.query<RevocationNotice>("SELECT agency, jti, sub, extract(epoch FROM issued_before)::float8 AS before FROM token_revocations ORDER BY id");
}

/** The revocations that could apply to one token: read while the in-memory list may be stale. */
export async function revocationsFor(db: Queryable, agency: string, sub: string, jti: string | null): Promise<RevocationNotice[]> {
  return db.query<RevocationNotice>(
    'SELECT agency, jti, sub, extract(epoch FROM issued_before)::float8 AS before FROM token_revocations WHERE agency = $1 AND (sub = $2 OR jti = $3)',
    [agency, sub, jti],
  );
}

import type { Db } from '../store/db.js';
import type { RevocationNotice } from '../store/revocations-repo.js';
import { allRevocations, revocationsFor } from '../store/revocations-repo.js';

/** The NOTIFY channel migration 0016's trigger sends each new revocation to (per schema). */
export const REVOCATIONS_CHANNEL = 'sgw_revocations';

/** What a revocation is checked against: who the token speaks for, its id and when it was issued. */
export interface TokenIdentity {
  agency: string;
  sub: string;
  jti: string | null;
  /** Epoch seconds (the `iat` claim), or null when the token does not say. */
  iat: number | null;
}

const key = (agency: string, value: string) => `${agency}\u0000${value}`;

/**
 * The revoked tokens, held in memory so that checking one costs no database round trip
 * (the CP-IS query is the hot path): token ids revoked per agency, and for each revoked
 * user the time at or before which all of its tokens were issued.
 *
 * Coherence: revocations are only ever added. The list listens (LISTEN, migration 0016)
 * before it loads the table, so none committed in between is missed; a revocation written
 * by this process is in the list before its insert returns, one written by another process
 * on the same PostgreSQL as soon as its notice arrives (milliseconds). While notices may be
 * missed (the listening connection is lost) each check reads the database instead, and a
 * check that cannot read it fails (503): a token is never let through on a stale list.
 */
export class RevocationList {
  private readonly jtis = new Set<string>();
  private readonly users = new Map<string, number>();
  private db: Db | null = null;
  private coherent = false;
  /** Counts gaps, so a reload that overlapped one does not make the list coherent. */
  private gaps = 0;
  private stop: (() => Promise<void>) | null = null;

  /** Starts listening for revocations on this database, then loads those already stored. */
  async open(db: Db): Promise<void> {
    this.db = db;
    this.stop = await db.listen(REVOCATIONS_CHANNEL, {
      notice: (payload) => this.notice(payload),
      gap: () => {
        this.gaps++;
        this.coherent = false;
      },
      resumed: () => void this.reload().catch(() => undefined),
    });
    await this.reload();
  }

  /**
   * Null when the token is not revoked, else why it is. Synchronous while the list is
   * coherent (the usual case); reads the database while it may be stale.
   */
  check(t: TokenIdentity): string | null | Promise<string | null> {
    if (this.db && !this.coherent) return this.checkStored(this.db, t);
    return this.reason(t);
  }

  /** How many revocations are held (token ids, users). */
  size(): { jtis: number; users: number } {
    return { jtis: this.jtis.size, users: this.users.size };
  }

  async close(): Promise<void> {
    await this.stop?.().catch(() => undefined);
    this.stop = null;
  }

  private reason(t: TokenIdentity): string | null {
    if (t.jti !== null && this.jtis.has(key(t.agency, t.jti))) return 'the token has been revoked';
    const before = this.users.get(key(t.agency, t.sub));
    if (before !== undefined && (t.iat === null || t.iat <= before)) return "the user's tokens issued before their revocation are no longer accepted";
    return null;
  }

  private async checkStored(db: Db, t: TokenIdentity): Promise<string | null> {
    for (const r of await revocationsFor(db, t.agency, t.sub, t.jti)) this.add(r);
    return this.reason(t);
  }

  private async reload(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const gaps = this.gaps;
    for (const r of await allRevocations(db)) this.add(r);
    if (this.gaps === gaps) this.coherent = true;
  }

  private notice(payload: string): void {
    let r: RevocationNotice;
    try {
      r = JSON.parse(payload) as RevocationNotice;
    } catch {
      // A notice this version cannot read: read the table again rather than guess.
      this.coherent = false;
      void this.reload().catch(() => undefined);
      return;
    }
    this.add(r);
  }

  private add(r: RevocationNotice): void {
    if (typeof r.jti === 'string') this.jtis.add(key(r.agency, r.jti));
    if (typeof r.sub === 'string' && typeof r.before === 'number') {
      const k = key(r.agency, r.sub);
      this.users.set(k, Math.max(this.users.get(k) ?? -Infinity, r.before));
    }
  }
}

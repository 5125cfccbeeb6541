import type { Logger } from 'pino';
import type { Queryable } from '../store/db.js';
import { appendHeadLine } from './heads-file.js';
import { Frontier } from './merkle.js';
import type { AuditSigningKey } from './signing-key.js';
import type { SignedTreeHead } from './tree-head.js';
import { signTreeHead } from './tree-head.js';

interface HeadRow {
  tree_size: number;
  root_hash: string;
  signed_at: Date | string;
  key_id: string;
  jws: string;
}

/**
 * Signs tree heads and publishes them: each is appended to the heads file (outside the
 * database) and stored in audit_tree_head. A head is signed only when the tree has grown
 * since the last head signed with this key (so a new key signs at once), periodically while
 * the gateway runs and once more at shutdown. Calls are serialised within the process;
 * several processes sharing a database may each sign the same size, which is harmless.
 */
export class TreeHeadPublisher {
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    readonly key: AuditSigningKey,
    readonly headsFile: string,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  /** Signs and publishes a head if the tree grew since this key's last one; resolves with it, or null. */
  publishIfGrown(): Promise<SignedTreeHead | null> {
    const run = this.queue.then(() => this.publish());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The latest head signed with this gateway's key, or null before the first. */
  async latest(): Promise<SignedTreeHead | null> {
    const [row] = await this.db.query<HeadRow>('SELECT tree_size, root_hash, signed_at, key_id, jws FROM audit_tree_head WHERE key_id = $1 ORDER BY tree_size DESC LIMIT 1', [this.key.kid]);
    if (!row) return null;
    const timestamp = row.signed_at instanceof Date ? row.signed_at.toISOString() : new Date(row.signed_at).toISOString();
    return { treeSize: row.tree_size, rootHash: row.root_hash, timestamp, keyId: row.key_id, jws: row.jws };
  }

  /** Signs every `intervalSeconds` while the process runs (the timer does not keep it alive). */
  start(intervalSeconds: number): void {
    this.stopTimer();
    this.timer = setInterval(() => void this.publishLogged(), intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer and signs a last head for what was written since the previous one. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.publishLogged();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** publishIfGrown for the timer and shutdown: a failure is logged (without its message) and retried next time. */
  async publishLogged(): Promise<void> {
    try {
      await this.publishIfGrown();
    } catch (err) {
      const e = err as { name?: string; code?: string } | null;
      this.log.warn({ errName: e?.name, errCode: e?.code }, 'audit tree head could not be signed; will try again');
    }
  }

  private async publish(): Promise<SignedTreeHead | null> {
    const [head] = await this.db.query<{ tree_size: number; frontier: string[] }>('SELECT tree_size, frontier FROM audit_head WHERE id');
    if (!head || head.tree_size === 0) return null;
    const [last] = await this.db.query<{ tree_size: number }>('SELECT max(tree_size) AS tree_size FROM audit_tree_head WHERE key_id = $1', [this.key.kid]);
    if (last && last.tree_size !== null && last.tree_size >= head.tree_size) return null;
    const rootHash = Frontier.fromHex(head.tree_size, head.frontier).root().toString('hex');
    const signed = await signTreeHead(this.key, { treeSize: head.tree_size, rootHash, timestamp: this.now().toISOString() });
    // Published outside the database first: that copy is the one a verifier trusts.
    appendHeadLine(this.headsFile, signed);
    await this.db.query('INSERT INTO audit_tree_head (tree_size, key_id, root_hash, signed_at, jws) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [signed.treeSize, signed.keyId, signed.rootHash, signed.timestamp, signed.jws]);
    this.log.info({ treeSize: signed.treeSize, keyId: signed.keyId }, 'audit tree head signed');
    return signed;
  }
}

import type { AuditEntry, ChainedAuditEntry } from '../model/audit-entry.js';
import type { Db, Queryable } from '../store/db.js';
import { canonicalJson, linkHashOfJson } from './chain.js';
import type { TreeNode } from './merkle.js';
import { Frontier, isTableNode, leafHash } from './merkle.js';

interface HeadRow {
  seq: number;
  hash: string;
  tree_size: number;
  frontier: string[];
}

/** Where the chain and the tree stand after an append: what the next append continues from. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** The tree's right edge; its size equals seq. */
  frontier: Frontier;
}

export interface AppendResult {
  chained: ChainedAuditEntry[];
  head: AuditHead;
}

/** Entries read per step when the tree catches up with entries written without it. */
const CATCH_UP_PAGE = 1_000;

/**
 * Every audit write after the head is known: the entries, the tree nodes they complete and
 * the new head, in one call of sgw_audit_append_rows (migration 0018), guarded by the head it
 * continues from ($6–$8). If the head row no longer holds that (another writer appended),
 * nothing is written and 0 is returned. The rows travel as one JSON document put together
 * from the canonical JSON already hashed (so nothing is serialised twice) and the hex
 * hashes, which need no escaping; the function keeps its plans for the session.
 */
const WRITE_SQL = 'SELECT sgw_audit_append_rows($1::jsonb, $2::jsonb, $3::bigint, $4::text, $5::jsonb, $6::bigint, $7::text, $8::bigint) AS written';

const nodeRows = (nodes: TreeNode[]) => nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash.toString('hex') }));

/** Chains and hashes the entries after `head` (which is left unchanged), and writes them if the head row still holds `guard`. */
async function write(q: Queryable, head: AuditHead, guard: { seq: number; hash: string; treeSize: number }, entries: AuditEntry[]): Promise<AppendResult | null> {
  const frontier = head.frontier.clone();
  let { seq, hash } = head;
  const chained: ChainedAuditEntry[] = [];
  const rows: string[] = [];
  const nodes: TreeNode[] = [];
  for (const entry of entries) {
    seq += 1;
    const canonical = canonicalJson(entry);
    const next = linkHashOfJson(hash, seq, canonical);
    chained.push({ seq, entry, prevHash: hash, hash: next });
    const leaf = leafHash(canonical);
    rows.push(`{"e":${canonical},"p":"${hash}","h":"${next}","l":"${leaf.toString('hex')}"}`);
    for (const node of frontier.append(leaf)) if (isTableNode(node)) nodes.push(node);
    hash = next;
  }
  const [result] = await q.query<{ written: number }>(WRITE_SQL, [
    `[${rows.join(',')}]`,
    JSON.stringify(nodes.map((n) => [n.level, n.index, n.hash.toString('hex')])),
    seq,
    hash,
    JSON.stringify(frontier.toHex()),
    guard.seq,
    guard.hash,
    guard.treeSize,
  ]);
  return result?.written === 1 ? { chained, head: { seq, hash, frontier } } : null;
}

/**
 * Appends entries to the hash chain and the Merkle tree inside the caller's transaction.
 * The head row is locked first, so concurrent appenders (other connections or gateway
 * processes) queue behind one another and neither the chain nor the tree ever forks.
 */
export async function appendAuditEntries(tx: Queryable, entries: AuditEntry[]): Promise<ChainedAuditEntry[]> {
  if (entries.length === 0) return [];
  return (await appendLocked(tx, entries)).chained;
}

/** appendAuditEntries, also giving the head it leaves (for the group-commit writer's next batch). */
export async function appendLocked(tx: Queryable, entries: AuditEntry[]): Promise<AppendResult> {
  const row = await lockHead(tx);
  const frontier = row.tree_size === row.seq ? Frontier.fromHex(row.tree_size, row.frontier) : await catchUp(tx, row, Infinity);
  const done = await write(tx, { seq: row.seq, hash: row.hash, frontier }, { seq: row.seq, hash: row.hash, treeSize: row.tree_size }, entries);
  if (!done) throw new Error('the audit head row changed while locked');
  return done;
}

/**
 * Appends after a head this process wrote last, without a lock or a transaction: one
 * statement, atomic on its own, that writes nothing and returns null if the head has moved
 * since (another process, or a data transaction, appended); the caller then appends locked.
 * This is the group-commit writer's hot path: one round trip a batch instead of four.
 */
export async function appendAfter(db: Queryable, head: AuditHead, entries: AuditEntry[]): Promise<AppendResult | null> {
  return write(db, head, { seq: head.seq, hash: head.hash, treeSize: head.frontier.treeSize }, entries);
}

async function lockHead(tx: Queryable): Promise<HeadRow> {
  const [head] = await tx.query<HeadRow>('SELECT seq, hash, tree_size, frontier FROM audit_head WHERE id FOR UPDATE');
  if (!head) throw new Error('audit_head row is missing');
  return head;
}

/**
 * Adds to the tree up to `limit` entries of the chain it does not cover yet (entries
 * written before the tree existed, or by a gateway version without it), storing their
 * nodes. The caller holds the head lock and records the returned frontier on the head.
 */
async function catchUp(tx: Queryable, head: HeadRow, limit: number): Promise<Frontier> {
  const frontier = Frontier.fromHex(head.tree_size, head.frontier);
  const last = Math.min(head.seq, head.tree_size + limit);
  while (frontier.treeSize < last) {
    const from = frontier.treeSize + 1;
    const rows = await tx.query<{ seq: number; entry: unknown }>('SELECT seq, entry FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq', [from, Math.min(last, from + CATCH_UP_PAGE - 1)]);
    const nodes: TreeNode[] = [];
    const leaves: { seq: number; leaf: string }[] = [];
    for (const row of rows) {
      if (row.seq !== frontier.treeSize + 1) break;
      const leaf = leafHash(canonicalJson(row.entry));
      leaves.push({ seq: row.seq, leaf: leaf.toString('hex') });
      for (const node of frontier.append(leaf)) if (isTableNode(node)) nodes.push(node);
    }
    if (frontier.treeSize < from) throw new Error(`audit entry ${frontier.treeSize + 1} is missing; the Merkle tree cannot be built past it (run sgw audit verify)`);
    await tx.query('UPDATE audit_log l SET leaf_hash = r.leaf FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, leaf text) WHERE l.seq = r.seq', [JSON.stringify(leaves)]);
    await tx.query('INSERT INTO audit_merkle_node (level, idx, hash) SELECT n.level, n.idx, n.hash FROM jsonb_to_recordset($1::jsonb) AS n(level smallint, idx bigint, hash text)', [JSON.stringify(nodeRows(nodes))]);
  }
  return frontier;
}

/**
 * Brings the Merkle tree up to the chain's length at start-up, a page per transaction, so
 * the first request after an upgrade does not pay for it. Returns the entries added.
 */
export async function catchUpAuditTree(db: Db): Promise<number> {
  let added = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const head = await lockHead(tx);
      if (head.tree_size >= head.seq) return 0;
      const frontier = await catchUp(tx, head, CATCH_UP_PAGE);
      await tx.query('UPDATE audit_head SET tree_size = $1, frontier = $2 WHERE id', [frontier.treeSize, JSON.stringify(frontier.toHex())]);
      return frontier.treeSize - head.tree_size;
    });
    if (step === 0) return added;
    added += step;
  }
}

import type { AuditEntry, ChainedAuditEntry } from '../model/audit-entry.js';
import type { Db, Queryable } from '../store/db.js';
import { canonicalJson, linkHashOfJson } from './chain.js';
import type { TreeNode } from './merkle.js';
import { Frontier, leafHash } from './merkle.js';

interface HeadRow {
  seq: number;
  hash: string;
  tree_size: number;
  frontier: string[];
}

/** Entries read per step when the tree catches up with entries written without it. */
const CATCH_UP_PAGE = 1_000;

/** `($1, $2), ($3, $4), …` for `rows` rows of `cols` parameters, numbered from `offset + 1`. */
function placeholders(rows: number, cols: number, offset = 0): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${offset + r * cols + c + 1}`).join(', ')})`).join(', ');
}

function nodeParams(nodes: TreeNode[]): unknown[] {
  return nodes.flatMap((n) => [n.level, n.index, n.hash.toString('hex')]);
}

/**
 * Appends entries to the hash chain and the Merkle tree inside the caller's transaction.
 * The head row is locked first, so concurrent appenders (other connections or gateway
 * processes) queue behind one another and neither the chain nor the tree ever forks. The
 * writes after the lock are one statement: the entries, the tree nodes they complete, and
 * the new head with the tree's right edge.
 */
export async function appendAuditEntries(tx: Queryable, entries: AuditEntry[]): Promise<ChainedAuditEntry[]> {
  if (entries.length === 0) return [];
  const head = await lockHead(tx);
  const frontier = head.tree_size === head.seq ? Frontier.fromHex(head.tree_size, head.frontier) : await catchUp(tx, head, Infinity);
  let { seq, hash } = head;
  const chained: ChainedAuditEntry[] = [];
  const nodes: TreeNode[] = [];
  for (const entry of entries) {
    seq += 1;
    const json = canonicalJson(entry);
    const next = linkHashOfJson(hash, seq, json);
    chained.push({ seq, entry, prevHash: hash, hash: next });
    nodes.push(...frontier.append(leafHash(json)));
    hash = next;
  }
  const logParams = chained.flatMap((c) => [c.seq, c.entry.recordedAt, JSON.stringify(c.entry), c.prevHash, c.hash]);
  const treeOffset = logParams.length;
  const headOffset = treeOffset + nodes.length * 3;
  await tx.query(
    `WITH log AS (INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash) VALUES ${placeholders(chained.length, 5)}),
          tree AS (INSERT INTO audit_merkle_node (level, idx, hash) VALUES ${placeholders(nodes.length, 3, treeOffset)})
     UPDATE audit_head SET seq = $${headOffset + 1}, hash = $${headOffset + 2}, tree_size = $${headOffset + 3}, frontier = $${headOffset + 4} WHERE id`,
    [...logParams, ...nodeParams(nodes), seq, hash, frontier.treeSize, JSON.stringify(frontier.toHex())],
  );
  return chained;
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
    for (const row of rows) {
      if (row.seq !== frontier.treeSize + 1) throw new Error(`audit entry ${frontier.treeSize + 1} is missing; the Merkle tree cannot be built past it (run sgw audit verify)`);
      nodes.push(...frontier.append(leafHash(canonicalJson(row.entry))));
    }
    if (rows.length === 0) throw new Error(`audit entry ${from} is missing; the Merkle tree cannot be built past it (run sgw audit verify)`);
    await tx.query(`INSERT INTO audit_merkle_node (level, idx, hash) VALUES ${placeholders(nodes.length, 3)}`, nodeParams(nodes));
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

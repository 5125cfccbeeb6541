import { AuditEntrySchema } from '../model/audit-entry.js';
import type { Queryable } from '../store/db.js';
import { canonicalJson, GENESIS_HASH, linkHash } from './chain.js';
import type { TrustedHead } from './heads-file.js';
import type { LogRow } from './log-rows.js';
import { databaseRows, ExportLineError, exportFileRows } from './log-rows.js';
import type { TreeNode } from './merkle.js';
import { FIRST_STORED_LEVEL, Frontier, leafHash, nodeKeyId, storedNodeCount } from './merkle.js';
import type { AuditPublicKey } from './signing-key.js';
import type { SignedTreeHead } from './tree-head.js';
import { verifySignedTreeHead } from './tree-head.js';

export type VerifyResult =
  | { ok: true; entries: number; headHash: string; rootHash: string; headsChecked: number }
  /** firstBadSeq is null when the problem is not one entry's (a head whose root differs). */
  | { ok: false; entries: number; firstBadSeq: number | null; problem: string };

export interface VerifyOptions {
  /** Signed tree heads the verifier trusts (sgw audit verify --head). */
  heads?: TrustedHead[];
  /** Public keys tree heads may be signed with, by key id. */
  keys?: AuditPublicKey[];
}

interface Problem {
  firstBadSeq: number | null;
  problem: string;
}

interface CheckedHead {
  head: SignedTreeHead;
  source: string;
}

/** Leaves [x, y] (1-based entries) a node covers, for messages. */
function entriesOf(node: Pick<TreeNode, 'level' | 'index'>): [number, number] {
  const width = 2 ** node.level;
  return [node.index * width + 1, (node.index + 1) * width];
}

/**
 * Recomputes the chain and the tree from the rows, in order, checking each row's link and
 * (through `checkNodes`) each stored node the row completes; remembers the root at each
 * size a signed head names.
 */
class LogWalk {
  entries = 0;
  prevHash = GENESIS_HASH;
  readonly frontier = Frontier.empty();
  readonly roots = new Map<number, string>();

  constructor(private readonly sizes: ReadonlySet<number>) {}

  /** Adds one row; returns the first problem with it, or the tree nodes it completes. */
  add(row: LogRow): Problem | TreeNode[] {
    const expected = this.entries + 1;
    if (row.seq > expected) return { firstBadSeq: expected, problem: `entry ${expected} is missing (the next entry present is ${row.seq})` };
    if (row.seq < expected) return { firstBadSeq: row.seq, problem: `entry ${row.seq} appears again after entry ${expected - 1}: entries were duplicated or reordered` };
    const bad = (problem: string): Problem => ({ firstBadSeq: row.seq, problem });
    if (row.prevHash !== this.prevHash) return bad(`entry ${row.seq} does not follow entry ${row.seq - 1}: its previous-hash differs (an entry before it was removed, inserted or moved)`);
    const parsed = AuditEntrySchema.safeParse(row.entry);
    if (!parsed.success) return bad(`entry ${row.seq} is not a well-formed audit entry (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
    if (linkHash(row.prevHash, row.seq, parsed.data) !== row.hash) return bad(`entry ${row.seq} was altered: its content does not match its hash`);
    // The leaf hashes the entry as stored, whatever its fields: the tree does not depend on the schema.
    const nodes = this.frontier.append(leafHash(canonicalJson(row.entry)));
    this.prevHash = row.hash;
    this.entries = expected;
    if (this.sizes.has(expected)) this.roots.set(expected, this.frontier.root().toString('hex'));
    return nodes;
  }

  root(): string {
    return this.frontier.root().toString('hex');
  }
}

type NodeChecker = (first: number, end: number) => Promise<(node: TreeNode) => Problem | null>;

async function walk(pages: AsyncIterable<LogRow[]>, sizes: ReadonlySet<number>, checkNodes: NodeChecker | null): Promise<{ walk: LogWalk; problem: Problem | null }> {
  const w = new LogWalk(sizes);
  try {
    for await (const rows of pages) {
      const check = checkNodes ? await checkNodes(w.entries, w.entries + rows.length) : null;
      for (const row of rows) {
        const result = w.add(row);
        if (!Array.isArray(result)) return { walk: w, problem: result };
        for (const node of check ? result : []) {
          const problem = check!(node);
          if (problem) return { walk: w, problem };
        }
      }
    }
  } catch (err) {
    if (err instanceof ExportLineError) return { walk: w, problem: { firstBadSeq: w.entries + 1, problem: err.message } };
    throw err;
  }
  return { walk: w, problem: null };
}

/**
 * Checks the stored nodes that leaves [first, end) complete against the recomputed ones:
 * the leaves kept with the entries, and the node table's rows (levels from
 * FIRST_STORED_LEVEL up), fetched in two queries per page of rows. Levels in between are
 * not stored (proofs recompute them from the leaves), so there is nothing to check there.
 */
function storedNodeChecker(db: Queryable): NodeChecker {
  return async (first, end) => {
    const clauses: string[] = [];
    const params: number[] = [];
    for (let level = FIRST_STORED_LEVEL, width = 2 ** FIRST_STORED_LEVEL; width <= end; level++, width *= 2) {
      const lo = Math.ceil((first + 1) / width) - 1;
      const hi = Math.floor(end / width) - 1;
      if (hi < lo) continue;
      params.push(level, lo, hi);
      clauses.push(`(level = $${params.length - 2} AND idx BETWEEN $${params.length - 1} AND $${params.length})`);
    }
    const stored = new Map<string, string>();
    if (clauses.length > 0) {
      const rows = await db.query<{ level: number; idx: number; hash: string }>(`SELECT level, idx, hash FROM audit_merkle_node WHERE ${clauses.join(' OR ')}`, params);
      for (const r of rows) stored.set(nodeKeyId({ level: r.level, index: r.idx }), r.hash);
    }
    const leaves = await db.query<{ seq: number; leaf_hash: string | null }>('SELECT seq, leaf_hash FROM audit_log WHERE seq > $1 AND seq <= $2', [first, end]);
    for (const r of leaves) if (r.leaf_hash !== null) stored.set(nodeKeyId({ level: 0, index: Number(r.seq) - 1 }), r.leaf_hash);
    return (node) => {
      if (node.level > 0 && node.level < FIRST_STORED_LEVEL) return null;
      const [x, y] = entriesOf(node);
      const hash = stored.get(nodeKeyId(node));
      const where = node.level === 0 ? `entry ${x}'s leaf (level 0, index ${node.index})` : `the node for entries ${x}–${y} (level ${node.level}, index ${node.index})`;
      if (hash === undefined) return { firstBadSeq: x, problem: `the stored Merkle tree has no ${where}: it was deleted` };
      if (hash !== node.hash.toString('hex')) {
        return { firstBadSeq: x, problem: node.level === 0 ? `entry ${x} does not match its leaf in the stored Merkle tree (level 0, index ${node.index}): the entry or the tree was altered` : `the stored Merkle tree's ${where} does not match the entries below it: the tree was altered` };
      }
      return null;
    };
  };
}

/** Checks each head's signature against the trusted keys; the first bad one is the problem. */
async function checkSignatures(heads: readonly TrustedHead[], keys: readonly AuditPublicKey[]): Promise<CheckedHead[] | Problem> {
  const checked: CheckedHead[] = [];
  for (const { jws, source } of heads) {
    const r = await verifySignedTreeHead(jws, keys);
    if (!r.ok) return { firstBadSeq: null, problem: `the signed tree head in ${source} is not valid: ${r.problem}` };
    checked.push({ head: r.head, source });
  }
  return checked;
}

/**
 * Holds every signed head against the recomputed tree: the log must be at least as long
 * as each head (else it was cut), and the tree at the head's size must have its root (else
 * something at or before that size was changed, even if chain, tree and head row were all
 * rewritten to agree). The smallest head that fails is reported, with the largest head
 * below it that holds, which brackets the change.
 */
function checkHeads(heads: readonly CheckedHead[], w: LogWalk): Problem | null {
  const bySize = [...heads].sort((a, b) => a.head.treeSize - b.head.treeSize);
  let lastGood: CheckedHead | null = null;
  for (const h of bySize) {
    const { treeSize, rootHash, timestamp, keyId } = h.head;
    const named = `the signed head in ${h.source} (size ${treeSize}, signed ${timestamp} with key ${keyId})`;
    if (treeSize > w.entries) {
      return { firstBadSeq: w.entries + 1, problem: `the log holds ${w.entries} entries but ${named} covers ${treeSize}: entries were removed from the end` };
    }
    const root = treeSize === 0 ? Frontier.empty().root().toString('hex') : w.roots.get(treeSize)!;
    if (root !== rootHash) {
      const bracket = lastGood ? `; the first ${lastGood.head.treeSize} entries still match the head in ${lastGood.source}, so the change lies in entries ${lastGood.head.treeSize + 1}–${treeSize}` : '';
      return {
        firstBadSeq: null,
        problem: `the first ${treeSize} entries do not hash to the root of ${named}: entries up to ${treeSize} were altered, inserted, removed or reordered, and the chain rewritten to match${bracket}`,
      };
    }
    lastGood = h;
  }
  return null;
}

function failed(entries: number, p: Problem): VerifyResult {
  return { ok: false, entries, firstBadSeq: p.firstBadSeq, problem: p.problem };
}

/** The database's own copies of the signed heads (a database attacker can delete these; --head files are the ones to trust). */
async function storedHeads(db: Queryable): Promise<TrustedHead[]> {
  const rows = await db.query<{ jws: string; tree_size: number }>('SELECT jws, tree_size FROM audit_tree_head ORDER BY tree_size, key_id');
  return rows.map((r) => ({ jws: r.jws, source: `the database (audit_tree_head, size ${r.tree_size})` }));
}

/**
 * Verifies the live audit log: recomputes the hash chain and the Merkle tree from every
 * entry, checks every stored tree node and the head row against them, then checks each
 * signed head (those given and those stored) — signature by a trusted key, the log at least
 * as long as the head, and the tree at the head's size having the head's root. Reports
 * the first problem.
 */
export async function verifyAuditLog(db: Queryable, options: VerifyOptions = {}): Promise<VerifyResult> {
  const signed = await checkSignatures([...(options.heads ?? []), ...(await storedHeads(db))], options.keys ?? []);
  if (!Array.isArray(signed)) return failed(0, signed);
  const { walk: w, problem } = await walk(databaseRows(db), new Set(signed.map((h) => h.head.treeSize)), storedNodeChecker(db));
  if (problem) return failed(w.entries, problem);
  const rowProblem = await checkHeadRow(db, w);
  if (rowProblem) return failed(w.entries, rowProblem);
  const headProblem = checkHeads(signed, w);
  if (headProblem) return failed(w.entries, headProblem);
  return { ok: true, entries: w.entries, headHash: w.prevHash, rootHash: w.root(), headsChecked: signed.length };
}

/** The head row and the node table's size against the recomputed chain and tree. */
async function checkHeadRow(db: Queryable, w: LogWalk): Promise<Problem | null> {
  const next = w.entries + 1;
  const [head] = await db.query<{ seq: number; hash: string; tree_size: number; frontier: unknown }>('SELECT seq, hash, tree_size, frontier FROM audit_head WHERE id');
  if (!head) return { firstBadSeq: next, problem: 'the audit head row is missing' };
  if (head.seq !== w.entries || head.hash !== w.prevHash) {
    return { firstBadSeq: Math.min(next, head.seq), problem: `the log ends at entry ${w.entries} but the head records entry ${head.seq}: entries were removed from the end or the head was altered` };
  }
  if (head.tree_size !== w.entries) return { firstBadSeq: Math.min(next, head.tree_size + 1), problem: `the head records a Merkle tree of ${head.tree_size} entries but the log holds ${w.entries}: the head was altered` };
  if (JSON.stringify(head.frontier) !== JSON.stringify(w.frontier.toHex())) return { firstBadSeq: null, problem: "the head's record of the Merkle tree's right edge does not match the entries: the head was altered" };
  const [count] = await db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM audit_merkle_node');
  if ((count?.n ?? 0) !== storedNodeCount(w.entries)) {
    // Every node the entries need was found and matched, so these are nodes beyond the log.
    const [extra] = await db.query<{ level: number; idx: number }>('SELECT level, idx FROM audit_merkle_node WHERE (idx + 1) * power(2, level)::bigint > $1 ORDER BY level, idx LIMIT 1', [w.entries]);
    const [x, y] = extra ? entriesOf({ level: extra.level, index: extra.idx }) : [next, next];
    return { firstBadSeq: next, problem: `the stored Merkle tree has a node for entries ${x}–${y} (level ${extra?.level}, index ${extra?.idx}) but the log ends at entry ${w.entries}: entries were removed from the end` };
  }
  return null;
}

/**
 * Verifies an export (sgw audit export) offline: recomputes the chain and the tree from its
 * rows and checks each signed head given against them. There is no database, so no stored
 * node, head row or stored head is checked; a trusted head is what shows the export whole.
 */
export async function verifyAuditExport(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const signed = await checkSignatures(options.heads ?? [], options.keys ?? []);
  if (!Array.isArray(signed)) return failed(0, signed);
  const { walk: w, problem } = await walk(exportFileRows(file), new Set(signed.map((h) => h.head.treeSize)), null);
  if (problem) return failed(w.entries, problem);
  const headProblem = checkHeads(signed, w);
  if (headProblem) return failed(w.entries, headProblem);
  return { ok: true, entries: w.entries, headHash: w.prevHash, rootHash: w.root(), headsChecked: signed.length };
}

import { AuditEntrySchema } from '../model/audit-entry.js';
import type { Queryable } from '../store/db.js';
import { GENESIS_HASH, linkHash } from './chain.js';

export type VerifyResult =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; firstBadSeq: number; problem: string };

interface Row {
  seq: number;
  entry: unknown;
  prev_hash: string;
  hash: string;
}

const PAGE = 5_000;

/**
 * Walks the whole audit chain in sequence order and recomputes every link. Reports the
 * first entry that was altered, deleted, inserted or moved, and a tail truncated behind
 * the recorded head. (A head rewritten together with the tail needs the signed tree heads
 * that come with the Merkle log; see docs/audit.md.)
 */
export async function verifyAuditChain(db: Queryable): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await db.query<Row>('SELECT seq, entry, prev_hash, hash FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, PAGE]);
    for (const row of rows) {
      const bad = (problem: string): VerifyResult => ({ ok: false, entries: count, firstBadSeq: row.seq, problem });
      if (row.seq !== expectedSeq) return { ok: false, entries: count, firstBadSeq: expectedSeq, problem: `entry ${expectedSeq} is missing (the next entry present is ${row.seq})` };
      if (row.prev_hash !== prevHash) return bad(`entry ${row.seq} does not follow entry ${row.seq - 1}: its previous-hash differs (an entry before it was removed, inserted or moved)`);
      const parsed = AuditEntrySchema.safeParse(row.entry);
      if (!parsed.success) return bad(`entry ${row.seq} is not a well-formed audit entry (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
      if (linkHash(row.prev_hash, row.seq, parsed.data) !== row.hash) return bad(`entry ${row.seq} was altered: its content does not match its hash`);
      prevHash = row.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < PAGE) break;
  }
  const [head] = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id');
  if (!head) return { ok: false, entries: count, firstBadSeq: expectedSeq, problem: 'the audit head row is missing' };
  if (head.seq !== count || head.hash !== prevHash) {
    return { ok: false, entries: count, firstBadSeq: Math.min(expectedSeq, head.seq), problem: `the log ends at entry ${count} but the head records entry ${head.seq}: entries were removed from the end or the head was altered` };
  }
  return { ok: true, entries: count, headHash: prevHash };
}

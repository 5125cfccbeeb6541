/**
 * The audit log's rows in sequence order, from the database or from an export file (one
 * JSON object a line: seq, recordedAt, entry, prevHash, hash), in pages, for verification
 * and for `sgw audit export`.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Queryable } from '../store/db.js';

export interface LogRow {
  seq: number;
  recordedAt: string;
  entry: unknown;
  prevHash: string;
  hash: string;
}

/** A line of an export file that is not an audit row: where, and what is wrong with it. */
export class ExportLineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExportLineError';
  }
}

const PAGE = 5_000;

/** The rows of the audit log in sequence order, a page at a time. */
export async function* databaseRows(db: Queryable, page = PAGE): AsyncGenerator<LogRow[]> {
  let after = 0;
  for (;;) {
    const rows = await db.query<{ seq: number; recorded_at: Date | string; entry: unknown; prev_hash: string; hash: string }>(
      'SELECT seq, recorded_at, entry, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
      [after, page],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({ seq: r.seq, recordedAt: new Date(r.recorded_at).toISOString(), entry: r.entry, prevHash: r.prev_hash, hash: r.hash }));
    after = rows[rows.length - 1]!.seq;
    if (rows.length < page) return;
  }
}

function rowOf(text: string, line: number): LogRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportLineError(line, `line ${line} of the export is not JSON`);
  }
  const r = value as Partial<LogRow> | null;
  if (!r || typeof r !== 'object' || !Number.isSafeInteger(r.seq) || typeof r.prevHash !== 'string' || typeof r.hash !== 'string' || typeof r.recordedAt !== 'string' || !('entry' in r)) {
    throw new ExportLineError(line, `line ${line} of the export is not an audit row (expected seq, recordedAt, entry, prevHash and hash)`);
  }
  return { seq: r.seq!, recordedAt: r.recordedAt, entry: r.entry, prevHash: r.prevHash, hash: r.hash };
}

/** The rows of an export file, in file order, a page at a time; a malformed line throws ExportLineError. */
export async function* exportFileRows(file: string, page = PAGE): AsyncGenerator<LogRow[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let batch: LogRow[] = [];
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === '') continue;
    batch.push(rowOf(text, n));
    if (batch.length >= page) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Writes the log's rows to `file` as JSON lines; returns how many. */
export async function exportAuditLog(db: Queryable, file: string): Promise<number> {
  const fd = fs.openSync(file, 'w', 0o600);
  let count = 0;
  try {
    for await (const rows of databaseRows(db)) {
      fs.writeSync(fd, rows.map((r) => `${JSON.stringify({ seq: r.seq, recordedAt: r.recordedAt, entry: r.entry, prevHash: r.prevHash, hash: r.hash })}\n`).join(''));
      count += rows.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

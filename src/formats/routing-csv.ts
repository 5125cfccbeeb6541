/**
 * Streams a routing CSV file (the ONS Postcode Directory, the simple `postcode,la` form,
 * or the ONS → DfE LA code list) row by row, so a 2.7-million-row file is never held in
 * memory. Knows syntax only: the header row, cells per row and the line each row is on.
 * readCsv (csv.ts) buffers the whole body, which suits uploads, not this.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';

/** One data row: the file line it ends on (1-based) and its cells by lower-case column name. */
export interface RoutingCsvRow {
  line: number;
  values: Record<string, string>;
}

/** A problem with the file's syntax, at a line. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** The file's header row and an iterator over its data rows. */
export interface RoutingCsv {
  /** Column names as written, and lower-cased for lookup. */
  columns: string[];
  headerLine: number;
  rows: AsyncIterable<RoutingCsvRow>;
  /** Stops reading (the file is closed). */
  close(): void;
}

/**
 * Opens `file` and reads its header row (column names compared in lower case, since the
 * ONSPD has shipped both `pcds` and `PCDS`). Each data row must have one cell per header
 * column; a row that does not, or broken quoting, throws CsvSyntaxError naming the line.
 * `onBytes` sees the raw bytes as they are read (to hash the file in the same pass).
 */
export async function openRoutingCsv(file: string, onBytes?: (chunk: Buffer) => void): Promise<RoutingCsv> {
  const stream = fs.createReadStream(file);
  if (onBytes) stream.on('data', (chunk) => onBytes(chunk as Buffer));
  const parser = stream.pipe(
    parse({ bom: true, delimiter: ',', quote: '"', escape: '"', trim: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 64 * 1024 }),
  );
  const close = () => {
    parser.destroy();
    stream.destroy();
  };
  const iterator = (parser as AsyncIterable<ParsedRecord>)[Symbol.asyncIterator]();
  const next = async (): Promise<ParsedRecord | undefined> => {
    try {
      const r = await iterator.next();
      return r.done ? undefined : r.value;
    } catch (err) {
      close();
      const line = err && typeof err === 'object' && 'lines' in err && typeof err.lines === 'number' ? err.lines : undefined;
      const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : 'unreadable';
      throw new CsvSyntaxError(`the CSV is not well formed: ${reason}`, line);
    }
  };
  const header = await next();
  if (!header) {
    close();
    throw new CsvSyntaxError('the file is empty; expected a header row', 1);
  }
  const columns = header.record.map((c) => c.toLowerCase());
  async function* rows(): AsyncGenerator<RoutingCsvRow> {
    try {
      for (let r = await next(); r; r = await next()) {
        if (r.record.length !== columns.length) {
          throw new CsvSyntaxError(`the row has ${r.record.length} cells; expected ${columns.length}, one per header column`, r.info.lines);
        }
        const values: Record<string, string> = Object.create(null) as Record<string, string>;
        columns.forEach((c, i) => (values[c] = r.record[i] ?? ''));
        yield { line: r.info.lines, values };
      }
    } finally {
      close();
    }
  }
  return { columns, headerLine: header.info.lines, rows: rows(), close };
}

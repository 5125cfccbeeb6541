import { Buffer } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { WireFormat } from './types.js';
import { decodeUtf8, malformed } from './types.js';

/** One data row: the file line it starts on (1-based) and its cells by column name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** A CSV file read against its header row. */
export interface CsvTable {
  /** The header row's column names, in file order. */
  columns: string[];
  rows: CsvRow[];
}

export interface ReadCsvOptions {
  /** The most data rows accepted (header not counted); more is an error. Default 100 000. */
  maxRows?: number;
  /**
   * Judges the header row (its column names and its line) before any data row is: when
   * it returns issues they are thrown at once, so a wrong header is reported as such
   * rather than as every row being the wrong length.
   */
  checkHeader?: (columns: string[], line: number) => GatewayIssue[];
}

const DEFAULT_MAX_ROWS = 100_000;
/** One record larger than this is refused rather than buffered (csv-parse `max_record_size`). */
const MAX_RECORD_CHARS = 128 * 1024;

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Works out which file line each record starts on. csv-parse reports where a record
 * ends (as a byte offset); the record starts at the first non-blank byte after the end
 * of the one before, because blank lines between records are skipped. Counting the line
 * breaks ourselves keeps the numbers right for CRLF files and for quoted cells that hold
 * line breaks. CRLF, LF and a lone CR each count as one line break.
 */
class LineCounter {
  private pos = 0;
  private line = 1;

  constructor(private readonly buf: Buffer) {}

  /** Moves to `end`, counting line breaks on the way. */
  advanceTo(end: number): void {
    const { buf } = this;
    while (this.pos < end && this.pos < buf.length) {
      const b = buf[this.pos];
      if (b === LF || (b === CR && buf[this.pos + 1] !== LF)) this.line++;
      this.pos++;
    }
  }

  /** Skips blank space (including empty lines) and returns the line of the next byte. */
  skipBlank(): number {
    const { buf } = this;
    while (this.pos < buf.length) {
      const b = buf[this.pos];
      if (b !== SPACE && b !== TAB && b !== CR && b !== LF) break;
      this.advanceTo(this.pos + 1);
    }
    return this.line;
  }
}

function csvErrorLine(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'lines' in err && typeof err.lines === 'number') return err.lines;
  return undefined;
}

/**
 * Reads an RFC 4180 CSV file with csv-parse: the body must be UTF-8 (a byte order mark
 * is dropped), the first non-blank line is the header row, cells may be quoted (commas,
 * quotes and line breaks inside quotes are data), blank lines are skipped, and space
 * around an unquoted cell is dropped while nothing inside quotes is touched. Cells are
 * returned as text exactly as sent: nothing is evaluated, so `=CMD()` stays `=CMD()`.
 *
 * Throws GW_ERR_MALFORMED_BODY for an empty body, a bad header (blank or repeated
 * column names, or what `checkHeader` refuses), broken quoting, rows whose cell count
 * differs from the header's (every such row is named by its line), or more rows than
 * `maxRows`.
 */
export function readCsv(format: WireFormat, bytes: Uint8Array | string, options: ReadCsvOptions = {}): CsvTable {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const text = decodeUtf8(format, bytes);
  if (text.trim() === '') throw malformed(format, 'the body is empty; expected a CSV file whose first line is a header row');
  const buf = Buffer.from(text, 'utf8');

  let records: ParsedRecord[];
  try {
    records = parse(buf, {
      bom: true,
      delimiter: ',',
      quote: '"',
      escape: '"',
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: false,
      info: true,
      max_record_size: MAX_RECORD_CHARS,
      // header + maxRows + 1 records is enough to know there are too many
      to: maxRows + 2,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    const line = csvErrorLine(err);
    const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : 'unreadable';
    throw malformed(format, `the CSV is not well formed: ${reason}`, line === undefined ? undefined : `line ${line}`);
  }

  const counter = new LineCounter(buf);
  const located = records.map((r) => {
    const line = counter.skipBlank();
    counter.advanceTo(r.info.bytes);
    return { line, cells: r.record };
  });

  const header = located.shift();
  if (!header) throw malformed(format, 'the body holds no header row; expected a CSV file whose first line is a header row');

  const issues: GatewayIssue[] = [];
  const seen = new Set<string>();
  header.cells.forEach((name, i) => {
    if (name === '') {
      issues.push({ severity: 'error', code: 'structure', expression: [`line ${header.line}`], diagnostics: `header column ${i + 1} has no name; expected a column name` });
    } else if (seen.has(name)) {
      issues.push({ severity: 'error', code: 'structure', expression: [`line ${header.line}`], diagnostics: `header column ${i + 1} repeats the column name ${JSON.stringify(name)}; expected each column once` });
    }
    seen.add(name);
  });
  if (issues.length > 0) throw malformed(format, issues);
  const headerProblems = options.checkHeader?.(header.cells, header.line) ?? [];
  if (headerProblems.length > 0) throw malformed(format, headerProblems);

  if (located.length > maxRows) {
    throw malformed(format, `the file has more than ${maxRows} data rows; send at most ${maxRows} rows per file`, `line ${located[maxRows]?.line ?? header.line}`);
  }

  const columns = header.cells;
  const rows: CsvRow[] = [];
  for (const { line, cells } of located) {
    if (cells.length !== columns.length) {
      issues.push({
        severity: 'error',
        code: 'structure',
        expression: [`line ${line}`],
        diagnostics: `the row has ${cells.length} cell${cells.length === 1 ? '' : 's'}; expected ${columns.length}, one per header column`,
      });
      continue;
    }
    // fromEntries defines own properties, so a column called __proto__ stays plain data
    rows.push({ line, values: Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])) });
  }
  if (issues.length > 0) throw malformed(format, issues);
  return { columns, rows };
}

/**
 * One CSV cell to write: quoted when it holds a comma, quote or line break (RFC 4180), and a
 * text cell starting with = + - @ (or tab/CR) prefixed with ' so a spreadsheet opening the
 * file shows it rather than running it as a formula. Numbers are the writer's own and are
 * left as they are.
 */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

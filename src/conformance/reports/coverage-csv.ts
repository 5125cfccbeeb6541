/**
 * Requirements coverage as CSV, for the spreadsheet a test manager keeps: one row per
 * requirement of every pack with the tests that cover it and their combined outcome.
 */
import { csvCell } from '../../formats/csv.js';
import type { RunResult } from '../result.js';

export const COVERAGE_COLUMNS = ['pack', 'requirement', 'text', 'source', 'tests', 'outcome'] as const;

/**
 * `pack,requirement,text,source,tests,outcome`, covering tests joined by a space. Cells are
 * quoted as RFC 4180 says (lines end CRLF), and a cell starting with = + - @ tab or CR gets a
 * leading ' so a spreadsheet shows it instead of running it as a formula.
 */
export function coverageCsv(run: RunResult): string {
  const rows = [COVERAGE_COLUMNS.join(',')];
  for (const p of run.packs) {
    for (const r of p.requirements) rows.push([p.id, r.id, r.text, r.source, r.tests.join(' '), r.outcome].map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * The report writers of the conformance kit, and `writeReports` to write the ones a run asked
 * for. Each format is a pure function of the RunResult; only writeReports touches the disk.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunResult } from '../result.js';
import { coverageCsv } from './coverage-csv.js';
import { htmlReport } from './html.js';
import { jsonReport } from './json.js';
import { junitXml } from './junit.js';
import { fhirTestReports } from './test-report.js';

export { consoleSummary } from './console.js';
export type { ConsoleOptions } from './console.js';
export { coverageCsv, fhirTestReports, htmlReport, jsonReport, junitXml };

/** Files to write, by format; a format left out is not written. */
export interface ReportTargets {
  json?: string;
  junit?: string;
  html?: string;
  /** The FHIR TestReport Bundle (JSON). */
  testreport?: string;
  /** The requirements coverage CSV. */
  coverage?: string;
}

const WRITERS: Record<keyof ReportTargets, (run: RunResult) => string> = {
  json: jsonReport,
  junit: junitXml,
  html: htmlReport,
  testreport: (run) => `${JSON.stringify(fhirTestReports(run), null, 2)}\n`,
  coverage: coverageCsv,
};

/** Writes each requested report (UTF-8, parent folders created) and returns the paths written, in the order given. */
export async function writeReports(run: RunResult, targets: ReportTargets): Promise<string[]> {
  const written: string[] = [];
  for (const [format, file] of Object.entries(targets) as [keyof ReportTargets, string | undefined][]) {
    if (!file) continue;
    // targets may come from untyped input (a CLI, a config file): say which key is wrong
    if (!Object.hasOwn(WRITERS, format)) throw new Error(`unknown report format ${JSON.stringify(format)}; expected one of ${Object.keys(WRITERS).join(', ')}`);
    const content = WRITERS[format](run);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content, 'utf8');
    written.push(file);
  }
  return written;
}

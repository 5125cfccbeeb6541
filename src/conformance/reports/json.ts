import type { RunResult } from '../result.js';

/** The run as it is, as indented JSON: the input for any report not written here. */
export function jsonReport(run: RunResult): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

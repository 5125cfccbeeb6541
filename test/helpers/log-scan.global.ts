import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { describeFindings, scanLines } from './personal-data-scan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where every gateway a test starts (test/helpers/test-gateway.ts) appends its log lines. */
    gatewayLogFile: string;
  }
}

/**
 * Collects the log lines of every in-process gateway of the test run in one file, and
 * scans it when the run ends: a line with an NHS number, or a fixture's name or date of
 * birth, fails the run and is named. (Gateways run as child processes log to their own output.)
 */
export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-test-logs-'));
  const file = path.join(dir, `${project.name}.jsonl`);
  fs.writeFileSync(file, '');
  project.provide('gatewayLogFile', file);
  return () => {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const findings = scanLines(lines);
    if (findings.length > 0) {
      // vitest reports an error thrown here but still exits 0, so the exit code is set as well.
      process.exitCode = 1;
      throw new Error(`personal data in the gateway logs of this test run (${file}, ${lines.length} lines; kept for inspection):\n${describeFindings(findings.slice(0, 20))}`);
    }
    process.stdout.write(`log scan (${project.name}): ${lines.length} gateway log lines of this run, no NHS number, name or date of birth\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

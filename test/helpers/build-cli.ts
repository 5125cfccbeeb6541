// vitest globalSetup: compiles src/ once per run (esbuild, no type check: `tsc --noEmit` is a
// step of its own) so that tests which run `sgw` as a process start plain JavaScript, as
// `node bin/sgw.js` does, instead of loading every module through tsx's loader again in each
// process (about 3 s a start on a loaded machine, and the CLI tests start some sixty).
// Built from the current source each run, so a test never runs stale code, into a folder
// of the package root's own (src/paths.ts finds the package root one level up) that is
// removed afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { PACKAGE_ROOT } from '../../src/paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled `sgw` entry point (see test/helpers/sgw-process.ts). */
    sgwEntry: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const out = path.join(PACKAGE_ROOT, `.test-build-${process.pid}-${project.name}`);
  fs.rmSync(out, { recursive: true, force: true });
  const src = path.join(PACKAGE_ROOT, 'src');
  const entryPoints = fs
    .readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(src, f));
  await build({ entryPoints, outdir: out, outbase: src, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  const entry = path.join(out, 'sgw-entry.js');
  // What test/helpers/sgw-entry.ts does, for the compiled CLI.
  fs.writeFileSync(
    entry,
    "import { main } from './cli/sgw.js';\nmain(process.argv).catch((err) => {\n  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\\n`);\n  process.exit(1);\n});\n",
  );
  project.provide('sgwEntry', entry);
  return () => fs.rmSync(out, { recursive: true, force: true });
}

#!/usr/bin/env node
// Entry point of the `sgw` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/sgw.js';

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

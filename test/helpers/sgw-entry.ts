// Runs the sgw CLI from source (tests spawn this rather than bin/sgw.js, which needs a build).
import { main } from '../../src/cli/sgw.js';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import { fileURLToPath } from 'node:url';

/**
 * The package root. This file sits one level below it both as source (`src/paths.ts`)
 * and compiled (`dist/paths.js`), so shipped files (config/, migrations) resolve the same
 * way under vitest and under `node bin/sgw.js`.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

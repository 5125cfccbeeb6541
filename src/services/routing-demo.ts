import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadLaCodes } from '../config/la-codes.js';
import type { Db } from '../store/db.js';
import { hasRealRoutes, loadedDemoHash } from '../store/routing-repo.js';
import { loadRoutingFile } from './routing-load.js';

/** The demo routing file under the config directory. */
export function demoRoutingFile(configDir: string): string {
  return path.join(configDir, 'routing', 'postcodes.csv');
}

/**
 * Loads the demo routing file (`routing/postcodes.csv` in the config directory) at
 * start-up so `npm start` routes the demo, but only while the table holds no rows from a
 * real load (`sgw routing load`), and only when the file differs from the demo rows
 * already held, so a normal start costs two small queries. Returns the routes loaded.
 */
export async function ensureDemoRoutes(db: Db, configDir: string, log: Logger, now?: () => Date): Promise<number> {
  const file = demoRoutingFile(configDir);
  if (!fs.existsSync(file) || (await hasRealRoutes(db))) return 0;
  const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if ((await loadedDemoHash(db)) === hash) return 0;
  const summary = await loadRoutingFile(db, file, await loadLaCodes(configDir), { demo: true, ...(now ? { now } : {}) });
  log.info({ event: 'routing-demo-loaded', routes: summary.loaded, loadId: summary.loadId }, 'demo postcode routing loaded');
  return summary.loaded;
}

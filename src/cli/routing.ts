import type { Config } from '../config/env.js';
import { loadAgencies } from '../config/agencies.js';
import { loadLaCodes } from '../config/la-codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { RoutingLoadSummary } from '../services/routing-load.js';
import { loadRoutingFile } from '../services/routing-load.js';
import { openDatabase } from '../store/open-db.js';
import { routeForPostcode } from '../store/routing-repo.js';

export interface RoutingLoadCliOptions {
  replace?: boolean | undefined;
  json?: boolean | undefined;
}

/** The load summary as a short table for people. */
export function routingSummaryText(s: RoutingLoadSummary, notConfigured: string[]): string {
  const unknown = Object.entries(s.unknownCodes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ×${n}`);
  const lines = [
    `loaded ${s.file} (${s.form === 'onspd' ? 'ONS Postcode Directory' : 'postcode,la'}) in ${s.seconds} s`,
    `  rows read                 ${s.rowsRead}`,
    `  routes loaded             ${s.loaded}`,
    `  skipped, terminated       ${s.skippedTerminated}`,
    `  skipped, outside England  ${s.skippedOutsideEngland}`,
    `  skipped, unknown ONS code ${s.skippedUnknownCode}${unknown.length > 0 ? ` (${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? `, and ${unknown.length - 10} more` : ''}; add them to config/routing/la-codes.csv)` : ''}`,
    `  earlier rows removed      ${s.removedEarlier}`,
  ];
  if (s.ignoredColumns.length > 0) lines.push(`  columns not read          ${s.ignoredColumns.join(', ')}`);
  if (notConfigured.length > 0) lines.push(`  note: ${notConfigured.length} routed LA${notConfigured.length === 1 ? ' is not a configured agency' : 's are not configured agencies'} (${notConfigured.slice(0, 8).join(', ')}${notConfigured.length > 8 ? ', …' : ''}); notifications routed to them need an entry in agencies.yaml`);
  return lines.join('\n');
}

/**
 * `sgw routing load FILE [--replace]`: loads a routing file into the configured database
 * and prints what it did. A bad file changes nothing: the problems are printed naming the
 * file, line and column, and the exit code is 1.
 */
export async function runRoutingLoad(config: Config, file: string, opts: RoutingLoadCliOptions): Promise<number> {
  const laCodes = await loadLaCodes(config.configDir);
  const agencies = loadAgencies(config.configDir).agencies;
  const db = await openDatabase(config);
  try {
    const summary = await loadRoutingFile(db, file, laCodes, { replace: opts.replace === true });
    const routed = await db.query<{ la_number: string }>('SELECT DISTINCT la_number FROM postcode_routes WHERE load_id = $1 ORDER BY la_number', [summary.loadId]);
    const notConfigured = routed.map((r) => `la:${r.la_number}`).filter((id) => !agencies.has(id));
    console.log(opts.json ? JSON.stringify({ ...summary, notConfigured }, null, 2) : routingSummaryText(summary, notConfigured));
    return 0;
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'GW_ERR_ROUTING_FILE_INVALID') throw err;
    console.error(`sgw routing load: ${file}: nothing was loaded`);
    for (const issue of err.issues) console.error(`  ${file}${issue.expression?.length ? ` ${issue.expression.join(', ')}` : ''}: ${issue.diagnostics}`);
    return 1;
  } finally {
    await db.close();
  }
}

/** `sgw routing lookup POSTCODE`: the LA a postcode routes to, by which row, from which file. Exit 1 when none. */
export async function runRoutingLookup(config: Config, postcode: string): Promise<number> {
  const db = await openDatabase(config);
  try {
    const route = await routeForPostcode(db, postcode);
    if (!route) {
      console.log(`${postcode}: no route (not in the routing table at postcode, sector or district level)`);
      return 1;
    }
    console.log(`${postcode} → la:${route.laNumber} by ${route.granularity} ${route.key}, from ${route.fileName}${route.demo ? ' (demo)' : ''} loaded ${route.loadedAt}`);
    return 0;
  } finally {
    await db.close();
  }
}

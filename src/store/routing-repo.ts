import type { RouteGranularity, RouteKey } from '../model/postcode-route.js';
import { lookupKeys } from '../model/postcode-route.js';
import type { Queryable } from './db.js';

/** One routing row to write. */
export interface RouteRow extends RouteKey {
  /** DfE LA number, e.g. '383'. */
  laNumber: string;
}

/** A routing row as found, with where it came from. */
export interface FoundRoute {
  key: string;
  granularity: RouteGranularity;
  laNumber: string;
  fileName: string;
  loadedAt: string;
  demo: boolean;
}

/** What a load was: file, form, demo or not. */
export interface LoadRecord {
  fileName: string;
  form: 'onspd' | 'simple';
  demo: boolean;
  loadedAt: string;
}

/**
 * The routing row that covers a postcode, with the file and load it came from: the full
 * postcode's row, else its sector's, else its district's. Null when none does.
 */
export async function routeForPostcode(q: Queryable, postcode: string): Promise<FoundRoute | null> {
  const keys = lookupKeys(postcode);
  if (keys.length === 0) return null;
  const [row] = await q.query<{ key: string; granularity: RouteGranularity; la_number: string; file_name: string; loaded_at: Date | string; demo: boolean }>(
    `SELECT r.key, r.granularity, r.la_number, l.file_name, l.loaded_at, l.demo
       FROM postcode_routes r JOIN routing_loads l ON l.id = r.load_id
      WHERE r.key = ANY($1::text[])
      ORDER BY length(r.key) DESC LIMIT 1`,
    [keys],
  );
  if (!row) return null;
  return { key: row.key, granularity: row.granularity, laNumber: row.la_number, fileName: row.file_name, loadedAt: new Date(row.loaded_at).toISOString(), demo: row.demo };
}

/**
 * The local authority responsible for children living at a postcode, from the routing
 * table loaded by `sgw routing load` (or the demo file at start-up): an agency id such as
 * `la:383`, found by the full postcode, else its sector, else its district. Null when
 * the postcode is not covered.
 */
export async function laForPostcode(q: Queryable, postcode: string): Promise<string | null> {
  const route = await routeForPostcode(q, postcode);
  return route ? `la:${route.laNumber}` : null;
}

/** Records the start of a load and returns its id; the rows written refer to it. */
export async function startLoad(q: Queryable, load: LoadRecord): Promise<number> {
  const [row] = await q.query<{ id: number }>(
    "INSERT INTO routing_loads (file_name, form, demo, content_hash, loaded_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
    [load.fileName, load.form, load.demo, load.loadedAt],
  );
  if (!row) throw new Error('routing_loads insert returned no id');
  return Number(row.id);
}

/** Keeps the file's hash and the load's summary beside it, for operators. */
export async function finishLoad(q: Queryable, loadId: number, contentHash: string, summary: object): Promise<void> {
  await q.query('UPDATE routing_loads SET content_hash = $2, summary = $3 WHERE id = $1', [loadId, contentHash, JSON.stringify(summary)]);
}

/** Removes routing rows: every row (`all`), or only those of demo loads. Returns how many. */
export async function clearRoutes(q: Queryable, which: 'all' | 'demo'): Promise<number> {
  const rows = await q.query<{ n: number }>(
    which === 'all'
      ? 'WITH d AS (DELETE FROM postcode_routes RETURNING 1) SELECT count(*)::int AS n FROM d'
      : 'WITH d AS (DELETE FROM postcode_routes WHERE load_id IN (SELECT id FROM routing_loads WHERE demo) RETURNING 1) SELECT count(*)::int AS n FROM d',
  );
  return rows[0]?.n ?? 0;
}

/**
 * Writes one batch of rows for a load. A key already routed by an earlier load takes this
 * load's LA; a key this load already wrote is left alone and not returned, so the caller
 * can tell a file that names a postcode twice. Returns the keys written.
 */
export async function insertRoutes(q: Queryable, loadId: number, rows: readonly RouteRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const written = await q.query<{ key: string }>(
    `INSERT INTO postcode_routes (key, granularity, la_number, load_id)
     SELECT k, g, l, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, g, l)
     ON CONFLICT (key) DO UPDATE SET granularity = EXCLUDED.granularity, la_number = EXCLUDED.la_number, load_id = EXCLUDED.load_id
       WHERE postcode_routes.load_id <> EXCLUDED.load_id
     RETURNING key`,
    [rows.map((r) => r.key), rows.map((r) => r.granularity), rows.map((r) => r.laNumber), loadId],
  );
  return new Set(written.map((r) => r.key));
}

/** True when the table holds rows from a real (not demo) load. */
export async function hasRealRoutes(q: Queryable): Promise<boolean> {
  const [row] = await q.query<{ real: boolean }>(
    // per load, through postcode_routes_load: cheap however many rows the ONSPD brought
    'SELECT EXISTS (SELECT 1 FROM routing_loads l WHERE NOT l.demo AND EXISTS (SELECT 1 FROM postcode_routes r WHERE r.load_id = l.id)) AS real',
  );
  return row?.real === true;
}

/** The content hash of the demo load whose rows the table holds, if any. */
export async function loadedDemoHash(q: Queryable): Promise<string | null> {
  const [row] = await q.query<{ content_hash: string }>(
    `SELECT l.content_hash FROM routing_loads l
      WHERE l.demo AND EXISTS (SELECT 1 FROM postcode_routes r WHERE r.load_id = l.id)
      ORDER BY l.id DESC LIMIT 1`,
  );
  return row?.content_hash ?? null;
}

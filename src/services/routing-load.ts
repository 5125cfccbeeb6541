/**
 * `sgw routing load`: reads a postcode routing file (the ONS Postcode Directory or the
 * simple `postcode,la` form, told apart by the header row), turns each row into a routing
 * key and a DfE LA number, and writes them in batches inside one transaction, so a bad
 * file changes nothing. Children's services are an upper-tier function: in a two-tier
 * area the county is responsible, else the district or unitary authority.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LaCodes } from '../config/la-codes.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { RoutingCsvRow } from '../formats/routing-csv.js';
import { CsvSyntaxError, openRoutingCsv } from '../formats/routing-csv.js';
import { fullPostcode, routeKey } from '../model/postcode-route.js';
import type { Db, Queryable } from '../store/db.js';
import type { RouteRow } from '../store/routing-repo.js';
import { clearRoutes, finishLoad, insertRoutes, startLoad } from '../store/routing-repo.js';

export type RoutingFileForm = 'onspd' | 'simple';

export interface RoutingLoadOptions {
  /** Drop every routing row first (the file becomes the whole table). */
  replace?: boolean;
  /** The demo file loaded at start-up: its rows give way to the first real load. */
  demo?: boolean;
  now?: () => Date;
  /** Rows per INSERT; default 5000. */
  batchSize?: number;
}

/** What a load did; printed by the CLI and kept with the load. */
export interface RoutingLoadSummary {
  file: string;
  form: RoutingFileForm;
  loadId: number;
  loadedAt: string;
  /** Data rows in the file (header not counted). */
  rowsRead: number;
  /** Routing rows written. */
  loaded: number;
  /** ONSPD rows with a termination date. */
  skippedTerminated: number;
  /** ONSPD rows of Wales, Scotland, Northern Ireland, the Channel Islands or the Isle of Man. */
  skippedOutsideEngland: number;
  /** ONSPD rows whose responsible authority's ONS code is not in la-codes.csv. */
  skippedUnknownCode: number;
  /** Those ONS codes, with how many rows named each. */
  unknownCodes: Record<string, number>;
  /** Columns of a simple-form file that were not read. */
  ignoredColumns: string[];
  /** Rows of earlier loads removed (--replace, or the demo rows a real load supersedes). */
  removedEarlier: number;
  seconds: number;
}

const ONSPD_COLUMNS = ['oslaua', 'oscty', 'doterm'] as const;
/** An ONS pseudo code such as E99999999: no area of that kind here. */
const PSEUDO_CODE_RE = /^[A-Z]99999999$/;
const MAX_ISSUES = 20;
const DEFAULT_BATCH = 5000;

interface Issue {
  line: number;
  column?: string | undefined;
  diagnostics: string;
}

function toGatewayIssue(i: Issue): GatewayIssue {
  return { severity: 'error', code: 'invalid', expression: [`line ${i.line}`, ...(i.column ? [`column ${i.column}`] : [])], diagnostics: i.diagnostics };
}

function fileError(fileName: string, issues: Issue[]): GatewayError {
  const first = issues[0];
  const where = first ? ` line ${first.line}${first.column ? `, column ${first.column}` : ''}: ${first.diagnostics}` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new GatewayError('GW_ERR_ROUTING_FILE_INVALID', `${fileName}${where}${more}; nothing was loaded`, { issues: issues.map(toGatewayIssue) });
}

/** Which form a header row is, or the issues that say why it is neither. */
export function detectForm(columns: readonly string[], headerLine: number): { form: RoutingFileForm; postcodeColumn: string } | { issues: Issue[] } {
  const has = (c: string) => columns.includes(c);
  if (has('pcds') || has('pcd') || has('oslaua')) {
    const issues: Issue[] = [];
    if (!has('pcds') && !has('pcd')) issues.push({ line: headerLine, column: 'pcds', diagnostics: 'the ONSPD header has no pcds (or pcd) column; expected the postcode column' });
    for (const c of ONSPD_COLUMNS) if (!has(c)) issues.push({ line: headerLine, column: c, diagnostics: `the ONSPD header has no ${c} column; expected pcds, oslaua, oscty and doterm` });
    return issues.length > 0 ? { issues } : { form: 'onspd', postcodeColumn: has('pcds') ? 'pcds' : 'pcd' };
  }
  if (has('postcode') || has('la')) {
    const missing = ['postcode', 'la'].filter((c) => !has(c));
    if (missing.length > 0) return { issues: missing.map((c) => ({ line: headerLine, column: c, diagnostics: `the header has no ${c} column; expected the simple form postcode,la` })) };
    return { form: 'simple', postcodeColumn: 'postcode' };
  }
  return {
    issues: [{ line: headerLine, diagnostics: `the header row (${columns.slice(0, 6).join(',')}${columns.length > 6 ? ',…' : ''}) is neither form; expected the ONS Postcode Directory (pcds, oslaua, oscty, doterm) or postcode,la` }],
  };
}

/** The DfE LA number a simple-form `la` cell names ('383' or 'la:383'), or an issue. */
function simpleLa(cell: string, laCodes: LaCodes): { laNumber: string } | { problem: string } {
  const m = /^(?:la:)?([0-9]{3})$/i.exec(cell.trim());
  if (!m?.[1]) return { problem: `${JSON.stringify(cell)} is not a DfE LA number; expected three digits such as 383, or la:383` };
  if (!laCodes.names.has(m[1])) return { problem: `LA ${m[1]} is not a known local authority; expected a DfE LA number listed in config/routing/la-codes.csv` };
  return { laNumber: m[1] };
}

/**
 * Loads a routing file into the postcode routing table, in one transaction: every row,
 * or (when any row is bad) none, with GW_ERR_ROUTING_FILE_INVALID naming the line, the
 * column and what was expected (up to 20 problems). A real load also removes the demo
 * rows; `replace` removes every earlier row. ONSPD rows that are terminated, outside
 * England, or whose authority's ONS code is not in `laCodes` are skipped and counted.
 */
export async function loadRoutingFile(db: Db, file: string, laCodes: LaCodes, options: RoutingLoadOptions = {}): Promise<RoutingLoadSummary> {
  const fileName = path.basename(file);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new GatewayError('GW_ERR_ROUTING_FILE_INVALID', `${file} is not a file; expected a routing CSV file`);
  const now = options.now ?? (() => new Date());
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const hash = createHash('sha256');
  let csv;
  try {
    csv = await openRoutingCsv(file, (chunk) => hash.update(chunk));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw fileError(fileName, [{ line: err.line ?? 1, diagnostics: err.message }]);
    throw err;
  }
  const detected = detectForm(csv.columns, csv.headerLine);
  if ('issues' in detected) {
    csv.close();
    throw fileError(fileName, detected.issues);
  }
  const { form, postcodeColumn } = detected;
  const loadedAt = now().toISOString();
  const rows = csv.rows;

  return db.transaction(async (tx) => {
    const loadId = await startLoad(tx, { fileName, form, demo: options.demo === true, loadedAt });
    const summary: RoutingLoadSummary = {
      file: fileName,
      form,
      loadId,
      loadedAt,
      rowsRead: 0,
      loaded: 0,
      skippedTerminated: 0,
      skippedOutsideEngland: 0,
      skippedUnknownCode: 0,
      unknownCodes: {},
      ignoredColumns: form === 'simple' ? csv.columns.filter((c) => c !== 'postcode' && c !== 'la') : [],
      removedEarlier: await clearRoutes(tx, options.replace ? 'all' : 'demo'),
      seconds: 0,
    };
    const issues: Issue[] = [];
    let batch: (RouteRow & { line: number })[] = [];
    const batchLines = new Map<string, number>();
    const flush = async (q: Queryable) => {
      if (issues.length === 0 && batch.length > 0) {
        const written = await insertRoutes(q, loadId, batch);
        summary.loaded += written.size;
        for (const r of batch) {
          if (!written.has(r.key) && issues.length < MAX_ISSUES) {
            issues.push({ line: r.line, column: postcodeColumn, diagnostics: `${r.key} is routed by an earlier row of this file; expected each postcode once` });
          }
        }
      }
      batch = [];
      batchLines.clear();
    };
    const add = async (row: RoutingCsvRow, route: RouteRow) => {
      const earlier = batchLines.get(route.key);
      if (earlier !== undefined) {
        issues.push({ line: row.line, column: postcodeColumn, diagnostics: `${route.key} is also on line ${earlier}; expected each postcode once` });
        return;
      }
      batchLines.set(route.key, row.line);
      batch.push({ ...route, line: row.line });
      if (batch.length >= batchSize) await flush(tx);
    };

    try {
      for await (const row of rows) {
        summary.rowsRead++;
        const v = row.values;
        if (form === 'onspd') {
          if ((v.doterm ?? '') !== '') {
            summary.skippedTerminated++;
            continue;
          }
          const postcode = fullPostcode(v[postcodeColumn] ?? '');
          if (!postcode) {
            issues.push({ line: row.line, column: postcodeColumn, diagnostics: `${JSON.stringify(v[postcodeColumn] ?? '')} is not a UK postcode; expected a full postcode such as LS1 1AA` });
          } else {
            const county = v.oscty ?? '';
            const code = county !== '' && !PSEUDO_CODE_RE.test(county) ? county : (v.oslaua ?? '');
            if (code !== '' && !code.startsWith('E')) {
              summary.skippedOutsideEngland++;
            } else {
              const la = laCodes.byOnsCode.get(code);
              if (la) {
                await add(row, { key: postcode, granularity: 'postcode', laNumber: la.dfe_la_number });
              } else {
                const shown = code === '' ? '(blank)' : code;
                summary.skippedUnknownCode++;
                summary.unknownCodes[shown] = (summary.unknownCodes[shown] ?? 0) + 1;
              }
            }
          }
        } else {
          const key = routeKey(v.postcode ?? '');
          const la = simpleLa(v.la ?? '', laCodes);
          if (!key) issues.push({ line: row.line, column: 'postcode', diagnostics: `${JSON.stringify(v.postcode ?? '')} is not a postcode, sector or district; expected e.g. LS1 1AA, LS1 1 or LS1` });
          if ('problem' in la) issues.push({ line: row.line, column: 'la', diagnostics: la.problem });
          if (key && 'laNumber' in la) await add(row, { ...key, laNumber: la.laNumber });
        }
        if (issues.length >= MAX_ISSUES) break;
      }
      await flush(tx);
    } catch (err) {
      if (err instanceof CsvSyntaxError) issues.push({ line: err.line ?? summary.rowsRead + csv.headerLine, diagnostics: err.message });
      else throw err;
    }
    if (issues.length > 0) throw fileError(fileName, issues.slice(0, MAX_ISSUES));
    summary.seconds = Math.round((performance.now() - started) / 100) / 10;
    await finishLoad(tx, loadId, hash.digest('hex'), summary);
    return summary;
  });
}

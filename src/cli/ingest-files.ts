import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { userInfo } from 'node:os';
import cliProgress from 'cli-progress';
import type { Config } from '../config/env.js';
import { ConfigError } from '../config/env.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { CpisUploadTree } from '../formats/cpis-csv.js';
import { detectFormat, formatFromName, readMessages, WIRE_FORMATS } from '../formats/read.js';
import type { ParsedMessage, WireFormat } from '../formats/types.js';
import { createGateway } from '../gateway.js';
import { createLogger } from '../log.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Agency } from '../model/agency.js';
import type { Requester } from '../policy/authorise.js';
import { normalisePurpose } from '../policy/purposes.js';
import { isRole, roleProblem } from '../policy/roles.js';
import type { AuditScope } from '../services/audit-scope.js';
import { auditNow } from '../services/audit-scope.js';
import { ingestCpisUpload } from '../services/cpis-upload.js';
import { ingestMessage } from '../services/ingest.js';
import { migrate } from '../store/migrate.js';
import type { GatewayContext } from '../services/context.js';
import { openPglite } from '../store/pglite-db.js';

export interface IngestFilesOptions {
  format?: string | undefined;
  agency?: string | undefined;
  role?: string | undefined;
  purpose?: string | undefined;
  partial?: boolean | undefined;
  json?: boolean | undefined;
}

/** An issue found in a file; `errorCode` is the gateway error that refused the message, when one did. */
export interface FileIssue extends GatewayIssue {
  errorCode?: ErrorCode;
}

/** What happened to one file. */
export interface FileResult {
  file: string;
  format: WireFormat | 'unknown';
  messages: number;
  created: number;
  updated: number;
  unchanged: number;
  valid: number;
  warnings: number;
  /** The warnings themselves: queries (CIN "Q" rules), input not consumed, records not linked. */
  warningIssues: FileIssue[];
  /** Records or upload rows left out (partial mode, CP-IS per-record failures). */
  rejected: number;
  /** Problems that stopped a message or left a record out (CP-IS: one per record not accepted, its result code as the rule), with the rule and path of each. */
  errors: FileIssue[];
  ok: boolean;
  /** Per-record CP-IS result codes, for uploads. */
  resultCodes?: Record<string, number>;
}

const EXTENSION_FORMATS: Readonly<Record<string, WireFormat>> = { '.hl7': 'hl7v2', '.er7': 'hl7v2', '.json': 'fhir-r4-json' };

/** A file's format from its first bytes, else its extension (`.hl7`, `.er7`, `.json`); undefined when neither says. */
export function detectFileFormat(file: string, bytes: Buffer): WireFormat | undefined {
  return detectFormat(bytes, undefined) ?? EXTENSION_FORMATS[extname(file).toLowerCase()];
}

function fileFormat(file: string, bytes: Buffer, format: string | undefined): WireFormat {
  if (format) {
    const f = formatFromName(format);
    if (!f) throw new ConfigError(`--format ${format} is not one of ${WIRE_FORMATS.join(', ')}`);
    return f;
  }
  const f = detectFileFormat(file, bytes);
  if (!f) throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `cannot tell the format of ${basename(file)}; give --format (${WIRE_FORMATS.join(', ')})`);
  return f;
}

/** The caller the CLI acts as: a configured agency, with the role and purpose its kind of agency uses for returns and feeds. */
function cliRequester(agencies: ReadonlyMap<string, Agency>, opts: IngestFilesOptions, defaultAgency: string): Requester {
  const agencyId = opts.agency ?? defaultAgency;
  const agency = agencies.get(agencyId);
  if (!agency) throw new ConfigError(`--agency ${agencyId} is not a configured agency (${[...agencies.keys()].join(', ')})`);
  const role = opts.role ?? (agency.type === 'health' ? 'unscheduled-care' : 'la-social-worker');
  if (!isRole(role)) throw new ConfigError(`--role ${role} is not a role`);
  const problem = roleProblem(role, agency.type);
  if (problem) throw new ConfigError(`--role: ${problem}`);
  const claim = opts.purpose ?? (agency.type === 'health' ? 'direct-care' : 'statutory-return');
  const purpose = normalisePurpose(claim);
  if (!purpose) throw new ConfigError(`--purpose ${claim} is not a known purpose`);
  return { sub: `cli:${userInfo().username}`, agency: agencyId, role, purposeClaim: claim, purpose };
}

const withCode = (issues: readonly GatewayIssue[], err: GatewayError): FileIssue[] => issues.map((i) => ({ ...i, errorCode: err.code }));

function emptyResult(file: string): FileResult {
  return { file, format: 'unknown', messages: 0, created: 0, updated: 0, unchanged: 0, valid: 0, warnings: 0, warningIssues: [], rejected: 0, errors: [], ok: true };
}

/**
 * `sgw ingest` and `sgw validate`: reads each file, splits it into messages, and runs
 * each through the same pipeline as POST /ingest (validate: against a throw-away
 * in-memory database, so nothing is stored anywhere). Each message has its own audit
 * entry and changes nothing if refused; messages share group commits. A progress bar runs on a terminal.
 */
export async function ingestFiles(config: Config, files: string[], opts: IngestFilesOptions, store: boolean): Promise<FileResult[]> {
  const db = store ? undefined : await openPglite();
  if (db) await migrate(db);
  // validate touches nothing on disk: a throw-away database and no development key.
  // Neither signs tree heads: the gateway signs one for these entries when it next starts or its timer runs.
  // Standard output carries the results (a table, or JSON with --json): log lines go to standard error.
  const gateway = await createGateway(db ? { ...config, devAuth: false } : config, { ...(db ? { db } : {}), signTreeHeads: false, webhooks: false, log: createLogger(config.logLevel, process.stderr) });
  const results: FileResult[] = [];
  try {
    const requester = cliRequester(gateway.ctx.agencies, opts, store ? '' : 'la:383');
    const loaded: { file: string; result: FileResult; messages: ParsedMessage[] }[] = [];
    for (const file of files) {
      const result = emptyResult(file);
      results.push(result);
      try {
        const bytes = readFileSync(file);
        const format = fileFormat(file, bytes, opts.format);
        result.format = format;
        const messages = await readMessages(format, bytes);
        result.messages = messages.length;
        loaded.push({ file, result, messages });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        result.ok = false;
        result.errors.push(...withCode(err.issues, err));
      }
    }
    const total = loaded.reduce((n, l) => n + l.messages.length, 0);
    const bar = process.stderr.isTTY && !opts.json ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} messages | {file}', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
    bar?.start(total, 0, { file: '' });
    // Messages go to the pipeline in file order, up to IN_FLIGHT at a time, so that they share
    // group commits (services/ingest-commit.ts) as a stream of messages does; they are still
    // written in that order, each with its own audit entry. A CP-IS upload waits for what is in flight.
    const inFlight = new Set<Promise<void>>();
    let fatal: { err: unknown } | null = null;
    const settle = async () => {
      await Promise.allSettled([...inFlight]);
      if (fatal) throw fatal.err;
    };
    for (const { file, result, messages } of loaded) {
      for (const message of messages) {
        if (message.format === 'cpis-csv' || inFlight.size >= IN_FLIGHT) await (message.format === 'cpis-csv' ? settle() : Promise.race(inFlight));
        if (fatal) break;
        const task = ingestOne(gateway.ctx, requester, file, result, message, store, opts.partial).then(
          () => bar?.increment(1, { file: basename(file) }),
          (err: unknown) => {
            fatal ??= { err };
          },
        );
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
        if (message.format === 'cpis-csv') await settle();
      }
    }
    await settle();
    bar?.stop();
    return results;
  } finally {
    await gateway.close();
    if (db) await db.close();
  }
}

/** At most this many messages of the files are in the pipeline at once. */
const IN_FLIGHT = 64;

/** One message of a file through the pipeline, its outcome added to the file's result. Throws only what should stop the run (a 5xx). */
async function ingestOne(ctx: GatewayContext, requester: Requester, file: string, result: FileResult, message: ParsedMessage, store: boolean, partial: boolean | undefined): Promise<void> {
  const scope: AuditScope = { requestId: `cli-${randomUUID()}`, requester, action: store ? 'create' : 'validate', resourceType: `${store ? 'Ingest' : 'Validate'}:${message.format}`, query: `sgw ${store ? 'ingest' : 'validate'} ${basename(file)}`, audited: false };
  try {
    if (message.format === 'cpis-csv') {
      const out = await ingestCpisUpload(ctx, scope, requester, message as ParsedMessage<CpisUploadTree>, store).catch((err: unknown) => {
        // No record accepted: refused whole, each record an issue carrying its CP-IS result code.
        if (err instanceof GatewayError && err.code === 'GW_ERR_VALIDATION_FAILED') {
          result.resultCodes = {};
          for (const i of err.issues) if (i.rule) result.resultCodes[i.rule] = (result.resultCodes[i.rule] ?? 0) + 1;
          result.rejected += err.issues.length;
        }
        throw err;
      });
      result.resultCodes = {};
      for (const r of out.results) result.resultCodes[r.result] = (result.resultCodes[r.result] ?? 0) + 1;
      for (const r of out.results) if (r.result === 'CPR06' && r.outcome) result[r.outcome] += 1;
      const left = out.results.filter((r) => r.result !== 'CPR06');
      result.rejected += left.length;
      result.errors.push(...left.map((r): FileIssue => ({ severity: 'error', code: r.result === 'CPR04' ? 'value' : 'business-rule', rule: r.result, expression: [`records[line ${r.line}]`], diagnostics: r.reason ?? r.result })));
      result.warnings += out.warnings.length;
      result.warningIssues.push(...out.warnings);
    } else {
      const out = await ingestMessage(ctx, scope, requester, message, { store, partial });
      for (const r of out.records) result[r.outcome] += 1;
      result.warnings += out.warnings.length;
      result.warningIssues.push(...out.warnings);
      result.rejected += out.rejected.length;
      if (out.rejected.length > 0) result.errors.push(...out.rejected.flatMap((r) => r.issues));
    }
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status >= 500) throw err;
    if (!scope.audited) await auditNow(ctx, scope, { outcome: err.status === 403 ? 'deny' : 'error', status: err.status, reason: `${err.code}: ${err.message}`.slice(0, 1000) });
    result.ok = false;
    result.errors.push(...withCode(err.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'), err));
    const warnings = err.issues.filter((i) => i.severity === 'warning');
    result.warnings += warnings.length;
    result.warningIssues.push(...warnings);
  }
}

/** The summary table printed after `sgw ingest` / `sgw validate`. */
export function summaryTable(results: FileResult[], store: boolean): string {
  const rows = results.map((r) => [
    basename(r.file),
    r.format,
    String(r.messages),
    store ? `${r.created}/${r.updated}/${r.unchanged}` : String(r.valid),
    String(r.warnings),
    String(r.rejected),
    String(r.errors.length),
    r.ok ? (r.resultCodes ? Object.entries(r.resultCodes).map(([k, v]) => `${k}×${v}`).join(' ') : 'ok') : 'REJECTED',
  ]);
  const head = ['file', 'format', 'messages', store ? 'created/updated/unchanged' : 'records', 'warnings', 'left out', 'errors', 'outcome'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of results.filter((x) => x.errors.length > 0)) {
    out.push('', `${basename(r.file)}:`);
    for (const e of r.errors.slice(0, 50)) out.push(`  ${e.rule ? `[${e.rule}] ` : ''}${e.expression?.[0] ?? ''}: ${e.diagnostics}`);
    if (r.errors.length > 50) out.push(`  … and ${r.errors.length - 50} more`);
  }
  return out.join('\n');
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../config/env.js';
import { loadConfig } from '../config/env.js';
import type { ErrorCode } from '../errors/codes.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { PoliceNotificationFormat } from '../formats/police-notification-detect.js';
import { detectPoliceNotification, POLICE_NOTIFICATION_FORMATS } from '../formats/police-notification-detect.js';
import { formatFromName, WIRE_FORMATS } from '../formats/read.js';
import type { WireFormat } from '../formats/types.js';
import type { MappingRegistry } from '../mapping/registry.js';
import { loadMappingRegistry } from '../mapping/registry.js';
import type { SubmissionInput } from '../services/police-notifications.js';
import { checkSubmission, readSubmission } from '../services/police-notifications.js';
import type { FileIssue, FileResult } from './ingest-files.js';
import { detectFileFormat, ingestFiles } from './ingest-files.js';

/** Every format the check reads: the ingest formats (POST /ingest) and the two forms of a police notification (POST /notifications). */
export const CHECK_FORMATS: readonly CheckFormat[] = [...WIRE_FORMATS, ...POLICE_NOTIFICATION_FORMATS];
export type CheckFormat = WireFormat | PoliceNotificationFormat;

export interface CheckOptions {
  format?: CheckFormat | undefined;
  /** The agency to check as (default la:383), as `sgw validate --agency`: a CP-IS upload must carry its LA code. */
  agency?: string | undefined;
  json?: boolean | undefined;
  /** The clock the police notification checks compare times with. */
  now?: () => Date;
}

/** One issue found in a file, OperationOutcome-shaped as the gateway answers it. */
export interface CheckIssue {
  severity: GatewayIssue['severity'];
  /** The OperationOutcome issue type (invalid, structure, business-rule, value…). */
  code: string;
  /** The published rule broken (CIN-8925, SSDA903-144, CPR04), when there is one. */
  rule: string | null;
  /** The gateway error the message would have been refused with (GW_ERR_…), when it would. */
  errorCode: ErrorCode | null;
  /** The field, segment or element path, as the gateway names it. */
  expression: string[];
  diagnostics: string;
}

/** The outcome for one file: `ok` when nothing in it is an error (warnings do not fail it). */
export interface CheckFileResult {
  file: string;
  format: CheckFormat | 'unknown';
  ok: boolean;
  messages: number;
  errors: CheckIssue[];
  warnings: CheckIssue[];
}

/** `--format` value → format: the full names, the ingest short names (hl7, cin, cpis…), police-json and police-xml. */
export function checkFormatFromName(name: string): CheckFormat | undefined {
  const n = name.trim().toLowerCase();
  if ((POLICE_NOTIFICATION_FORMATS as readonly string[]).includes(n)) return n as PoliceNotificationFormat;
  if (n === 'police-json') return 'police-notification-json';
  if (n === 'police-xml') return 'police-notification-xml';
  return formatFromName(n);
}

const isPolice = (f: CheckFormat): f is PoliceNotificationFormat => (POLICE_NOTIFICATION_FORMATS as readonly string[]).includes(f);

function checkIssue(i: FileIssue, errorCode?: ErrorCode): CheckIssue {
  return { severity: i.severity, code: i.code, rule: i.rule ?? null, errorCode: i.errorCode ?? errorCode ?? null, expression: i.expression ?? [], diagnostics: i.diagnostics };
}

function failed(file: string, errorCode: ErrorCode | null, code: string, diagnostics: string): CheckFileResult {
  return { file, format: 'unknown', ok: false, messages: 0, errors: [{ severity: 'error', code, rule: null, errorCode, expression: [], diagnostics }], warnings: [] };
}

/**
 * CP-IS answers CPR01 (no match) for a record whose NHS number the person index does not
 * hold and that does not say it is verified. Offline the index is empty, so that is a
 * query about the record, not a failure of the file: the gateway may well know the number.
 */
function fromIngest(r: FileResult): CheckFileResult {
  const errors: CheckIssue[] = [];
  const warnings = r.warningIssues.map((i) => checkIssue(i));
  for (const e of r.errors.map((i) => checkIssue(i))) {
    if (e.rule === 'CPR01') warnings.push({ ...e, severity: 'warning', diagnostics: `${e.diagnostics} (checked offline against an empty person index: the gateway answers CPR01 unless it already holds this NHS number; give nhs_number_status 01 when it is verified)` });
    else errors.push(e);
  }
  return { file: r.file, format: r.format, ok: r.ok && errors.length === 0, messages: r.messages, errors, warnings };
}

/** A police notification, read and checked as POST /notifications does before it stores anything. */
async function checkNotification(mappings: MappingRegistry, file: string, bytes: Buffer, format: PoliceNotificationFormat, now: Date): Promise<CheckFileResult> {
  const result: CheckFileResult = { file, format, ok: true, messages: 1, errors: [], warnings: [] };
  let input: SubmissionInput | undefined;
  try {
    input = await readSubmission(mappings, bytes, format === 'police-notification-xml' ? 'xml' : 'json');
    checkSubmission(input.body, now, input.annotate);
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status >= 500) throw err;
    result.errors.push(...err.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => checkIssue(i, err.code)));
    result.warnings.push(...err.issues.filter((i) => i.severity === 'warning').map((i) => checkIssue(i)));
  }
  result.warnings.unshift(...(input?.warnings ?? []).map((i) => checkIssue(i)));
  result.ok = result.errors.length === 0;
  return result;
}

/**
 * `sgw conformance check`: a supplier's offline check of its own message files with the
 * rules the gateway applies on receipt. Ingest formats go through `sgw validate`'s pipeline
 * (a throw-away in-memory database, nothing stored anywhere); police notifications through
 * POST /notifications' reading and checks (schema, times in the future, unconsumed XML).
 * Checks that depend on what the live gateway holds (the person index, the caller's force)
 * cannot be made offline. One result per file, in the order given.
 */
export async function checkFiles(config: Config, files: string[], opts: CheckOptions = {}): Promise<CheckFileResult[]> {
  const results: (CheckFileResult | undefined)[] = files.map(() => undefined);
  const ingest: { index: number; file: string }[] = [];
  const police: { index: number; file: string; bytes: Buffer; format: PoliceNotificationFormat }[] = [];
  for (const [index, file] of files.entries()) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      results[index] = failed(file, null, 'not-found', `cannot read ${file}: ${(err as Error).message}`);
      continue;
    }
    const format = opts.format ?? detectPoliceNotification(bytes) ?? detectFileFormat(file, bytes);
    if (!format) results[index] = failed(file, 'GW_ERR_UNSUPPORTED_MEDIA_TYPE', 'not-supported', `cannot tell the format of ${file}; give --format (${CHECK_FORMATS.join(', ')})`);
    else if (isPolice(format)) police.push({ index, file, bytes, format });
    else ingest.push({ index, file });
  }
  if (ingest.length > 0) {
    // The same detection as above runs again inside ingestFiles, so each file gets the format it was sorted by.
    const format = opts.format && !isPolice(opts.format) ? opts.format : undefined;
    const out = await ingestFiles(config, ingest.map((f) => f.file), { format, agency: opts.agency, json: opts.json }, false);
    out.forEach((r, i) => (results[ingest[i]!.index] = fromIngest(r)));
  }
  if (police.length > 0) {
    const mappings = loadMappingRegistry();
    const now = (opts.now ?? (() => new Date()))();
    for (const p of police) results[p.index] = await checkNotification(mappings, p.file, p.bytes, p.format, now);
  }
  return results.map((r, i) => r ?? failed(files[i]!, 'GW_ERR_INTERNAL', 'exception', `${files[i]!} was not checked`));
}

const MAX_LISTED = 200;

function issueLine(i: CheckIssue): string {
  const tag = i.rule ?? i.errorCode;
  const [path, ...more] = i.expression;
  // Field issues already begin with their path ("persons.1.roles: …"): say it once.
  const text = path && i.diagnostics.startsWith(`${path}: `) ? i.diagnostics.slice(path.length + 2) : i.diagnostics;
  const where = path ? `${path}${more.length > 0 ? ` (${more.join(', ')})` : ''}: ` : '';
  return `  ${i.severity === 'warning' || i.severity === 'information' ? `${i.severity} ` : ''}${tag ? `[${tag}] ` : ''}${where}${text}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report for people: a PASS or FAIL line per file, then each error and warning with its rule or error code. */
export function checkReport(results: readonly CheckFileResult[]): string {
  const fileWidth = Math.max(...results.map((r) => r.file.length));
  const formatWidth = Math.max(...results.map((r) => r.format.length));
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.ok ? 'PASS' : 'FAIL'}  ${r.file.padEnd(fileWidth)}  ${r.format.padEnd(formatWidth)}  ${plural(r.messages, 'message')}  ${plural(r.warnings.length, 'warning')}`);
    const issues = [...r.errors, ...r.warnings];
    out.push(...issues.slice(0, MAX_LISTED).map(issueLine));
    if (issues.length > MAX_LISTED) out.push(`  … and ${issues.length - MAX_LISTED} more (--json lists every one)`);
  }
  const failures = results.filter((r) => !r.ok).length;
  out.push('', `${plural(results.length, 'file')} checked: ${results.length - failures} passed, ${failures} failed`);
  return out.join('\n');
}

function formatArg(value: string): CheckFormat {
  const f = checkFormatFromName(value);
  if (!f) throw new InvalidArgumentError(`expected one of ${CHECK_FORMATS.join(', ')}`);
  return f;
}

/** Registers `check` on the `sgw conformance` group. */
export function addConformanceCheck(conformance: Command): void {
  conformance
    .command('check')
    .description('check message files offline with the rules the gateway applies on receipt; per file PASS or FAIL with each rule broken; stores nothing; exits 1 if any file fails')
    .argument('<files...>', 'message files: FHIR, HL7 v2, CIN census, SSDA903, CP-IS upload, police notification (JSON or XML)')
    .option('--format <format>', `the format of every file (default: detected): ${CHECK_FORMATS.join(', ')}`, formatArg)
    .option('--agency <id>', 'the agency to check as (default la:383); a CP-IS upload must carry its LA code')
    .option('--json', 'print the results as a JSON array')
    .action(async (files: string[], opts: CheckOptions) => {
      const results = await checkFiles(loadConfig(), files, opts);
      console.log(opts.json ? JSON.stringify(results, null, 2) : checkReport(results));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}

/**
 * CP-IS style bulk plan upload as CSV — the gateway's own layout.
 *
 * CP-IS itself takes an HL7 V3 XML file (CP-IS Local Authority Upload, sent over MESH);
 * this CSV carries the same per-plan facts for local authorities that export a table.
 * The first non-blank line is the header row; columns may come in any order:
 *
 *   nhs_number         required  the child's NHS number (10 digits, spaces/hyphens allowed;
 *                                for an unborn-child plan, the mother's)
 *   nhs_number_status  optional  NHS number verification status 01–08; CP-IS needs 01
 *   plan_type          required  CPP | LAC | UCPP, or the SNOMED CT code of the
 *                                England-ChildProtectionPlan value set:
 *                                342191000000101 (CPP), 764841000000100 (LAC),
 *                                818901000000100 (UCPP)
 *   start_date         required  YYYY-MM-DD
 *   end_date           optional  YYYY-MM-DD, not before start_date
 *   la_code            required  the 3-digit DfE local authority number (e.g. 202)
 *   local_id           optional  the LA's own identifier for the plan
 *
 * The reader checks only the file: UTF-8, RFC 4180 quoting, a header naming every
 * required column and no unknown column, and no ragged rows. Each record is then judged
 * on its own by `checkCpisRecord`, which answers with CP-IS upload result codes
 * (CP-ISUploadRecordResponse): CPR04 for an NHS number that is not valid, CPR03 for one
 * that is not verified, CPR07 (failure) for any other bad value. CPR01 (no PDS match)
 * and CPR06 (success) are decided later, against the database.
 */
import { isIsoCalendarDate } from '../model/dates.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { checkNhsNumber, VERIFICATION_STATUSES } from '../model/nhs-number.js';
import type { VerificationStatus } from '../model/nhs-number.js';
import { PLAN_KINDS } from '../model/protection-plan.js';
import type { PlanKind } from '../model/protection-plan.js';
import { readCsv } from './csv.js';
import type { CsvRow } from './csv.js';
import type { ParsedMessage } from './types.js';
import { malformed } from './types.js';

export const CPIS_CSV_REQUIRED_COLUMNS = ['nhs_number', 'plan_type', 'start_date', 'la_code'] as const;
export const CPIS_CSV_OPTIONAL_COLUMNS = ['nhs_number_status', 'end_date', 'local_id'] as const;
export type CpisCsvColumn = (typeof CPIS_CSV_REQUIRED_COLUMNS)[number] | (typeof CPIS_CSV_OPTIONAL_COLUMNS)[number];
const ALL_COLUMNS: readonly string[] = [...CPIS_CSV_REQUIRED_COLUMNS, ...CPIS_CSV_OPTIONAL_COLUMNS];

/** One upload record as read: its file line and its cells by column (only columns sent). */
export type CpisUploadRecord = CsvRow;

export interface CpisUploadTree {
  records: CpisUploadRecord[];
}

/** A record that passed the per-record checks. */
export interface CpisPlanRecord {
  /** Normalised: ten digits, no spaces. */
  nhsNumber: string;
  status?: VerificationStatus;
  kind: PlanKind;
  start: string;
  end?: string;
  laCode: string;
  localId?: string;
}

export type CpisRecordCheck =
  | { ok: true; value: CpisPlanRecord }
  | { ok: false; result: 'CPR04' | 'CPR03' | 'CPR07'; reason: string };

/** plan_type words, and the SNOMED CT codes of PLAN_KINDS. */
const PLAN_TYPES: Record<string, PlanKind> = {
  CPP: 'child-protection-plan',
  LAC: 'looked-after',
  UCPP: 'unborn-child-protection-plan',
  ...Object.fromEntries((Object.keys(PLAN_KINDS) as PlanKind[]).map((k) => [PLAN_KINDS[k].code, k])),
};

/**
 * Reads a CP-IS bulk plan upload CSV. Throws GW_ERR_MALFORMED_BODY when the header lacks
 * a required column or has one not in the layout (naming them), holds no record after it,
 * or the CSV itself is broken (see readCsv). Values are not judged here: see checkCpisRecord.
 */
export function readCpisCsv(bytes: Uint8Array | string, options: { maxRows?: number } = {}): ParsedMessage<CpisUploadTree> {
  const format = 'cpis-csv';
  const csv = readCsv(format, bytes, { ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }), checkHeader: headerIssues });
  // A header and nothing else was answered "stored, 0 of 0 accepted": say it holds no plan.
  if (csv.rows.length === 0) throw malformed(format, 'the file has a header row but no records; expected one plan per line after the header', 'line 2');
  return { format, tree: { records: csv.rows }, warnings: [] };
}

/** The header must name every required column and no column outside the layout. */
function headerIssues(columns: readonly string[], line: number): GatewayIssue[] {
  const missing = CPIS_CSV_REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !ALL_COLUMNS.includes(c));
  const issues: GatewayIssue[] = [];
  const layout = `expected ${CPIS_CSV_REQUIRED_COLUMNS.join(', ')} and optionally ${CPIS_CSV_OPTIONAL_COLUMNS.join(', ')}`;
  if (missing.length > 0) {
    issues.push({ severity: 'error', code: 'required', expression: [`line ${line}`], diagnostics: `the header lacks required ${missing.length === 1 ? 'column' : 'columns'} ${missing.join(', ')}; ${layout}` });
  }
  if (unknown.length > 0) {
    issues.push({ severity: 'error', code: 'structure', expression: [`line ${line}`], diagnostics: `the header has unknown ${unknown.length === 1 ? 'column' : 'columns'} ${unknown.map((c) => JSON.stringify(c)).join(', ')}; ${layout}` });
  }
  return issues;
}


function cell(record: CpisUploadRecord, column: CpisCsvColumn): string {
  return (record.values[column] ?? '').trim();
}

/**
 * Judges one upload record as CP-IS would, in this order: the NHS number must be valid
 * (10 digits, Modulus 11) — else CPR04; a status, when given, must be 01 (verified) —
 * else CPR03; then plan type, dates (real, end not before start) and LA code — else
 * CPR07, with every bad column and value named in the reason.
 */
export function checkCpisRecord(record: CpisUploadRecord): CpisRecordCheck {
  const rawNhs = cell(record, 'nhs_number');
  const nhs = checkNhsNumber(rawNhs);
  if (!nhs.valid) {
    return { ok: false, result: 'CPR04', reason: `nhs_number ${JSON.stringify(rawNhs)} is not a valid NHS number: ${nhs.message}` };
  }

  const status = cell(record, 'nhs_number_status');
  if (status !== '' && status !== '01') {
    const known = Object.hasOwn(VERIFICATION_STATUSES, status) ? VERIFICATION_STATUSES[status as VerificationStatus] : undefined;
    return {
      ok: false,
      result: 'CPR03',
      reason: known
        ? `nhs_number_status ${JSON.stringify(status)} (${known}): the NHS number is not verified; CP-IS needs status 01`
        : `nhs_number_status ${JSON.stringify(status)} is not a verification status (01–08); CP-IS needs status 01`,
    };
  }

  const problems: string[] = [];
  const planType = cell(record, 'plan_type');
  const kind = Object.hasOwn(PLAN_TYPES, planType.toUpperCase()) ? PLAN_TYPES[planType.toUpperCase()] : undefined;
  if (!kind) {
    problems.push(`plan_type ${JSON.stringify(planType)} is not a plan type (expected CPP, LAC, UCPP or one of ${Object.values(PLAN_KINDS).map((k) => k.code).join(', ')})`);
  }
  const start = cell(record, 'start_date');
  const end = cell(record, 'end_date');
  if (!isIsoCalendarDate(start)) problems.push(`start_date ${JSON.stringify(start)} is not a real date written YYYY-MM-DD`);
  if (end !== '' && !isIsoCalendarDate(end)) problems.push(`end_date ${JSON.stringify(end)} is not a real date written YYYY-MM-DD`);
  if (end !== '' && isIsoCalendarDate(start) && isIsoCalendarDate(end) && end < start) {
    problems.push(`end_date ${JSON.stringify(end)} is before start_date ${JSON.stringify(start)}`);
  }
  const laCode = cell(record, 'la_code');
  if (!/^\d{3}$/.test(laCode) || Number(laCode) < 201) problems.push(`la_code ${JSON.stringify(laCode)} is not a DfE local authority number (expected 3 digits from 201 to 999)`);

  if (problems.length > 0 || !kind) return { ok: false, result: 'CPR07', reason: problems.join('; ') };

  const localId = cell(record, 'local_id');
  return {
    ok: true,
    value: {
      nhsNumber: nhs.value,
      ...(status === '01' ? { status: '01' as const } : {}),
      kind,
      start,
      ...(end !== '' ? { end } : {}),
      laCode,
      ...(localId !== '' ? { localId } : {}),
    },
  };
}

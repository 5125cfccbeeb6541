import type { GatewayIssue } from '../errors/gateway-error.js';
import type { CpisUploadTree } from '../formats/cpis-csv.js';
import { checkCpisRecord } from '../formats/cpis-csv.js';
import type { ParsedMessage } from '../formats/types.js';
import type { RecordDraft } from '../mapping/engine.js';
import { mapMessage } from '../mapping/map-message.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import type { Provenance } from '../model/provenance.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { Queryable } from '../store/db.js';
import { findPersonByIdentifier } from '../store/people-repo.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, auditNow, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { commitDrafts } from './ingest.js';

/** CP-IS upload record result codes (CP-ISUploadRecordResponse). */
export const CPIS_RESULT_CODES = {
  CPR01: 'No match: the NHS number is not known to the person index and the record does not give it as verified',
  CPR03: 'NHS number not verified (verification status 01 required)',
  CPR04: 'Invalid NHS number',
  CPR06: 'Success',
  CPR07: 'Failure',
} as const;
export type CpisResultCode = keyof typeof CPIS_RESULT_CODES;

/** The answer for one upload record. `id` echoes the LA's local id, else the file line. */
export interface CpisRecordResult {
  line: number;
  id: string;
  result: CpisResultCode;
  reason?: string | undefined;
  planId?: string | undefined;
  outcome?: WriteOutcome | 'valid' | undefined;
}

export interface CpisUploadOutcome {
  format: 'cpis-csv';
  stored: boolean;
  mappings: string[];
  transmissionQuantity: number;
  accepted: number;
  results: CpisRecordResult[];
  warnings: GatewayIssue[];
}

class Rollback extends Error {
  constructor(readonly results: CpisRecordResult[]) {
    super('rollback');
  }
}

function issueText(issues: GatewayIssue[]): string {
  return issues.map((i) => `${i.expression?.[0] ?? ''}: ${i.diagnostics}`).join('; ');
}

/**
 * A CP-IS style bulk upload: every record is judged on its own and answered with a
 * CP-IS result code (CPR06 success, CPR01 no match, CPR03 not verified, CPR04 invalid
 * NHS number, CPR07 failure with the reason). The records that succeed commit together
 * with one audit entry; a record that fails changes nothing. File-level problems
 * (unreadable CSV, wrong header) were already refused by the reader with 400.
 */
export async function ingestCpisUpload(ctx: GatewayContext, scope: AuditScope, requester: Requester, parsed: ParsedMessage<CpisUploadTree>, store: boolean): Promise<CpisUploadOutcome> {
  if (store) {
    const decision = authorise(requester, 'ingest:la-return');
    if (!decision.permit) return refuse(ctx, scope, decision);
  }
  const records = parsed.tree.records;
  const laCode = requester.agency.startsWith('la:') ? requester.agency.slice(3) : null;
  const mapped = mapMessage(ctx.mappings, 'cpis-csv', parsed.tree, { agency: requester.agency, agencyCode: laCode ?? '' });
  const draftsOf = (i: number): RecordDraft[] => mapped.drafts.filter((d) => d.sourcePath === `records[${i}]`);
  const issuesOf = (i: number): GatewayIssue[] => mapped.issues.filter((x) => x.severity === 'error' && x.expression?.[0]?.startsWith(`records[${i}]`));
  const warnings = [...parsed.warnings, ...mapped.issues.filter((x) => x.severity !== 'error')];
  const provenance: Provenance = { agency: requester.agency, format: 'cpis-csv', receivedAt: ctx.now().toISOString(), messageId: parsed.messageId ?? scope.requestId, mapping: mapped.mappings.join(', ') };

  const judge = async (tx: Queryable): Promise<CpisRecordResult[]> => {
    const results: CpisRecordResult[] = [];
    for (const [i, record] of records.entries()) {
      const id = record.values.local_id || String(record.line);
      const base = { line: record.line, id };
      const check = checkCpisRecord(record);
      if (!check.ok) {
        results.push({ ...base, result: check.result, reason: check.reason });
        continue;
      }
      if (laCode === null || check.value.laCode !== laCode) {
        results.push({ ...base, result: 'CPR07', reason: `la_code ${check.value.laCode} is not the uploading local authority (${requester.agency}); an LA uploads only its own plans` });
        continue;
      }
      const mapIssues = issuesOf(i);
      if (mapIssues.length > 0) {
        results.push({ ...base, result: 'CPR07', reason: issueText(mapIssues) });
        continue;
      }
      const nhs = checkNhsNumber(check.value.nhsNumber).value;
      const known = await findPersonByIdentifier(tx, NHS_NUMBER_SYSTEM, nhs);
      const knownStatus = known?.identifiers.find((x) => x.system === NHS_NUMBER_SYSTEM && x.value === nhs)?.verificationStatus;
      if (!known && check.value.status !== '01') {
        results.push({ ...base, result: 'CPR01', reason: CPIS_RESULT_CODES.CPR01 });
        continue;
      }
      if (check.value.status !== '01' && knownStatus !== '01') {
        results.push({ ...base, result: 'CPR03', reason: `the person index holds this NHS number with status ${knownStatus ?? 'none'}; CP-IS needs 01` });
        continue;
      }
      const committed = await commitDrafts(ctx, tx, draftsOf(i), requester.agency, provenance, store);
      if (committed.issues.length > 0) {
        results.push({ ...base, result: 'CPR07', reason: issueText(committed.issues) });
        continue;
      }
      const plan = committed.outcomes.find((o) => o.type === 'ProtectionPlan');
      results.push({ ...base, result: 'CPR06', planId: plan?.id, outcome: plan?.outcome });
    }
    return results;
  };

  const summary = (results: CpisRecordResult[]): CpisUploadOutcome => ({
    format: 'cpis-csv',
    stored: store,
    mappings: mapped.mappings,
    transmissionQuantity: records.length,
    accepted: results.filter((r) => r.result === 'CPR06').length,
    results,
    warnings,
  });

  if (!store) {
    let results: CpisRecordResult[] = [];
    try {
      await ctx.db.transaction(async (tx) => {
        throw new Rollback(await judge(tx));
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      results = err.results;
    }
    await auditNow(ctx, scope, { action: 'validate', outcome: 'permit', status: 200, reason: `validated a CP-IS upload of ${records.length} records; nothing stored` });
    return summary(results);
  }
  return inAuditedTransaction(ctx, scope, async (tx) => {
    const results = await judge(tx);
    const accepted = results.filter((r) => r.result === 'CPR06');
    await auditInTransaction(tx, ctx, scope, {
      action: accepted.some((r) => r.outcome === 'created') ? 'create' : 'update',
      outcome: 'permit',
      status: 200,
      reason: `CP-IS upload: ${accepted.length} of ${records.length} records accepted`,
      records: accepted.map((r) => r.planId).filter((x): x is string => x !== undefined),
    });
    return summary(results);
  });
}

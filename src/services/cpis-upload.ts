import type { GatewayError, GatewayIssue } from '../errors/gateway-error.js';
import { errorFromIssues } from '../errors/gateway-error.js';
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
import type { WriteOutcome } from '../store/plans-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, auditNow, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { deterministicId } from '../model/ids.js';
import { PersonSchema } from '../model/person.js';
import { ProtectionPlanSchema } from '../model/protection-plan.js';
import { CpisBulkIndex } from './cpis-bulk.js';
import { commitDrafts, schemaIssues } from './ingest.js';
import { PERSON_INDEX_LOCK } from './person-index.js';

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

/** Records resolved and written together: what a chunk reads and writes stays a few statements of modest size. */
const CHUNK = 1000;

/** The record a mapping path or issue belongs to: `records[12]…` → 12. */
function recordIndex(path: string | undefined): number | undefined {
  const m = path === undefined ? null : /^records\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/** A path into a chunk of records as a path into the whole upload: `records[2]…` → `records[1002]…`. */
function shiftPath(path: string, by: number): string {
  return by === 0 ? path : path.replace(/^records\[(\d+)\]/, (_, i: string) => `records[${Number(i) + by}]`);
}

/** The 422 for an upload none of whose records was accepted: each record's result as an issue, its CPR code as the rule. */
function noRecordAccepted(results: CpisRecordResult[]): GatewayError {
  return errorFromIssues(
    'GW_ERR_VALIDATION_FAILED',
    results.map((r) => ({ severity: 'error', code: 'business-rule', expression: [`line ${r.line}`], rule: r.result, diagnostics: `${r.result}: ${r.reason ?? CPIS_RESULT_CODES[r.result]}` })),
  );
}

class Rollback extends Error {
  constructor(readonly judged: { results: CpisRecordResult[]; warnings: GatewayIssue[] }) {
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
  const env = { agency: requester.agency, agencyCode: laCode ?? '' };
  const mappings = ctx.mappings.forFormat('cpis-csv').map((m) => m.label);
  const provenance: Provenance = { agency: requester.agency, format: 'cpis-csv', receivedAt: ctx.now().toISOString(), messageId: parsed.messageId ?? scope.requestId, mapping: mappings.join(', ') };
  const owner = requester.agency;

  /** Resolves and writes one record through the chunk's state; null when it needs the ordinary path. */
  const bulkCommit = (index: CpisBulkIndex, drafts: RecordDraft[]): { issues: GatewayIssue[] } | { planId: string; outcome: WriteOutcome } | null => {
    const [person, plan] = drafts;
    if (drafts.length !== 2 || person?.type !== 'Person' || plan?.type !== 'ProtectionPlan' || plan.refs.some((r) => r.enclosing !== person)) return null;
    // As commitDrafts: the person against the schema, resolved, then the plan that refers to it.
    const candidate = PersonSchema.safeParse({ ...person.fields, identifiers: person.fields.identifiers ?? [], id: 'pending', owner, provenance, lineage: person.lineage });
    if (!candidate.success) return { issues: schemaIssues(person, candidate.error) };
    const resolved = index.resolve(candidate.data);
    if (!resolved) return null;
    const fields: Record<string, unknown> = { ...plan.fields };
    for (const ref of plan.refs) fields[ref.target] = resolved.person.id;
    const id = deterministicId(plan.type, owner, ...plan.keyValues);
    const parsedPlan = ProtectionPlanSchema.safeParse({ status: 'recorded', sourceIdentifiers: [], ...fields, id, owner, provenance, lineage: plan.lineage });
    if (!parsedPlan.success) return { issues: schemaIssues(plan, parsedPlan.error) };
    const subjectSource = plan.refs.some((r) => r.target === 'subjectPersonId') ? resolved.sourceId : undefined;
    return { planId: id, outcome: index.plan(parsedPlan.data, subjectSource) };
  };

  /**
   * Maps records [from, to) as a message of their own, so that an upload's drafts are never
   * all in memory at once; paths are put back to the record's place in the whole file.
   * Issues that belong to no record (the same for every chunk) are kept from the first.
   */
  const mapChunk = (from: number, to: number) => {
    const mapped = mapMessage(ctx.mappings, 'cpis-csv', { records: records.slice(from, to) }, env);
    const drafts = new Map<number, RecordDraft[]>();
    for (const d of mapped.drafts) {
      const i = recordIndex(d.sourcePath);
      if (i === undefined) continue;
      // Each draft is rewritten once (the plan's ref to its person is the same draft object).
      d.sourcePath = shiftPath(d.sourcePath, from);
      d.lineage = d.lineage.map((l) => ({ ...l, source: shiftPath(l.source, from) }));
      d.refs = d.refs.map((r) => ({ ...r, sourcePath: shiftPath(r.sourcePath, from) }));
      drafts.set(from + i, [...(drafts.get(from + i) ?? []), d]);
    }
    const errors = new Map<number, GatewayIssue[]>();
    const warnings: GatewayIssue[] = [];
    for (const x of mapped.issues) {
      const i = recordIndex(x.expression?.[0]);
      if (i === undefined && from > 0) continue;
      const shifted = i === undefined ? x : { ...x, expression: x.expression?.map((e) => shiftPath(e, from)) };
      if (x.severity !== 'error') warnings.push(shifted);
      else if (i !== undefined) errors.set(from + i, [...(errors.get(from + i) ?? []), shifted]);
    }
    return { drafts, errors, warnings };
  };

  const judge = async (tx: Queryable): Promise<{ results: CpisRecordResult[]; warnings: GatewayIssue[] }> => {
    // A bulk upload holds the person index for its transaction (see PERSON_INDEX_LOCK).
    await tx.query(`SELECT pg_advisory_xact_lock(${PERSON_INDEX_LOCK})`);
    const results: CpisRecordResult[] = [];
    const warnings = [...parsed.warnings];
    // A chunk of records at a time, in file order: mapped, checked on their own, then judged
    // against the person index, whose state for the chunk is read in a few statements and
    // whose changes are written in a few.
    for (let from = 0; from === 0 || from < records.length; from += CHUNK) {
      const to = Math.min(from + CHUNK, records.length);
      const mapped = mapChunk(from, to);
      for (const w of mapped.warnings) warnings.push(w);
      // The chunk's answers by position, appended in file order once all are known.
      const answered: CpisRecordResult[] = [];
      const ready: { i: number; base: { line: number; id: string }; nhs: string; status: string | undefined; planIds: string[] }[] = [];
      for (let i = from; i < to; i++) {
        const record = records[i]!;
        const id = record.values.local_id || String(record.line);
        const base = { line: record.line, id };
        const check = checkCpisRecord(record);
        if (!check.ok) {
          answered[i - from] = { ...base, result: check.result, reason: check.reason };
          continue;
        }
        if (laCode === null || check.value.laCode !== laCode) {
          answered[i - from] = { ...base, result: 'CPR07', reason: `la_code ${check.value.laCode} is not the uploading local authority (${requester.agency}); an LA uploads only its own plans` };
          continue;
        }
        const mapIssues = mapped.errors.get(i) ?? [];
        if (mapIssues.length > 0) {
          answered[i - from] = { ...base, result: 'CPR07', reason: issueText(mapIssues) };
          continue;
        }
        const planIds = (mapped.drafts.get(i) ?? []).filter((d) => d.type === 'ProtectionPlan').map((d) => deterministicId(d.type, owner, ...d.keyValues));
        ready.push({ i, base, nhs: checkNhsNumber(check.value.nhsNumber).value, status: check.value.status, planIds });
      }
      const load = (rest: typeof ready) => CpisBulkIndex.load(tx, ctx.index, owner, rest.map((r) => r.nhs), rest.flatMap((r) => r.planIds));
      let index = await load(ready);
      for (const [k, { i, base, nhs, status }] of ready.entries()) {
        const known = index.knownPerson(nhs);
        const knownStatus = known?.identifiers.find((x) => x.system === NHS_NUMBER_SYSTEM && x.value === nhs)?.verificationStatus;
        if (!known && status !== '01') {
          answered[i - from] = { ...base, result: 'CPR01', reason: CPIS_RESULT_CODES.CPR01 };
          continue;
        }
        if (status !== '01' && knownStatus !== '01') {
          answered[i - from] = { ...base, result: 'CPR03', reason: `the person index holds this NHS number with status ${knownStatus ?? 'none'}; CP-IS needs 01` };
          continue;
        }
        const drafts = mapped.drafts.get(i) ?? [];
        const bulk = bulkCommit(index, drafts);
        if (bulk && 'issues' in bulk) {
          answered[i - from] = { ...base, result: 'CPR07', reason: issueText(bulk.issues) };
          continue;
        }
        if (bulk) {
          answered[i - from] = { ...base, result: 'CPR06', planId: bulk.planId, outcome: bulk.outcome };
          continue;
        }
        // Off the simple path: write what the chunk has so far, take the ordinary path, read afresh.
        await index.flush();
        const committed = await commitDrafts(ctx, tx, drafts, owner, provenance, store);
        index = await load(ready.slice(k + 1));
        if (committed.issues.length > 0) {
          answered[i - from] = { ...base, result: 'CPR07', reason: issueText(committed.issues) };
          continue;
        }
        const plan = committed.outcomes.find((o) => o.type === 'ProtectionPlan');
        answered[i - from] = { ...base, result: 'CPR06', planId: plan?.id, outcome: plan?.outcome };
      }
      await index.flush();
      for (const r of answered) results.push(r);
    }
    return { results, warnings };
  };

  const summary = ({ results, warnings }: { results: CpisRecordResult[]; warnings: GatewayIssue[] }): CpisUploadOutcome => ({
    format: 'cpis-csv',
    stored: store,
    mappings,
    transmissionQuantity: records.length,
    accepted: results.filter((r) => r.result === 'CPR06').length,
    results,
    warnings,
  });

  if (!store) {
    let judged: Awaited<ReturnType<typeof judge>>;
    try {
      await ctx.db.transaction(async (tx) => {
        throw new Rollback(await judge(tx));
      });
      throw new Error('unreachable: the check transaction always rolls back');
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      judged = err.judged;
    }
    await auditNow(ctx, scope, { action: 'validate', outcome: 'permit', status: 200, reason: `validated a CP-IS upload of ${records.length} records; nothing stored` });
    return summary(judged);
  }
  return inAuditedTransaction(ctx, scope, async (tx) => {
    const judged = await judge(tx);
    const accepted = judged.results.filter((r) => r.result === 'CPR06');
    // Not one record taken: a 200 would read as success, so the upload is refused whole
    // (422, one issue per record with its CP-IS result code); nothing was written.
    if (accepted.length === 0) throw noRecordAccepted(judged.results);
    await auditInTransaction(tx, ctx, scope, {
      action: accepted.some((r) => r.outcome === 'created') ? 'create' : 'update',
      outcome: 'permit',
      status: 200,
      reason: `CP-IS upload: ${accepted.length} of ${records.length} records accepted`,
      records: accepted.map((r) => r.planId).filter((x): x is string => x !== undefined),
    });
    return summary(judged);
  });
}

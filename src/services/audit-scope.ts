import { AuditEntrySchema } from '../model/audit-entry.js';
import type { AuditEntry } from '../model/audit-entry.js';
import { appendAuditEntries } from '../audit/audit-log.js';
import { GatewayError } from '../errors/gateway-error.js';
import { storableText } from '../errors/well-formed.js';
import type { Decision, Requester } from '../policy/authorise.js';
import type { Queryable } from '../store/db.js';
import type { GatewayContext } from './context.js';

/**
 * The audit duty of one request that touches personal data. A use case records its
 * entry through the scope; if the request fails before it does, the error handler
 * records the failure, so every such request leaves exactly one entry.
 */
export interface AuditScope {
  requestId: string;
  requester: Requester | null;
  action: AuditEntry['action'];
  resourceType: string;
  query: string | null;
  audited: boolean;
}

export type AuditOutcome = Pick<AuditEntry, 'outcome' | 'status' | 'reason'> & Partial<Pick<AuditEntry, 'subjects' | 'records' | 'action' | 'decisions' | 'override'>>;

/** Text quoted from the input, made storable in jsonb (see errors/well-formed.ts). */
const storable = <T extends string | null | undefined>(s: T): T => (typeof s === 'string' ? storableText(s) : s) as T;

export function buildEntry(scope: AuditScope, at: Date, outcome: AuditOutcome): AuditEntry {
  return AuditEntrySchema.parse({
    recordedAt: at.toISOString(),
    requestId: scope.requestId,
    actor: { sub: scope.requester?.sub ?? null, agency: scope.requester?.agency ?? null, role: scope.requester?.role ?? null },
    purpose: scope.requester?.purposeClaim ?? null,
    action: outcome.action ?? scope.action,
    resourceType: scope.resourceType,
    query: storable(scope.query),
    subjects: outcome.subjects ?? [],
    records: outcome.records ?? [],
    outcome: outcome.outcome,
    status: outcome.status,
    reason: storable(outcome.reason),
    ...(outcome.decisions && outcome.decisions.length > 0 ? { decisions: outcome.decisions } : {}),
    ...(outcome.override ? { override: { reason: storable(outcome.override.reason) } } : {}),
  });
}

/** Writes the entry through the group-commit writer; resolves only once it is durable. */
export async function auditNow(ctx: GatewayContext, scope: AuditScope, outcome: AuditOutcome): Promise<void> {
  try {
    await ctx.audit.write(buildEntry(scope, ctx.now(), outcome));
  } catch (err) {
    throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE', 'the access could not be audited, so it was not answered; try again shortly', { cause: err });
  }
  scope.audited = true;
}

/** Writes the entry inside the caller's transaction, so it commits with the data it describes. */
export async function auditInTransaction(tx: Queryable, ctx: GatewayContext, scope: AuditScope, outcome: AuditOutcome): Promise<void> {
  await appendAuditEntries(tx, [buildEntry(scope, ctx.now(), outcome)]);
}

/** The token claim a refusal is about, named in the OperationOutcome when the caller names no other field. */
const REFUSED_CLAIM: Partial<Record<string, string>> = { GW_ERR_FORBIDDEN_PURPOSE: 'purpose_of_use', GW_ERR_FORBIDDEN_ROLE: 'role' };

/** Audits a refusal, then throws it: a denied request is recorded before it is answered. */
export async function refuse(ctx: GatewayContext, scope: AuditScope, decision: Extract<Decision, { permit: false }>, expression?: string): Promise<never> {
  const named = expression ?? REFUSED_CLAIM[decision.code];
  const err = new GatewayError(decision.code, decision.reason, named ? { expression: named } : {});
  await auditNow(ctx, scope, { outcome: 'deny', status: err.status, reason: decision.reason });
  throw err;
}

/**
 * Runs `fn` in a transaction shared with other requests' (group commit, for small writes
 * that come in bursts), with this request's audit entry appended in it; resolves after the
 * commit. A failure to commit answers 503.
 */
export async function inGroupCommit<T>(ctx: GatewayContext, scope: AuditScope, outcome: AuditOutcome, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    const value = await ctx.groupCommit.run(async (tx) => ({ value: await fn(tx), audit: [buildEntry(scope, ctx.now(), outcome)] }));
    scope.audited = true;
    return value;
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE', 'the change and its audit entry could not be committed; nothing was changed', { cause: err });
  }
}

/** Runs a transaction whose commit includes the audit entry; a failure to commit answers 503. */
export async function inAuditedTransaction<T>(ctx: GatewayContext, scope: AuditScope, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    const result = await ctx.db.transaction(fn);
    scope.audited = true;
    return result;
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE', 'the change and its audit entry could not be committed; nothing was changed', { cause: err });
  }
}

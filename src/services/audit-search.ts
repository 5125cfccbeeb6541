/**
 * Reading the audit trail back: FHIR AuditEvent search for auditors, and the accounting of
 * disclosures of one person's records (for a DPO or a subject access request). An auditor
 * sees what their own agency's users did and every decision about their agency's records;
 * reading the trail is itself audited.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditDecision, AuditEntry } from '../model/audit-entry.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { currentPersonId } from '../store/person-index-repo.js';
import { authorise } from '../policy/authorise.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

export interface AuditQuery {
  /** The patient by NHS number (patient:identifier). */
  nhsNumber?: string | undefined;
  /** recordedAt bounds, ISO instants: from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  /** A user (sub) or an agency id. */
  agent?: string | undefined;
  limit: number;
}

export interface AuditRow {
  seq: number;
  entry: AuditEntry;
}

/** Every id a person has had: itself and the people merged into it. */
async function personIds(ctx: GatewayContext, personId: string): Promise<string[]> {
  const rows = await ctx.db.query<{ id: string }>('SELECT id FROM persons WHERE id = $1 OR merged_into = $1', [personId]);
  return rows.map((r) => r.id);
}

async function personByNhsNumber(ctx: GatewayContext, nhsNumber: string): Promise<string | null> {
  const rows = await ctx.db.query<{ person_id: string }>('SELECT person_id FROM person_identifiers WHERE system = $1 AND value = $2', [NHS_NUMBER_SYSTEM, nhsNumber]);
  return rows[0]?.person_id ?? null;
}

/**
 * AuditEvents an auditor may see, newest first: entries by their agency's users, and entries
 * that decided on their agency's records; narrowed by patient, time and agent.
 */
export async function searchAuditTrail(ctx: GatewayContext, scope: AuditScope, requester: Requester, q: AuditQuery): Promise<AuditRow[]> {
  const decision = authorise(requester, 'audit:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const where: string[] = [`(entry->'actor'->>'agency' = $1 OR entry->'decisions' @> $2::jsonb)`];
  const params: unknown[] = [requester.agency, JSON.stringify([{ owner: requester.agency }])];
  let subjects: string[] = [];
  if (q.nhsNumber !== undefined) {
    const person = await personByNhsNumber(ctx, q.nhsNumber);
    subjects = person ? await personIds(ctx, person) : [];
    if (subjects.length === 0) {
      await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: [], records: [] });
      return [];
    }
    where.push(`(${subjects.map((id) => `entry->'subjects' @> $${params.push(JSON.stringify([id]))}::jsonb`).join(' OR ')})`);
  }
  if (q.from !== undefined) where.push(`recorded_at >= $${params.push(q.from)}`);
  if (q.to !== undefined) where.push(`recorded_at < $${params.push(q.to)}`);
  if (q.agent !== undefined) where.push(`(entry->'actor'->>'sub' = $${params.push(q.agent)} OR entry->'actor'->>'agency' = $${params.length})`);
  const rows = await ctx.db.query<{ seq: string | number; entry: AuditEntry }>(`SELECT seq, entry FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.push(q.limit)}`, params);
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects, records: [] });
  return rows.map((r) => ({ seq: Number(r.seq), entry: r.entry }));
}

export interface Disclosure {
  /** The audit entry this decision is in (GET /fhir/AuditEvent, the inclusion proof). */
  auditEntry: number;
  at: string;
  recipient: { agency: string | null; user: string | null; role: string | null };
  purpose: string | null;
  action: AuditEntry['action'];
  record: string;
  recordType: string;
  decision: 'released' | 'withheld';
  released?: string[];
  withheld?: string[];
  reason: string;
  agreements?: string[];
  lawfulBasis?: string;
  consent?: string;
  overrideReason?: string;
}

/**
 * The accounting of disclosures of one person's records held by the auditor's agency: every
 * time another agency was given (or refused) one of them — who, when, what fields, why,
 * under which agreement and lawful basis — newest first. Decisions not to disclose are listed
 * as carefully as disclosures.
 */
export async function accountOfDisclosures(ctx: GatewayContext, scope: AuditScope, requester: Requester, personId: string, limit: number): Promise<{ person: string; controller: string; disclosures: Disclosure[] }> {
  const decision = authorise(requester, 'audit:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const current = (await currentPersonId(ctx.db, personId)) ?? personId;
  const ids = await personIds(ctx, current);
  if (ids.length === 0) throw new GatewayError('GW_ERR_NOT_FOUND', `no person ${personId} is in the person index`, { expression: 'id' });
  const params: unknown[] = [];
  const any = ids.map((id) => `entry->'decisions' @> $${params.push(JSON.stringify([{ subject: id, owner: requester.agency }]))}::jsonb`).join(' OR ');
  const rows = await ctx.db.query<{ seq: string | number; entry: AuditEntry }>(`SELECT seq, entry FROM audit_log WHERE ${any} ORDER BY seq DESC LIMIT $${params.push(limit)}`, params);
  const disclosures: Disclosure[] = [];
  for (const { seq, entry } of rows) {
    // The agency's own users reading its own records are not disclosures.
    if (entry.actor.agency === requester.agency) continue;
    for (const d of (entry.decisions ?? []).filter((x: AuditDecision) => x.owner === requester.agency && x.subject !== undefined && ids.includes(x.subject))) {
      disclosures.push({
        auditEntry: Number(seq),
        at: entry.recordedAt,
        recipient: { agency: entry.actor.agency, user: entry.actor.sub, role: entry.actor.role },
        purpose: entry.purpose,
        action: entry.action,
        record: d.record,
        recordType: d.type,
        decision: d.permit ? 'released' : 'withheld',
        ...(d.released ? { released: d.released } : {}),
        ...(d.withheld ? { withheld: d.withheld } : {}),
        reason: d.reason,
        ...(d.agreements ? { agreements: d.agreements } : {}),
        ...(d.lawfulBasis ? { lawfulBasis: d.lawfulBasis } : {}),
        ...(d.consent ? { consent: d.consent } : {}),
        ...(entry.override && d.consent === 'override' ? { overrideReason: entry.override.reason } : {}),
      });
    }
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: ids, records: [] });
  return { person: current, controller: requester.agency, disclosures };
}

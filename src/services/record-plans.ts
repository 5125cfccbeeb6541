import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { PlanDraft } from '../mapping/fhir-plans.js';
import { deterministicId } from '../model/ids.js';
import type { Person } from '../model/person.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { ProtectionPlanSchema } from '../model/protection-plan.js';
import type { Provenance } from '../model/provenance.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { findPersonByIdentifier } from '../store/people-repo.js';
import { resolveIncomingPerson } from './person-index.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import { upsertPlan } from '../store/plans-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

export interface PlanSubmission {
  draft: PlanDraft;
  /** Where the plan sits in the request (`CareTeam`, `Bundle.entry[1].resource`), for error messages. */
  path: string;
}

export interface PlanWriteResult {
  plan: ProtectionPlan;
  outcome: WriteOutcome;
  nhsNumber: string;
  person: Person;
  personCreated: boolean;
}

/** A plan's deterministic id: the owner's own plan identifiers when sent, else subject + kind + start. */
function planId(owner: string, draft: PlanDraft): string {
  if (draft.sourceIdentifiers.length > 0) {
    return deterministicId('ProtectionPlan', owner, ...draft.sourceIdentifiers.map((i) => `${i.system}|${i.value}`).sort());
  }
  return deterministicId('ProtectionPlan', owner, draft.nhsNumber, draft.kind, draft.periodStart);
}

/**
 * Records a local authority's plans (CP-IS upload). All plans of one request commit
 * together with their audit entry, or none do. Only the owning LA may write its plans;
 * the NHS number must be verified (status 01), as CP-IS requires (its CPR03).
 */
export async function recordPlans(ctx: GatewayContext, scope: AuditScope, requester: Requester, submissions: PlanSubmission[], format: Provenance['format']): Promise<PlanWriteResult[]> {
  const decision = authorise(requester, 'plan:write');
  if (!decision.permit) return refuse(ctx, scope, decision);

  const foreign = submissions.filter((s) => (s.draft.owner ?? requester.agency) !== requester.agency);
  if (foreign.length > 0) {
    const reason = `only the owning local authority may record or change its plans; ${requester.agency} cannot write plans managed by ${[...new Set(foreign.map((s) => s.draft.owner))].join(', ')}`;
    return refuse(ctx, scope, { permit: false, code: 'GW_ERR_FORBIDDEN_OWNER', reason }, `${foreign[0]?.path ?? 'CareTeam'}.managingOrganization`);
  }

  const receivedAt = ctx.now().toISOString();
  const provenance: Provenance = { agency: requester.agency, format, receivedAt, ...(scope.requestId ? { messageId: scope.requestId } : {}) };

  return inAuditedTransaction(ctx, scope, async (tx) => {
    const results: PlanWriteResult[] = [];
    const issues: GatewayIssue[] = [];
    let onlyUnverified = true;
    for (const { draft, path } of submissions) {
      const existing = await findPersonByIdentifier(tx, NHS_NUMBER_SYSTEM, draft.nhsNumber);
      const known = existing?.identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM && i.value === draft.nhsNumber)?.verificationStatus;
      const status = draft.verificationStatus ?? known;
      if (status !== '01') {
        issues.push({
          severity: 'error',
          code: 'business-rule',
          expression: [draft.person ? `${path}.subject` : `${path}.subject.identifier`],
          diagnostics: `NHS number ${draft.nhsNumber} must be verified (verification status 01) before a plan is recorded against it; received ${status ? `status ${status}` : 'no verification status'}`,
        });
        continue;
      }
      const incoming: Person = {
        id: 'pending',
        identifiers: [{ system: NHS_NUMBER_SYSTEM, value: draft.nhsNumber, verificationStatus: status }],
        names: [],
        addresses: [],
        ...draft.person,
        owner: requester.agency,
        provenance,
        securityLabel: 'N',
      };
      // Through the person index like every other inbound person: found by the verified NHS number.
      const resolved = await resolveIncomingPerson(tx, ctx.index, incoming, requester.agency, draft.person ? `${path}.subject` : `${path}.subject.identifier`, receivedAt);
      if ('issues' in resolved) {
        onlyUnverified = false;
        issues.push(...resolved.issues);
        continue;
      }
      const { person } = resolved;
      const created = resolved.outcome === 'created';
      const parsed = ProtectionPlanSchema.safeParse({
        id: planId(requester.agency, draft),
        subjectPersonId: person.id,
        kind: draft.kind,
        period: { start: draft.periodStart, ...(draft.periodEnd ? { end: draft.periodEnd } : {}) },
        owner: requester.agency,
        status: draft.enteredInError ? 'entered-in-error' : 'recorded',
        sourceIdentifiers: draft.sourceIdentifiers,
        provenance,
        securityLabel: draft.securityLabel,
      });
      if (!parsed.success) {
        onlyUnverified = false;
        for (const i of parsed.error.issues) issues.push({ severity: 'error', code: 'invalid', expression: [`${path}.${i.path.join('.')}`], diagnostics: i.message });
        continue;
      }
      const outcome = await upsertPlan(tx, parsed.data, resolved.sourceId);
      results.push({ plan: parsed.data, outcome, nhsNumber: draft.nhsNumber, person, personCreated: created });
    }
    if (issues.length > 0) throw errorFromIssues(onlyUnverified ? 'GW_ERR_NHS_NUMBER_NOT_VERIFIED' : 'GW_ERR_INVALID_RESOURCE', issues);
    if (results.length === 0) throw new GatewayError('GW_ERR_INVALID_RESOURCE', 'the request holds no protection plan');
    await auditInTransaction(tx, ctx, scope, {
      action: results.some((r) => r.outcome === 'created') ? 'create' : 'update',
      outcome: 'permit',
      status: results.some((r) => r.outcome === 'created') ? 201 : 200,
      reason: decision.reason,
      subjects: [...new Set(results.map((r) => r.person.id))],
      records: results.map((r) => r.plan.id),
    });
    return results;
  });
}

import { GatewayError } from '../errors/gateway-error.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { getPlanWithSubject } from '../store/plans-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

/**
 * A local authority reads one of its own plans by id (what `Location` points to after a
 * create). A plan held by another agency answers 404, so its existence is not confirmed.
 */
export async function readPlan(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<{ plan: ProtectionPlan; nhsNumber: string }> {
  const decision = authorise(requester, 'plan:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const found = await getPlanWithSubject(ctx.db, id, NHS_NUMBER_SYSTEM);
  if (!found || found.plan.owner !== requester.agency || !found.nhsNumber) {
    throw new GatewayError('GW_ERR_NOT_FOUND', `no plan CareTeam/${id} is held by ${requester.agency}`, { expression: 'id' });
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: [found.plan.subjectPersonId], records: [found.plan.id] });
  return { plan: found.plan, nhsNumber: found.nhsNumber };
}

import type { Request, Response } from 'express';
import type { Router } from 'express';
import { toAccessAuditEvent } from '../../fhir/access-history.js';
import type { SearchEntry } from '../../fhir/bundle.js';
import { searchset } from '../../fhir/bundle.js';
import { toOrganization } from '../../fhir/organization.js';
import { toCareTeam, toFlag } from '../../fhir/plans.js';
import type { CpisAnswer } from '../../services/cpis-query.js';
import { queryProtectionPlans } from '../../services/cpis-query.js';
import type { GatewayContext } from '../../services/context.js';
import { agencyOf } from '../../services/context.js';
import { audited } from '../authenticate.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';
import { nhsNumberParam, searchParams, unscheduledHeader } from '../search-params.js';
import type { AuthMiddleware } from '../authenticate.js';

/** The plans (match), their owning LAs with contact numbers (include) and the access history (include). */
function renderAnswer(ctx: GatewayContext, answer: CpisAnswer, as: 'CareTeam' | 'Flag'): SearchEntry[] {
  const entries: SearchEntry[] = answer.plans.map((plan) => {
    const owner = agencyOf(ctx, plan.owner);
    return { mode: 'match', resource: as === 'CareTeam' ? toCareTeam(plan, answer.nhsNumber, owner, answer.today) : toFlag(plan, answer.nhsNumber, owner, answer.today) };
  });
  for (const ownerId of new Set(answer.plans.map((p) => p.owner))) entries.push({ mode: 'include', resource: toOrganization(agencyOf(ctx, ownerId)) });
  for (const access of answer.accesses) entries.push({ mode: 'include', resource: toAccessAuditEvent(access, agencyOf(ctx, access.accessor.agency), answer.nhsNumber) });
  return entries;
}

/**
 * GET /fhir/CareTeam and GET /fhir/Flag: the CP-IS query, in its CareTeam and its Flag shape.
 * Routed on the app itself rather than through a router of their own: the hot path walks
 * one layer fewer.
 */
export function cpisRoutes(router: Pick<Router, 'get'>, ctx: GatewayContext, authenticate: AuthMiddleware): void {
  const handler = (as: 'CareTeam' | 'Flag') => async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['patient:identifier']);
    const nhsNumber = nhsNumberParam(params);
    const unscheduled = unscheduledHeader(req, as === 'CareTeam');
    const answer = await queryProtectionPlans(ctx, auditScope!, requester!, { nhsNumber, unscheduled });
    sendFhir(res, 200, searchset(ctx.publicBaseUrl, req.originalUrl, renderAnswer(ctx, answer, as), ctx.now().toISOString()));
  };
  router.get('/fhir/CareTeam', audited('search', 'CareTeam'), authenticate, handler('CareTeam'));
  router.get('/fhir/Flag', audited('search', 'Flag'), authenticate, handler('Flag'));
}

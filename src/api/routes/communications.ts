import type { Request, Response } from 'express';
import { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import { searchset } from '../../fhir/bundle.js';
import { agencyIdFromOrganization } from '../../fhir/organization.js';
import { agencyIdProblem } from '../../model/agency.js';
import type { GatewayContext } from '../../services/context.js';
import { readInbox } from '../../services/communications.js';
import { audited } from '../authenticate.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';
import { countParam, searchParams } from '../search-params.js';
import type { AuthMiddleware } from '../authenticate.js';

/** Accepts `Organization/la-383`, `la-383` or `la:383`. */
function recipientParam(raw: string | undefined): string {
  if (!raw) throw new GatewayError('GW_ERR_MISSING_PARAMETER', 'search parameter recipient is required: your own agency, as Organization/la-383 or la:383', { expression: 'recipient' });
  const id = agencyIdFromOrganization(raw);
  const problem = agencyIdProblem(id);
  if (problem) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `recipient '${raw}': ${problem}`, { expression: 'recipient' });
  return id;
}

/** GET /fhir/Communication?recipient=…: an agency's notifications, newest first. */
export function communicationsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/fhir/Communication', audited('search', 'Communication'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['recipient', '_count']);
    const recipient = recipientParam(params.get('recipient'));
    const limit = countParam(params, 50, 500);
    const items = await readInbox(ctx, auditScope!, requester!, recipient, { limit });
    sendFhir(res, 200, searchset(ctx.publicBaseUrl, req.originalUrl, items.map((resource) => ({ resource, mode: 'match' })), ctx.now().toISOString()));
  });
  return router;
}

import type { Request, Response } from 'express';
import { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import { agencyIdFromOrganization, toOrganization } from '../../fhir/organization.js';
import type { GatewayContext } from '../../services/context.js';
import type { AuthMiddleware } from '../authenticate.js';
import { sendFhir } from '../fhir-response.js';

/** GET /fhir/Organization/{id}: the directory of participating agencies (no personal data, so not audited). */
export function organizationsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/fhir/Organization/:id', authenticate, (req: Request<{ id: string }>, res: Response) => {
    const agency = ctx.agencies.get(agencyIdFromOrganization(req.params.id));
    if (!agency) throw new GatewayError('GW_ERR_NOT_FOUND', `no participating agency Organization/${req.params.id}`, { expression: 'id' });
    sendFhir(res, 200, toOrganization(agency));
  });
  return router;
}

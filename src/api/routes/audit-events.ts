import type { Request, Response } from 'express';
import { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import { toAuditEvent } from '../../fhir/audit-event.js';
import { searchset } from '../../fhir/bundle.js';
import { accountOfDisclosures, searchAuditTrail } from '../../services/audit-search.js';
import type { GatewayContext } from '../../services/context.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';
import { countParam, dateBounds, nhsNumberParam, searchParams } from '../search-params.js';

/** GET /fhir/AuditEvent (auditors) and GET /people/{id}/disclosures (the accounting of disclosures). */
export function auditEventsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();

  router.get('/fhir/AuditEvent', audited('search', 'AuditEvent'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['patient:identifier', 'agent', '_count'], ['date']);
    const nhsNumber = params.has('patient:identifier') ? nhsNumberParam(params) : undefined;
    const { from, to } = dateBounds(req.query.date);
    const rows = await searchAuditTrail(ctx, auditScope!, requester!, { nhsNumber, from, to, agent: params.get('agent'), limit: countParam(params, 100, 500) });
    sendFhir(res, 200, searchset(ctx.publicBaseUrl, req.originalUrl, rows.map((r) => ({ mode: 'match', resource: toAuditEvent(r.seq, r.entry) })), ctx.now().toISOString()));
  });

  router.get('/people/:id/disclosures', audited('read', 'Disclosures'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    const count = req.query._count;
    if (count !== undefined && typeof count !== 'string') throw new GatewayError('GW_ERR_INVALID_PARAMETER', "give '_count' once", { expression: '_count' });
    res.json(await accountOfDisclosures(ctx, auditScope!, requester!, req.params.id, countParam(new Map(count === undefined ? [] : [['_count', count]]), 500, 5000)));
  });
  return router;
}

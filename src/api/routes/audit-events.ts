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
import { countParam, dateBounds, nhsNumberParam } from '../search-params.js';

const SUPPORTED = ['patient:identifier', 'date', 'agent', '_count'];

/** GET /fhir/AuditEvent (auditors) and GET /people/{id}/disclosures (the accounting of disclosures). */
export function auditEventsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();

  router.get('/fhir/AuditEvent', audited('search', 'AuditEvent'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const query = req.query as Record<string, unknown>;
    for (const name of Object.keys(query)) {
      if (name !== '_format' && !SUPPORTED.includes(name)) throw new GatewayError('GW_ERR_UNSUPPORTED_PARAMETER', `search parameter '${name}' is not supported here; supported: ${SUPPORTED.join(', ')}`, { expression: name });
    }
    const single = (name: string): string | undefined => {
      const v = query[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new GatewayError('GW_ERR_INVALID_PARAMETER', `give '${name}' once`, { expression: name });
      return v;
    };
    const patient = single('patient:identifier');
    const nhsNumber = patient === undefined ? undefined : nhsNumberParam(new Map([['patient:identifier', patient]]));
    const { from, to } = dateBounds(query.date);
    const rows = await searchAuditTrail(ctx, auditScope!, requester!, { nhsNumber, from, to, agent: single('agent'), limit: countParam(new Map(Object.entries({ _count: single('_count') }).filter((e): e is [string, string] => e[1] !== undefined)), 100, 500) });
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

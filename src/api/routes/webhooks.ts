import type { Request, Response } from 'express';
import { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GatewayContext } from '../../services/context.js';
import { readWebhookDeliveries } from '../../services/webhook-deliveries.js';
import type { DeliveryStatus } from '../../store/outbox-repo.js';
import { DELIVERY_STATUSES } from '../../store/outbox-repo.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { locals } from '../request-context.js';
import { countParam, searchParams } from '../search-params.js';

function statusParam(raw: string | undefined): DeliveryStatus | undefined {
  if (raw === undefined) return undefined;
  if (!(DELIVERY_STATUSES as readonly string[]).includes(raw)) {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', `status must be one of ${DELIVERY_STATUSES.join(', ')}, received '${raw}'`, { expression: 'status' });
  }
  return raw as DeliveryStatus;
}

/** GET /webhooks/deliveries?status=pending|delivered|failed: the caller's agency's webhook deliveries (docs/webhooks.md). */
export function webhooksRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/webhooks/deliveries', audited('search', 'WebhookDelivery'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['status', '_count']);
    const status = statusParam(params.get('status'));
    const limit = countParam(params, 100, 1000);
    const deliveries = await readWebhookDeliveries(ctx, auditScope!, requester!, { status, limit });
    res.json({ agency: requester!.agency, ...(status ? { status } : {}), deliveries });
  });
  return router;
}

import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { DeliveryStatus, DeliveryView } from '../store/outbox-repo.js';
import { deliveriesFor } from '../store/outbox-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

/**
 * The caller's own agency's webhook deliveries, newest first: pending, delivered or failed,
 * with attempts and the last error. Ids and status codes only, never the Communication.
 */
export async function readWebhookDeliveries(ctx: GatewayContext, scope: AuditScope, requester: Requester, options: { status?: DeliveryStatus | undefined; limit: number }): Promise<DeliveryView[]> {
  const decision = authorise(requester, 'webhook:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const items = await deliveriesFor(ctx.db, requester.agency, options);
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, records: items.map((d) => d.communication.replace(/^Communication\//, '')) });
  return items;
}

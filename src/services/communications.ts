import { GatewayError } from '../errors/gateway-error.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { communicationsFor } from '../store/communications-repo.js';
import { markRoutesViewed } from '../store/notifications-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

/**
 * An agency's inbox: access notifications and routed notices addressed to it. An agency
 * reads only its own inbox.
 */
export async function readInbox(ctx: GatewayContext, scope: AuditScope, requester: Requester, recipient: string, options: { limit: number; since?: string | undefined }): Promise<fhir4.Communication[]> {
  const decision = authorise(requester, 'communication:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  if (recipient !== requester.agency) {
    return refuse(ctx, scope, { permit: false, code: 'GW_ERR_FORBIDDEN_OWNER', reason: `${requester.agency} may read only its own notifications, not those of ${recipient}` }, 'recipient');
  }
  if (!ctx.agencies.has(recipient)) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `recipient ${recipient} is not a participating agency`, { expression: 'recipient' });
  const items = await communicationsFor(ctx.db, recipient, options);
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, records: items.map((c) => c.id ?? '') });
  // The force sees when its routed notification was first read (never by whom).
  await markRoutesViewed(ctx.db, recipient, items.map((c) => c.id ?? ''), ctx.now().toISOString());
  return items;
}

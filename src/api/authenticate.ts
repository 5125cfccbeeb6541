import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenVerifier } from '../auth/verify-token.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditEntry } from '../model/audit-entry.js';
import { locals } from './request-context.js';

/**
 * Opens the audit duty of a route that touches personal data. It runs before
 * authentication, so refused and failed requests are audited too.
 */
export function audited(action: AuditEntry['action'], resourceType: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    locals(res).auditScope = { requestId: locals(res).requestId, requester: null, action, resourceType, query: req.originalUrl, audited: false };
    next();
  };
}

export type AuthMiddleware = RequestHandler;

/** Requires `Authorization: Bearer <JWT>` and records who the caller is. */
export function authenticate(verifier: TokenVerifier): AuthMiddleware {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('Authorization');
    if (!header) throw new GatewayError('GW_ERR_AUTH_MISSING', 'send Authorization: Bearer <token>; `sgw token` mints one in development', { expression: 'Authorization' });
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new GatewayError('GW_ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <token>"', { expression: 'Authorization' });
    const requester = await verifier.verify(match[1]);
    locals(res).requester = requester;
    const scope = locals(res).auditScope;
    if (scope) scope.requester = requester;
    next();
  };
}

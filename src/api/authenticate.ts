import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenVerifier } from '../auth/verify-token.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditEntry } from '../model/audit-entry.js';
import type { Requester } from '../policy/authorise.js';
import type { RateLimiter } from './rate-limit.js';
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

/**
 * Requires `Authorization: Bearer <JWT>` and records who the caller is. The caller's agency
 * is then held to its rate limit; a request whose token is refused counts against its
 * address's limit instead (and is answered 429 rather than 401 once that is spent).
 */
export function authenticate(verifier: TokenVerifier, limiter: RateLimiter): AuthMiddleware {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let requester: Requester;
    try {
      const header = req.get('Authorization');
      if (!header) throw new GatewayError('GW_ERR_AUTH_MISSING', 'send Authorization: Bearer <token>; `sgw token` mints one in development', { expression: 'Authorization' });
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new GatewayError('GW_ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <token>"', { expression: 'Authorization' });
      requester = await verifier.verify(match[1]);
    } catch (err) {
      // Requests without credentials were counted on arrival (RateLimiter.withoutCredentials).
      if (err instanceof GatewayError && err.code === 'GW_ERR_AUTH_INVALID') limiter.anonymous(req, res);
      throw err;
    }
    locals(res).requester = requester;
    const scope = locals(res).auditScope;
    if (scope) scope.requester = requester;
    limiter.agency(res, requester.agency); // after the requester is known, so a 429 is audited against its agency
    next();
  };
}

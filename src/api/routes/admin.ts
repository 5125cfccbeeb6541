import type { Request, Response } from 'express';
import { Router } from 'express';
import type { GatewayContext } from '../../services/context.js';
import { revokeTokens } from '../../services/token-revocations.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { fhirJsonBody } from '../fhir-body.js';
import { locals } from '../request-context.js';

/** POST /admin/token-revocations (JSON): an agency's admin revokes one of its tokens, or a user's (docs/access-control.md). */
export function adminRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  // A revocation is a few hundred bytes; no reason to accept the ingest limit here.
  router.post('/admin/token-revocations', audited('create', 'TokenRevocation'), authenticate, ...fhirJsonBody(16 * 1024), async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const { id, revocation } = await revokeTokens(ctx, auditScope!, requester!, req.body);
    res.status(201).json({
      id,
      agency: revocation.agency,
      ...('jti' in revocation ? { jti: revocation.jti } : { sub: revocation.sub, issuedBefore: revocation.issuedBefore.toISOString() }),
    });
  });
  return router;
}

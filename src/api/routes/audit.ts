import type { Request, Response } from 'express';
import { Router } from 'express';
import type { GatewayContext } from '../../services/context.js';
import { auditConsistencyProof, auditInclusionProof, latestTreeHead } from '../../services/audit-proofs.js';
import type { AuthMiddleware } from '../authenticate.js';
import { locals } from '../request-context.js';
import { requiredWholeNumberParam, searchParams, wholeNumberParam } from '../search-params.js';

/**
 * GET /audit/head, /audit/proof/inclusion and /audit/proof/consistency: the audit log's
 * tamper evidence, for the auditor and admin roles. Hashes only (see services/audit-proofs.ts).
 */
export function auditRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/audit/head', authenticate, async (req: Request, res: Response) => {
    searchParams(req, []);
    res.json(await latestTreeHead(ctx, locals(res).requester!));
  });
  router.get('/audit/proof/inclusion', authenticate, async (req: Request, res: Response) => {
    const params = searchParams(req, ['entry', 'treeSize']);
    const entry = requiredWholeNumberParam(params, 'entry', 'the sequence number of an audit entry');
    const treeSize = wholeNumberParam(params, 'treeSize', 'the number of entries in the tree, by default that of the latest signed head');
    res.json(await auditInclusionProof(ctx, locals(res).requester!, { entry, treeSize }));
  });
  router.get('/audit/proof/consistency', authenticate, async (req: Request, res: Response) => {
    const params = searchParams(req, ['from', 'to']);
    const from = requiredWholeNumberParam(params, 'from', 'the size of the earlier tree, e.g. of a signed head you hold');
    const to = requiredWholeNumberParam(params, 'to', 'the size of the later tree, e.g. of the latest signed head');
    res.json(await auditConsistencyProof(ctx, locals(res).requester!, { from, to }));
  });
  return router;
}

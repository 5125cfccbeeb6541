import type { Request, Response } from 'express';
import { Router } from 'express';
import type { GatewayContext } from '../../services/context.js';
import { readChronology, readPersonRecords, readRecord } from '../../services/read-records.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { locals } from '../request-context.js';
import { overrideReasonHeader } from '../search-params.js';

/**
 * GET /people/{id}, GET /people/{id}/chronology and GET /records/{id}: an agency reads what
 * it sent, and what other agencies hold as far as the sharing rules release it. A consent
 * override is asked for with the Override-Reason header.
 */
export function recordsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/people/:id', audited('read', 'Person'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readPersonRecords(ctx, auditScope!, requester!, req.params.id, overrideReasonHeader(req)));
  });
  router.get('/people/:id/chronology', audited('read', 'Chronology'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readChronology(ctx, auditScope!, requester!, req.params.id, overrideReasonHeader(req)));
  });
  router.get('/records/:id', audited('read', 'Record'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readRecord(ctx, auditScope!, requester!, req.params.id, overrideReasonHeader(req)));
  });
  return router;
}

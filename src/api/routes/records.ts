import type { Request, Response } from 'express';
import { Router } from 'express';
import type { GatewayContext } from '../../services/context.js';
import { readOwnRecord, readPersonRecords } from '../../services/read-records.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { locals } from '../request-context.js';

/** GET /people/{id} and GET /records/{id}: an agency reads back the canonical records it sent. */
export function recordsRouter(ctx: GatewayContext, authenticate: AuthMiddleware): Router {
  const router = Router();
  router.get('/people/:id', audited('read', 'Person'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readPersonRecords(ctx, auditScope!, requester!, req.params.id));
  });
  router.get('/records/:id', audited('read', 'Record'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readOwnRecord(ctx, auditScope!, requester!, req.params.id));
  });
  return router;
}

import { Router } from 'express';
import type { Db } from '../../store/db.js';

/** Liveness (the process answers) and readiness (the database answers too). */
export function healthRouter(db: Db): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ready', database: db.kind });
    } catch {
      res.status(503).json({ status: 'not-ready', database: db.kind, reason: 'the database does not answer' });
    }
  });
  return router;
}

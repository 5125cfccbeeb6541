import type { Request, Response } from 'express';
import express, { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import { isIsoCalendarDate, isIsoDateTime } from '../../model/dates.js';
import type { GatewayContext } from '../../services/context.js';
import type { SubmissionInput } from '../../services/police-notifications.js';
import { listReceipts, readReceipt, readSubmission, submitNotification } from '../../services/police-notifications.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { locals } from '../request-context.js';
import { countParam, searchParams } from '../search-params.js';

const JSON_TYPES = ['application/json'];
const XML_TYPES = ['application/xml', 'text/xml'];

/**
 * The submission in the body: JSON as published at /schemas/police-notification.json, or
 * the same notification as XML (mappings/police-notification/), mapped to the same shape.
 */
async function submissionBody(ctx: GatewayContext, req: Request): Promise<SubmissionInput> {
  const bytes: unknown = req.body;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.alloc(0);
  if (req.is(XML_TYPES)) return readSubmission(ctx.mappings, buffer, 'xml');
  if (!req.is(JSON_TYPES)) {
    throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `send the notification as application/json or application/xml, received ${req.get('Content-Type') ?? 'no Content-Type'}`, { expression: 'Content-Type' });
  }
  return readSubmission(ctx.mappings, buffer, 'json');
}

function sinceParam(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  // A real day, or a real instant: new Date() alone would roll 2026-02-30 over to 2 March.
  if (!(raw.length === 10 ? isIsoCalendarDate(raw) : isIsoDateTime(raw))) {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', `since '${raw}': expected a date (YYYY-MM-DD) or a date and time with its offset (2026-12-07T09:00:00Z)`, { expression: 'since' });
  }
  return new Date(raw).toISOString();
}

/** POST /notifications (police submissions), GET /notifications/{id} and GET /notifications?since= (the submitting force's receipts). */
export function notificationsRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });

  router.post('/notifications', audited('create', 'PoliceNotification'), authenticate, raw, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const { created, receipt } = await submitNotification(ctx, auditScope!, requester!, () => submissionBody(ctx, req));
    res.setHeader('Location', `${ctx.publicBaseUrl}/notifications/${receipt.id}`);
    res.status(created ? 201 : 200).json(receipt);
  });

  router.get('/notifications', audited('search', 'PoliceNotification'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['since', '_count']);
    const since = sinceParam(params.get('since'));
    const limit = countParam(params, 100, 1000);
    const receipts = await listReceipts(ctx, auditScope!, requester!, since, limit);
    res.status(200).json({ notifications: receipts });
  });

  router.get('/notifications/:id', audited('read', 'PoliceNotification'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.status(200).json(await readReceipt(ctx, auditScope!, requester!, req.params.id));
  });
  return router;
}

import type { NextFunction, Request, Response } from 'express';
import express, { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Alert, AlertStatus } from '../../model/alert.js';
import { ALERT_STATUSES } from '../../model/alert.js';
import { acknowledgeAlert, closeAlert, listAlerts, readAlert } from '../../services/alerts.js';
import type { GatewayContext } from '../../services/context.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { safeJson } from '../fhir-body.js';
import { locals } from '../request-context.js';
import { countParam, searchParams } from '../search-params.js';

const JSON_TYPES = ['application/json', 'application/fhir+json'];

/** A JSON body when one is sent (an empty body reads as {}); another content type is 415. */
function optionalJsonBody(maxBytes: number) {
  const parse = express.json({ type: JSON_TYPES, limit: maxBytes, strict: true });
  return [
    (req: Request, _res: Response, next: NextFunction): void => {
      if (req.get('Content-Type') !== undefined && !req.is(JSON_TYPES)) {
        throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, received ${req.get('Content-Type')}`, { expression: 'Content-Type' });
      }
      next();
    },
    parse,
    safeJson,
  ];
}

/** The JSON an alert is answered as (the stored alert, its dedupe key left out). */
export function alertJson(a: Alert): Record<string, unknown> {
  return {
    id: a.id,
    rule: a.rule,
    ruleVersion: a.ruleVersion,
    title: a.title,
    severity: a.severity,
    recipient: a.recipient,
    personId: a.personId,
    householdId: a.householdId,
    status: a.status,
    raisedAt: a.raisedAt,
    reasons: a.reasons,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    closedAt: a.closedAt,
    closedBy: a.closedBy,
    closeReason: a.closeReason,
  };
}

function statusParam(raw: string | undefined): AlertStatus | undefined {
  if (raw === undefined) return undefined;
  if (!(ALERT_STATUSES as readonly string[]).includes(raw)) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `status must be one of ${ALERT_STATUSES.join(', ')}, received '${raw}'`, { expression: 'status' });
  return raw as AlertStatus;
}

/** GET /alerts, GET /alerts/{id}, POST /alerts/{id}/acknowledge and POST /alerts/{id}/close (JSON). */
export function alertsRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();
  const body = optionalJsonBody(maxBodyBytes);
  router.get('/alerts', audited('search', 'Alert'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const params = searchParams(req, ['status', '_count']);
    const alerts = await listAlerts(ctx, auditScope!, requester!, { status: statusParam(params.get('status')), limit: countParam(params, 50, 500) });
    res.json({ alerts: alerts.map(alertJson) });
  });
  router.get('/alerts/:id', audited('read', 'Alert'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(alertJson(await readAlert(ctx, auditScope!, requester!, req.params.id)));
  });
  router.post('/alerts/:id/acknowledge', audited('update', 'Alert'), authenticate, ...body, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(alertJson(await acknowledgeAlert(ctx, auditScope!, requester!, req.params.id)));
  });
  router.post('/alerts/:id/close', audited('update', 'Alert'), authenticate, ...body, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(alertJson(await closeAlert(ctx, auditScope!, requester!, req.params.id, req.body)));
  });
  return router;
}

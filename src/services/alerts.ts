import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import type { Alert, AlertStatus } from '../model/alert.js';
import { CloseAlertBodySchema } from '../model/alert.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { alertsFor, getAlert, markAcknowledged, markClosed } from '../store/alerts-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, auditNow, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

const unique = (xs: readonly string[]) => [...new Set(xs)];

function notFound(requester: Requester, id: string): GatewayError {
  return new GatewayError('GW_ERR_NOT_FOUND', `no alert ${id} is addressed to ${requester.agency}`, { expression: 'id' });
}

/** Audits a failed request about one alert, naming it, then throws the error. */
async function failAbout(ctx: GatewayContext, scope: AuditScope, err: GatewayError, alert: Pick<Alert, 'id'> & Partial<Pick<Alert, 'personId'>>): Promise<never> {
  await auditNow(ctx, scope, {
    outcome: err.status === 403 || err.status === 404 ? 'deny' : 'error',
    status: err.status,
    reason: `${err.code}: ${err.message}`.slice(0, 1000),
    records: [alert.id],
    subjects: alert.personId ? [alert.personId] : [],
  });
  throw err;
}

/** The caller's agency's alerts, newest first (one status, or all). An agency reads only its own. */
export async function listAlerts(ctx: GatewayContext, scope: AuditScope, requester: Requester, options: { status?: AlertStatus | undefined; limit: number }): Promise<Alert[]> {
  const decision = authorise(requester, 'alert:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const alerts = await alertsFor(ctx.db, requester.agency, options);
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, records: alerts.map((a) => a.id), subjects: unique(alerts.map((a) => a.personId)) });
  return alerts;
}

/** One alert, to the agency it is addressed to; any other agency is told 404, as if it did not exist. */
export async function readAlert(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<Alert> {
  const decision = authorise(requester, 'alert:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const alert = await getAlert(ctx.db, id);
  if (!alert || alert.recipient !== requester.agency) return failAbout(ctx, scope, notFound(requester, id), { id });
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, records: [id], subjects: [alert.personId] });
  return alert;
}

type Change = { kind: 'acknowledge' } | { kind: 'close'; reason: string };

/** The change an alert in this status may not take, with why; null when it may. */
function conflict(alert: Alert, change: Change): GatewayError | null {
  if (alert.status === 'closed') {
    return new GatewayError('GW_ERR_ALERT_STATE_CONFLICT', `alert ${alert.id} was closed at ${alert.closedAt ?? '?'}; a closed alert cannot be ${change.kind === 'close' ? 'closed again' : 'acknowledged'}`, { expression: 'id' });
  }
  if (change.kind === 'acknowledge' && alert.status === 'acknowledged') {
    return new GatewayError('GW_ERR_ALERT_STATE_CONFLICT', `alert ${alert.id} was already acknowledged at ${alert.acknowledgedAt ?? '?'}`, { expression: 'id' });
  }
  return null;
}

async function changeAlert(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string, change: Change): Promise<Alert> {
  try {
    return await inAuditedTransaction(ctx, scope, async (tx) => {
      const alert = await getAlert(tx, id, true);
      if (!alert || alert.recipient !== requester.agency) throw notFound(requester, id);
      const problem = conflict(alert, change);
      if (problem) throw problem;
      const at = ctx.now().toISOString();
      const updated = change.kind === 'acknowledge' ? await markAcknowledged(tx, id, requester.sub, at) : await markClosed(tx, id, requester.sub, at, change.reason);
      await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: change.kind === 'acknowledge' ? 'alert acknowledged' : 'alert closed', records: [id], subjects: [alert.personId] });
      return updated;
    });
  } catch (err) {
    if (err instanceof GatewayError && !scope.audited && (err.code === 'GW_ERR_NOT_FOUND' || err.code === 'GW_ERR_ALERT_STATE_CONFLICT')) return failAbout(ctx, scope, err, { id });
    throw err;
  }
}

/** Marks an open alert acknowledged: someone at the recipient agency has seen it. */
export async function acknowledgeAlert(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<Alert> {
  const decision = authorise(requester, 'alert:update');
  if (!decision.permit) return refuse(ctx, scope, decision);
  return changeAlert(ctx, scope, requester, id, { kind: 'acknowledge' });
}

/** Closes an open or acknowledged alert, with the reason it needs no more attention (at least 5 characters). */
export async function closeAlert(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string, body: unknown): Promise<Alert> {
  const decision = authorise(requester, 'alert:update');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const parsed = CloseAlertBodySchema.safeParse(body ?? {});
  if (!parsed.success) {
    const err = errorFromIssues(
      'GW_ERR_INVALID_RESOURCE',
      parsed.error.issues.map((i) => ({ severity: 'error', code: 'invalid', diagnostics: i.message, expression: [i.path.join('.') || 'body'] })),
    );
    return failAbout(ctx, scope, err, { id });
  }
  return changeAlert(ctx, scope, requester, id, { kind: 'close', reason: parsed.data.reason });
}

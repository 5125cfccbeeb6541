import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import { isDatabaseUnavailable } from '../store/db.js';
import { toOperationOutcome } from '../errors/operation-outcome.js';
import type { GatewayContext } from '../services/context.js';
import { auditNow } from '../services/audit-scope.js';
import { locals } from './request-context.js';
import { sendFhir } from './fhir-response.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Turns whatever was thrown into a GatewayError; unknown errors become a 500 logged without personal data. */
function toGatewayError(err: unknown, log: Logger, requestId: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const type = (err as BodyParserError | null)?.type;
  if (type === 'entity.too.large') return new GatewayError('GW_ERR_BODY_TOO_LARGE', 'the request body is larger than this gateway accepts (SGW_MAX_BODY_BYTES)');
  if (type === 'entity.parse.failed') return new GatewayError('GW_ERR_MALFORMED_BODY', 'the body is not well-formed JSON', { expression: 'body' });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON');
  if (type === 'request.aborted') return new GatewayError('GW_ERR_MALFORMED_BODY', 'the request body was cut short');
  if (isDatabaseUnavailable(err)) return new GatewayError('GW_ERR_DATABASE_UNAVAILABLE', 'the database is not reachable or did not answer in time; try again shortly');
  const e = err as { name?: string; code?: string; stack?: string } | null;
  // The message is left out on purpose: driver errors can quote the values they failed on.
  log.error({ reqId: requestId, errName: e?.name, errCode: e?.code, stack: e?.stack?.split('\n').slice(1, 8).join('\n') }, 'unexpected error');
  return new GatewayError('GW_ERR_INTERNAL', `an unexpected error occurred; quote request id ${requestId}`);
}

/**
 * The one error handler: audits a failed personal-data request that was not yet audited
 * (and answers 503 if even that cannot be written), then renders an OperationOutcome.
 */
export function errorHandler(ctx: GatewayContext) {
  return async (err: unknown, _req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const { requestId, auditScope } = locals(res);
    let gwErr = toGatewayError(err, ctx.log, requestId);
    // When the audit or the database has just failed this request, a second try at recording
    // the failure would only make the caller wait for the same timeout again.
    const databaseDown = gwErr.code === 'GW_ERR_AUDIT_UNAVAILABLE' || gwErr.code === 'GW_ERR_DATABASE_UNAVAILABLE';
    if (auditScope && !auditScope.audited && !databaseDown) {
      try {
        await auditNow(ctx, auditScope, {
          outcome: gwErr.status === 401 || gwErr.status === 403 || gwErr.status === 429 ? 'deny' : 'error',
          status: gwErr.status,
          reason: `${gwErr.code}: ${gwErr.message}`.slice(0, 1000),
        });
      } catch (auditErr) {
        // The answer becomes 503 (no data without audit), unless it already is one: then its
        // cause (say, the database has gone) is the more useful thing to tell the caller.
        if (gwErr.status !== 503) gwErr = auditErr instanceof GatewayError ? auditErr : toGatewayError(auditErr, ctx.log, requestId);
      }
    }
    if (gwErr.status >= 500) ctx.log.warn({ reqId: requestId, code: gwErr.code }, 'request failed');
    // RFC 6750 §3.1: no error code when the request carried no credentials at all.
    if (gwErr.status === 401) res.setHeader('WWW-Authenticate', gwErr.code === 'GW_ERR_AUTH_MISSING' ? 'Bearer realm="safeguarding-gateway"' : 'Bearer realm="safeguarding-gateway", error="invalid_token"');
    if (res.headersSent) return;
    sendFhir(res, gwErr.status, toOperationOutcome(gwErr));
  };
}

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Requester } from '../policy/authorise.js';
import type { AuditScope } from '../services/audit-scope.js';

/** Per-request state kept in res.locals. */
export interface Locals {
  requestId: string;
  requester?: Requester;
  auditScope?: AuditScope;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Ten digits in a row, separators aside: could be an NHS number, which must never reach a log line. */
const MAY_HOLD_NHS_NUMBER = /\d(?:[._-]?\d){9}/;

/** The caller's request id when it is well-formed and cannot carry an NHS number; else a fresh one. */
function requestIdFrom(offered: string | undefined): string {
  return offered && CLIENT_REQUEST_ID.test(offered) && !MAY_HOLD_NHS_NUMBER.test(offered) ? offered : randomUUID();
}

/**
 * Gives every request an id (the caller's X-Request-ID, or CP-IS TraceID, when well-formed
 * and free of anything that could be an NHS number), echoes it, and
 * logs one line when the response finishes: method, route, status and time. The query
 * string is never logged, since CP-IS queries carry NHS numbers in it.
 */
export function requestContext(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const offered = req.get('X-Request-ID') ?? req.get('TraceID'); // CP-IS clients send TraceID
    const requestId = requestIdFrom(offered);
    locals(res).requestId = requestId;
    res.setHeader('X-Request-ID', requestId);
    if (!log.isLevelEnabled('info')) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const requester = locals(res).requester;
      log.info(
        {
          reqId: requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...(requester ? { agency: requester.agency, role: requester.role } : {}),
        },
        'request',
      );
    });
    next();
  };
}

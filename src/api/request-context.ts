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

/**
 * Gives every request an id (the caller's X-Request-ID, or CP-IS TraceID, when well-formed), echoes it, and
 * logs one line when the response finishes: method, route, status and time. The query
 * string is never logged, since CP-IS queries carry NHS numbers in it.
 */
export function requestContext(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const offered = req.get('X-Request-ID') ?? req.get('TraceID'); // CP-IS clients send TraceID
    const requestId = offered && CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
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

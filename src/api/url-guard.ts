import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Refuses a URL carrying a NUL character (`%00`) in its path or query. No id, search value
 * or parameter name the gateway serves can hold one, and PostgreSQL text cannot store one:
 * let through, it failed the lookup (500) or, quoted in a refusal, the audit write (503).
 * Refused before routing, like an unknown path, so nothing was read and nothing is audited.
 */
export function refuseNulInUrl(req: Request, _res: Response, next: NextFunction): void {
  if (/%00/.test(req.originalUrl)) {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', 'the URL holds a NUL character (%00); no id, parameter name or search value may contain one', { expression: 'url' });
  }
  next();
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The security headers every answer carries, errors included: an API's answers are data,
 * never a page, so nothing may frame, embed or script them, nothing is sent to another
 * site in a Referer, and browsers keep to HTTPS for a year once they have seen it.
 * helmet keeps the list and its defaults current (X-XSS-Protection: 0, Origin-Agent-Cluster,
 * X-Permitted-Cross-Domain-Policies, …); the content policy is replaced by an API's.
 */
export const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  // COEP only guards documents that embed resources; an API answers none.
  crossOriginEmbedderPolicy: false,
  xFrameOptions: { action: 'deny' },
};

/**
 * The headers helmet sets with these options, asked once at start-up. None depends on the
 * request (no directive is a function), so each request gets the same list set in one
 * step instead of a dozen middleware calls; the test of every answer's headers holds the
 * list to what helmet itself sends.
 */
function helmetHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const res = { setHeader: (name: string, value: unknown) => headers.push([name, String(value)]), removeHeader: () => undefined };
  let done = false;
  helmet(HELMET_OPTIONS)({} as IncomingMessage, res as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously; its headers cannot be computed once');
  return headers;
}

/** Sets the security headers, and Cache-Control: no-store (answers carry personal data). */
export function securityHeaders(): RequestHandler {
  const headers = [...helmetHeaders(), ['Cache-Control', 'no-store'] as [string, string]];
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

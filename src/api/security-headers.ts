import helmet from 'helmet';

/**
 * The security headers every answer carries, errors included: an API's answers are data,
 * never a page, so nothing may frame, embed or script them, nothing is sent to another
 * site in a Referer, and browsers keep to HTTPS for a year once they have seen it.
 * helmet keeps the list and its defaults current (X-XSS-Protection: 0, Origin-Agent-Cluster,
 * X-Permitted-Cross-Domain-Policies, …); the content policy is replaced by an API's.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // COEP only guards documents that embed resources; an API answers none.
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
  });
}

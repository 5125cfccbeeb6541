import type { Request, RequestHandler } from 'express';
import express from 'express';
import type { TokenVerifier } from '../auth/verify-token.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayContext } from '../services/context.js';
import { authenticate } from './authenticate.js';
import { RESOURCE_CAPABILITIES } from '../fhir/capabilities.js';
import { errorHandler } from './error-handler.js';
import type { RateLimitSettings } from './rate-limit.js';
import { RateLimiter } from './rate-limit.js';
import { securityHeaders } from './security-headers.js';
import { requestContext } from './request-context.js';
import { refuseNulInUrl } from './url-guard.js';
import { communicationsRouter } from './routes/communications.js';
import { cpisRoutes } from './routes/cpis.js';
import { healthRouter } from './routes/health.js';
import { metadataRouter } from './routes/metadata.js';
import { schemasRouter } from './routes/schemas.js';
import { organizationsRouter } from './routes/organizations.js';
import { ingestRouter } from './routes/ingest.js';
import { plansRouter } from './routes/plans.js';
import { recordsRouter } from './routes/records.js';
import { matchingRouter } from './routes/matching.js';
import { consentsRouter } from './routes/consents.js';
import { auditEventsRouter } from './routes/audit-events.js';
import { auditRouter } from './routes/audit.js';
import { notificationsRouter } from './routes/notifications.js';
import { alertsRouter } from './routes/alerts.js';
import { webhooksRouter } from './routes/webhooks.js';
import { adminRouter } from './routes/admin.js';

export interface AppOptions {
  ctx: GatewayContext;
  verifier: TokenVerifier;
  maxBodyBytes: number;
  version: string;
  /** Per-agency and per-address rate limits (SGW_RATE_LIMIT*); default off (tests that build an app by hand). */
  rateLimits?: RateLimitSettings;
  /** Proxies in front whose X-Forwarded-For is believed (SGW_TRUST_PROXY): the client address the per-address limit sees. */
  trustProxyHops?: number;
}

const RATE_LIMITS_OFF: RateLimitSettings = { enabled: false, perMinute: 1, burst: 1, anonymousPerMinute: 1, anonymousBurst: 1 };

/** Every path the app serves, with its methods, so a wrong method is told 405 rather than 404. */
function knownMethods(path: string): string[] | null {
  if (path === '/fhir' || path === '/fhir/') return ['POST'];
  if (path === '/fhir/metadata') return ['GET'];
  const m = /^\/fhir\/([A-Za-z]+)(\/[^/]+)?$/.exec(path);
  const cap = RESOURCE_CAPABILITIES.find((r) => r.type === m?.[1]);
  if (!cap) return null;
  const wanted = m?.[2] ? ['read'] : ['search-type', 'create'];
  const methods = cap.interactions.filter((i) => wanted.includes(i)).map((i) => (i === 'create' ? 'POST' : 'GET'));
  return methods.length > 0 ? methods : null;
}

/**
 * Runs synchronous middleware one after another as a single express layer. Each must call
 * next() before it returns, or throw; an error skips the rest and goes to the error handler.
 */
function inSequence(...steps: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = steps[i++];
      if (!handler) return next();
      void handler(req, res, step);
    };
    step();
  };
}

/** Builds the express app. Routers are mounted here, by hand, in one place. */
export function createApp({ ctx, verifier, maxBodyBytes, version, rateLimits = RATE_LIMITS_OFF, trustProxyHops = 0 }: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (trustProxyHops > 0) app.set('trust proxy', trustProxyHops);
  const limiter = new RateLimiter(rateLimits);
  // What every request goes through first, run as one layer (each express layer is dispatch
  // work on every request, the CP-IS hot path's included):
  app.use(
    inSequence(
      requestContext(ctx.log),
      // HSTS, CSP, Referrer-Policy, CORP/COOP, nosniff, X-Frame-Options…, and Cache-Control:
      // no-store (answers carry personal data, so none sits in a shared cache unless its route
      // says otherwise, as the published schemas do). No CORS header is ever sent, so browsers
      // let no other origin read an answer (docs/access-control.md).
      securityHeaders(),
      limiter.withoutCredentials(),
      refuseNulInUrl,
    ),
  );
  const auth = authenticate(verifier, limiter);
  // The CP-IS query first: it is the hot path, and every router before it is a layer its
  // requests would walk through.
  cpisRoutes(app, ctx, auth);
  app.use(healthRouter(ctx.db));
  app.use(metadataRouter(ctx.publicBaseUrl, version, ctx.now().toISOString()));
  app.use(schemasRouter(ctx.publicBaseUrl, version));
  app.use(ingestRouter(ctx, auth, maxBodyBytes));
  app.use(plansRouter(ctx, auth, maxBodyBytes));
  app.use(recordsRouter(ctx, auth));
  app.use(matchingRouter(ctx, auth, maxBodyBytes));
  app.use(consentsRouter(ctx, auth, maxBodyBytes));
  app.use(auditEventsRouter(ctx, auth));
  app.use(communicationsRouter(ctx, auth));
  app.use(organizationsRouter(ctx, auth));
  app.use(auditRouter(ctx, auth));
  app.use(notificationsRouter(ctx, auth, maxBodyBytes));
  app.use(alertsRouter(ctx, auth, maxBodyBytes));
  app.use(webhooksRouter(ctx, auth));
  app.use(adminRouter(ctx, auth));

  app.use((req: Request) => {
    const methods = knownMethods(req.path);
    if (methods) throw new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}; supported: ${methods.join(', ')}`);
    throw new GatewayError('GW_ERR_NOT_FOUND', `nothing is served at ${req.method} ${req.path}; see /fhir/metadata`);
  });
  app.use(errorHandler(ctx));
  return app;
}

import type { Request, Response } from 'express';
import { Router } from 'express';
import type { SearchEntry } from '../../fhir/bundle.js';
import { searchset } from '../../fhir/bundle.js';
import { toFhirConsent } from '../../fhir/consent.js';
import { readConsent, recordConsent, searchConsents } from '../../services/consents.js';
import type { GatewayContext } from '../../services/context.js';
import { agencyOf } from '../../services/context.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { fhirJsonBody, resourceBody } from '../fhir-body.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';
import { nhsNumberParam, searchParams } from '../search-params.js';

/** POST /fhir/Consent records a consent decision; GET /fhir/Consent and /fhir/Consent/{id} read them back through the sharing rules. */
export function consentsRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();

  router.post('/fhir/Consent', audited('create', 'Consent'), authenticate, ...fhirJsonBody(maxBodyBytes), async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const resource = resourceBody<fhir4.Consent>(req, 'Consent');
    const { outcome, consent, nhsNumber } = await recordConsent(ctx, auditScope!, requester!, resource);
    res.setHeader('Location', `${ctx.publicBaseUrl}/fhir/Consent/${consent.id}`);
    sendFhir(res, outcome.outcome === 'created' ? 201 : 200, toFhirConsent(consent, nhsNumber, agencyOf(ctx, consent.owner)));
  });

  router.get('/fhir/Consent', audited('search', 'Consent'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const nhsNumber = nhsNumberParam(searchParams(req, ['patient:identifier']));
    const consents = await searchConsents(ctx, auditScope!, requester!, nhsNumber);
    const entries: SearchEntry[] = consents.map((c) => ({ mode: 'match', resource: toFhirConsent(c, nhsNumber, agencyOf(ctx, c.owner)) }));
    sendFhir(res, 200, searchset(ctx.publicBaseUrl, req.originalUrl, entries, ctx.now().toISOString()));
  });

  router.get('/fhir/Consent/:id', audited('read', 'Consent'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    const { consent, nhsNumber } = await readConsent(ctx, auditScope!, requester!, req.params.id);
    sendFhir(res, 200, toFhirConsent(consent, nhsNumber, agencyOf(ctx, consent.owner)));
  });
  return router;
}

import type { Request, Response } from 'express';
import { Router } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GatewayContext } from '../../services/context.js';
import { decideMatchReview, linkPeople, listMatchReviews, markNotAMatch, readMatchReview, unlinkSource } from '../../services/match-decisions.js';
import type { AuthMiddleware } from '../authenticate.js';
import { audited } from '../authenticate.js';
import { fhirJsonBody } from '../fhir-body.js';
import { locals } from '../request-context.js';
import { sendFhir } from '../fhir-response.js';
import { toFhirPatient } from '../../fhir/patient.js';
import { matchPatient, matchRequest } from '../../services/patient-match.js';

export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';

const STATUSES = ['open', 'linked', 'not-a-match', 'withdrawn'] as const;

function intParam(req: Request, name: string, fallback: number, max: number): number {
  const v: unknown = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) > max) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} must be a whole number from 0 to ${max}`, { expression: name });
  return Number(v);
}

function jsonObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('GW_ERR_MALFORMED_BODY', 'the body must be a JSON object', { expression: 'body' });
  return body as Record<string, unknown>;
}

/**
 * The person index's review queue and people's match decisions:
 * GET /matching/reviews, GET|POST /matching/reviews/{id}, POST /matching/link,
 * /matching/unlink and /matching/not-a-match.
 */
export function matchingRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();
  const body = fhirJsonBody(maxBodyBytes);
  router.get('/matching/reviews', audited('search', 'MatchReview'), authenticate, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const status = (req.query as Record<string, unknown>).status ?? 'open';
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
      throw new GatewayError('GW_ERR_INVALID_PARAMETER', `status must be one of ${STATUSES.join(', ')}`, { expression: 'status' });
    }
    res.json(await listMatchReviews(ctx, auditScope!, requester!, status as (typeof STATUSES)[number], intParam(req, '_count', 50, 200), intParam(req, '_offset', 0, 1_000_000)));
  });
  router.get('/matching/reviews/:id', audited('read', 'MatchReview'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await readMatchReview(ctx, auditScope!, requester!, req.params.id));
  });
  router.post('/matching/reviews/:id', audited('update', 'MatchReview'), authenticate, ...body, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await decideMatchReview(ctx, auditScope!, requester!, req.params.id, jsonObject(req)));
  });
  router.post('/matching/link', audited('update', 'PersonLink'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await linkPeople(ctx, auditScope!, requester!, jsonObject(req)));
  });
  router.post('/matching/not-a-match', audited('update', 'PersonLink'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await markNotAMatch(ctx, auditScope!, requester!, jsonObject(req)));
  });
  router.post('/matching/unlink', audited('update', 'PersonLink'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    res.json(await unlinkSource(ctx, auditScope!, requester!, jsonObject(req)));
  });
  router.post('/fhir/Patient/\\$match', audited('search', 'Patient'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const matches = await matchPatient(ctx, auditScope!, requester!, matchRequest(req.body));
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      timestamp: ctx.now().toISOString(),
      total: matches.length,
      link: [{ relation: 'self', url: `${ctx.publicBaseUrl}/fhir/Patient/$match` }],
      ...(matches.length > 0
        ? {
            entry: matches.map((m) => ({
              fullUrl: `${ctx.publicBaseUrl}/fhir/Patient/${m.person.id}`,
              resource: toFhirPatient(m.person),
              search: { mode: 'match' as const, score: Math.round(m.score * 10000) / 10000, extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: m.grade }] },
            })),
          }
        : {}),
    };
    sendFhir(res, 200, bundle);
  });
  return router;
}

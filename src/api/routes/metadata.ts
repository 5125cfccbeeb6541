import { Router } from 'express';
import { capabilityStatement } from '../../fhir/capability-statement.js';
import { sendFhir } from '../fhir-response.js';

/** GET /fhir/metadata: no token needed, as FHIR clients discover a server before they log in. */
export function metadataRouter(baseUrl: string, version: string, startedAt: string): Router {
  const router = Router();
  const statement = capabilityStatement(baseUrl, version, startedAt);
  router.get('/fhir/metadata', (_req, res) => sendFhir(res, 200, statement));
  return router;
}

import type { Response } from 'express';
import { Router } from 'express';
import { NOTIFICATION_SCHEMA_PATH, publishedNotificationSchema } from '../notification-schema.js';
import { openApiDocument } from '../openapi.js';

/** Sends a JSON document that anyone may cache: it holds no personal data. */
function sendDocument(res: Response, contentType: string, body: string): void {
  res.status(200).setHeader('Content-Type', `${contentType}; charset=utf-8`).setHeader('Cache-Control', 'public, max-age=300').send(body);
}

/**
 * GET /schemas/police-notification.json (JSON Schema of a police submission) and
 * GET /openapi.json (the non-FHIR API): published documentation, so no token is needed,
 * like /fhir/metadata. Both are built once, at start-up.
 */
export function schemasRouter(baseUrl: string, version: string): Router {
  const router = Router();
  const notificationSchema = JSON.stringify(publishedNotificationSchema(baseUrl));
  const openApi = JSON.stringify(openApiDocument(baseUrl, version));
  router.get(NOTIFICATION_SCHEMA_PATH, (_req, res) => sendDocument(res, 'application/schema+json', notificationSchema));
  router.get('/openapi.json', (_req, res) => sendDocument(res, 'application/json', openApi));
  return router;
}

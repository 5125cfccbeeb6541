import type { Request, Response } from 'express';
import express, { Router } from 'express';
import { errorFromIssues, GatewayError } from '../../errors/gateway-error.js';
import type { GatewayIssue } from '../../errors/gateway-error.js';
import { toOperationOutcome } from '../../errors/operation-outcome.js';
import { detectFormat, readMessages, WIRE_FORMATS } from '../../formats/read.js';
import type { WireFormat } from '../../formats/types.js';
import type { GatewayContext } from '../../services/context.js';
import { auditNow } from '../../services/audit-scope.js';
import { ingestCpisUpload } from '../../services/cpis-upload.js';
import type { CpisUploadTree } from '../../formats/cpis-csv.js';
import type { ParsedMessage } from '../../formats/types.js';
import type { MessageOutcome } from '../../services/ingest.js';
import { ingestMessage } from '../../services/ingest.js';
import { audited } from '../authenticate.js';
import type { AuthMiddleware } from '../authenticate.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';

function queryString(req: Request, name: string): string | undefined {
  const v: unknown = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new GatewayError('GW_ERR_INVALID_PARAMETER', `${name} must be given once`, { expression: name });
  return v;
}

function bodyBytes(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new GatewayError('GW_ERR_MALFORMED_BODY', 'the request has no body; send the message as the body', { expression: 'body' });
  return body;
}

/** Works out the body's format, or 415 naming the ways to say it. */
function formatOf(req: Request, bytes: Buffer, fhirOnly: boolean): WireFormat {
  const param = queryString(req, 'format');
  const format = detectFormat(bytes, req.get('Content-Type'), param);
  if (!format) {
    const why = param ? `format=${param} is not one the gateway reads` : `the format could not be told from Content-Type ${req.get('Content-Type') ?? '(none)'} or the body`;
    throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `${why}; use ?format= with one of ${WIRE_FORMATS.join(', ')}`, { expression: param ? 'format' : 'Content-Type' });
  }
  if (fhirOnly && format !== 'fhir-r4-json' && format !== 'fhir-r4-xml') {
    throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `this endpoint takes FHIR (application/fhir+json or application/fhir+xml), received ${format}`, { expression: 'Content-Type' });
  }
  return format;
}

function partialFlag(req: Request): boolean {
  const v = queryString(req, 'partial');
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new GatewayError('GW_ERR_INVALID_PARAMETER', `partial must be true or false, received ${JSON.stringify(v)}`, { expression: 'partial' });
}

/** Reads the one message a request carries; an HL7 v2 batch must be split by the sender (sgw ingest does). */
async function oneMessage(format: WireFormat, bytes: Buffer) {
  const messages = await readMessages(format, bytes);
  if (messages.length !== 1) {
    throw new GatewayError('GW_ERR_MALFORMED_BODY', `send one message per request (received ${messages.length}); \`sgw ingest\` splits batch files`, { expression: 'body' });
  }
  return messages[0]!;
}

/** The JSON answer of /ingest and /validate. */
function render(outcome: MessageOutcome) {
  return {
    format: outcome.format,
    messageId: outcome.messageId,
    stored: outcome.stored,
    mappings: outcome.mappings,
    records: outcome.records,
    warnings: outcome.warnings,
    rejected: outcome.rejected,
  };
}

/** FHIR $validate answers an OperationOutcome: the same issues as ingest, or one saying all is well. */
function validationOutcome(issues: GatewayIssue[]): fhir4.OperationOutcome {
  const rendered = issues.length === 0 ? [] : toOperationOutcome(errorFromIssues('GW_ERR_VALIDATION_FAILED', issues)).issue;
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) return { resourceType: 'OperationOutcome', issue: rendered };
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: 'the resource is valid: it reads, maps to the canonical model and breaks no rule' }, ...rendered],
  };
}

/**
 * POST /ingest (any supported format; stores), POST /validate (the same checks, stores
 * nothing), POST /fhir/$validate and /fhir/{type}/$validate (FHIR's own operation).
 */
export function ingestRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });

  router.post('/ingest', audited('create', 'Ingest'), authenticate, raw, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const bytes = bodyBytes(req);
    const format = formatOf(req, bytes, false);
    auditScope!.resourceType = `Ingest:${format}`;
    const message = await oneMessage(format, bytes);
    if (format === 'cpis-csv') {
      res.status(200).json(await ingestCpisUpload(ctx, auditScope!, requester!, message as ParsedMessage<CpisUploadTree>, true));
      return;
    }
    const outcome = await ingestMessage(ctx, auditScope!, requester!, message, { store: true, partial: partialFlag(req) });
    res.status(outcome.records.some((r) => r.outcome === 'created') ? 201 : 200).json(render(outcome));
  });

  router.post('/validate', audited('validate', 'Validate'), authenticate, raw, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const bytes = bodyBytes(req);
    const format = formatOf(req, bytes, false);
    auditScope!.resourceType = `Validate:${format}`;
    const message = await oneMessage(format, bytes);
    if (format === 'cpis-csv') {
      res.status(200).json(await ingestCpisUpload(ctx, auditScope!, requester!, message as ParsedMessage<CpisUploadTree>, false));
      return;
    }
    const outcome = await ingestMessage(ctx, auditScope!, requester!, message, { store: false, partial: partialFlag(req) });
    res.status(200).json(render(outcome));
  });

  const fhirValidate = async (req: Request<{ type?: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    const bytes = bodyBytes(req);
    const format = formatOf(req, bytes, true);
    const message = await oneMessage(format, bytes);
    const type = (message.tree as fhir4.Resource).resourceType;
    if (req.params.type && type !== req.params.type) {
      throw new GatewayError('GW_ERR_INVALID_RESOURCE', `POST /fhir/${req.params.type}/$validate takes a ${req.params.type}, received ${type}`, { expression: 'resourceType' });
    }
    try {
      const outcome = await ingestMessage(ctx, auditScope!, requester!, message, { store: false });
      sendFhir(res, 200, validationOutcome(outcome.warnings));
    } catch (err) {
      if (!(err instanceof GatewayError) || err.code !== 'GW_ERR_VALIDATION_FAILED') throw err;
      if (!auditScope!.audited) await auditNow(ctx, auditScope!, { action: 'validate', outcome: 'permit', status: 200, reason: 'validated: the resource breaks rules; nothing stored' });
      sendFhir(res, 200, validationOutcome(err.issues));
    }
  };
  router.post('/fhir/\\$validate', audited('validate', 'Validate:fhir'), authenticate, raw, fhirValidate);
  router.post('/fhir/:type/\\$validate', audited('validate', 'Validate:fhir'), authenticate, raw, fhirValidate);
  return router;
}

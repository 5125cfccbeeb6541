import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { GatewayError } from '../errors/gateway-error.js';
import { checkJsonTree } from '../formats/json-safety.js';

const FHIR_TYPES = ['application/fhir+json', 'application/json'];

/** Parses a FHIR JSON body up to the configured size; anything else gets 415 naming what is accepted. */
export function fhirJsonBody(maxBytes: number) {
  const parse = express.json({ type: FHIR_TYPES, limit: maxBytes, strict: true });
  return [
    (req: Request, _res: Response, next: NextFunction): void => {
      if (!req.is(FHIR_TYPES)) {
        throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `send the body as ${FHIR_TYPES.join(' or ')}, received ${req.get('Content-Type') ?? 'no Content-Type'}`, { expression: 'Content-Type' });
      }
      next();
    },
    parse,
    safeJson,
  ];
}

/**
 * The checks the FHIR JSON reader makes of /ingest bodies, made of every parsed JSON body
 * too: depth, prototype keys and control characters (formats/json-safety.ts).
 */
export function safeJson(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object') {
    const type = (body as { resourceType?: unknown }).resourceType;
    checkJsonTree(body, typeof type === 'string' && /^[A-Za-z]{1,64}$/.test(type) ? type : 'body', 'JSON body');
  }
  next();
}

/** The parsed body as a FHIR resource of the expected type, or a 400/422 saying what arrived instead. */
export function resourceBody<T extends fhir4.FhirResource>(req: Request, expected: T['resourceType']): T {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('GW_ERR_MALFORMED_BODY', `the body must be a JSON object: a FHIR ${expected}`, { expression: 'body' });
  }
  const type = (body as { resourceType?: unknown }).resourceType;
  if (type !== expected) {
    throw new GatewayError('GW_ERR_INVALID_RESOURCE', `expected resourceType ${expected}, received ${JSON.stringify(type ?? null)}`, { expression: 'resourceType' });
  }
  return body as T;
}

import type { Response } from 'express';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Sends a FHIR resource; personal data must never sit in a shared cache. */
export function sendFhir(res: Response, status: number, resource: fhir4.FhirResource): void {
  res.status(status).setHeader('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
}

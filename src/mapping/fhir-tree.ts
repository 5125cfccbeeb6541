import { GatewayError } from '../errors/gateway-error.js';

/** Bundle types whose entries are ingested as records. */
const INGESTED_BUNDLE_TYPES = ['transaction', 'batch', 'collection', 'message'];

/**
 * Arranges a FHIR resource or Bundle for the FHIR mappings: resources grouped by type
 * (`{ Patient: [...], Encounter: [...] }`), each carrying its Bundle `fullUrl`, so a
 * mapping selects `Patient` and resolves references by fullUrl or `Type/id`.
 */
export function fhirMappingTree(resource: fhir4.Resource): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  const add = (r: fhir4.Resource, fullUrl: string | undefined) => {
    const list = (out[r.resourceType] ??= []);
    list.push({ ...(r as unknown as Record<string, unknown>), ...(fullUrl ? { fullUrl } : {}) });
  };
  if (resource.resourceType === 'Bundle') {
    const bundle = resource as fhir4.Bundle;
    if (!INGESTED_BUNDLE_TYPES.includes(bundle.type)) {
      throw new GatewayError('GW_ERR_INVALID_RESOURCE', `a Bundle of type ${JSON.stringify(bundle.type ?? null)} cannot be ingested; send transaction, batch, collection or message`, { expression: 'Bundle.type' });
    }
    (bundle.entry ?? []).forEach((e, i) => {
      if (!e.resource) throw new GatewayError('GW_ERR_INVALID_RESOURCE', 'each entry needs a resource', { expression: `Bundle.entry[${i}].resource` });
      add(e.resource, e.fullUrl);
    });
    return out;
  }
  add(resource, undefined);
  return out;
}

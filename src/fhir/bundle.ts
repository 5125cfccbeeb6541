/** An entry of a searchset: `match` for what was asked for, `include` for what comes with it. */
export interface SearchEntry {
  resource: fhir4.FhirResource & { id?: string | undefined };
  mode: 'match' | 'include';
}

/** Builds a searchset Bundle. `total` counts the matches only, as FHIR requires. */
export function searchset(baseUrl: string, selfUrl: string, entries: SearchEntry[], timestamp: string): fhir4.Bundle {
  const total = entries.filter((e) => e.mode === 'match').length;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp,
    total,
    link: [{ relation: 'self', url: `${baseUrl}${selfUrl}` }],
    ...(entries.length > 0
      ? {
          entry: entries.map((e) => ({
            fullUrl: `${baseUrl}/fhir/${e.resource.resourceType}/${e.resource.id ?? ''}`,
            resource: e.resource,
            search: { mode: e.mode },
          })),
        }
      : {}),
  };
}

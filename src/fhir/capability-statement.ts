import { RESOURCE_CAPABILITIES, SYSTEM_INTERACTIONS, SYSTEM_OPERATIONS } from './capabilities.js';

/** The CapabilityStatement served at /fhir/metadata, built from the implemented capabilities. */
export function capabilityStatement(baseUrl: string, version: string, date: string): fhir4.CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Safeguarding Gateway',
    kind: 'instance',
    software: { name: 'safeguarding-gateway', version },
    implementation: { description: 'Safeguarding Gateway FHIR API', url: `${baseUrl}/fhir` },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          description: 'Authorization: Bearer <JWT> signed by a key configured for the calling agency; claims sub, agency, role, purpose_of_use; issuer, audience and expiry are checked.',
        },
        resource: RESOURCE_CAPABILITIES.map((r) => ({
          type: r.type,
          documentation: r.documentation,
          interaction: r.interactions.map((code) => ({ code })),
          searchParam: r.searchParams.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
          ...(r.operations ? { operation: r.operations.map((o) => ({ name: o.name, definition: o.definition, documentation: o.documentation })) } : {}),
        })),
        interaction: SYSTEM_INTERACTIONS.map((code) => ({ code, documentation: 'Bundle of Patient and CareTeam entries: records protection plans' })),
        operation: SYSTEM_OPERATIONS.map((o) => ({ name: o.name, definition: o.definition, documentation: o.documentation })),
      },
    ],
  };
}

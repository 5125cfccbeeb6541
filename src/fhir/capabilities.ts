/**
 * What the FHIR API implements. The CapabilityStatement is built from this list and a
 * test calls every entry, so the statement says exactly what is implemented.
 */
export interface ResourceCapability {
  type: 'AuditEvent' | 'CareTeam' | 'Flag' | 'Communication' | 'Consent' | 'Organization' | 'Patient';
  interactions: ('read' | 'search-type' | 'create')[];
  /** Type-level operations (POST /fhir/{type}/${'$'}{name}). */
  operations?: { name: string; definition: string; documentation: string }[];
  searchParams: { name: string; type: 'token' | 'reference' | 'date' | 'number'; documentation: string }[];
  documentation: string;
}

const NHS_PARAM = {
  name: 'patient',
  type: 'reference' as const,
  documentation: 'Use with the :identifier modifier only: patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}',
};

export const RESOURCE_CAPABILITIES: ResourceCapability[] = [
  {
    type: 'AuditEvent',
    interactions: ['search-type'],
    searchParams: [
      NHS_PARAM,
      { name: 'date', type: 'date', documentation: 'When recorded; repeatable, with prefixes eq, ge, gt, le, lt' },
      { name: 'agent', type: 'reference', documentation: 'The user (token sub) or agency id (la:383) who acted' },
      { name: '_count', type: 'number', documentation: 'Page size, 1 to 500 (default 100), newest first' },
    ],
    documentation:
      "The audit trail for the auditor role (purpose audit), as IHE BALP-shaped AuditEvents: what the auditor's agency's users did, and every sharing decision about its records, released or withheld, with the agreements, lawful basis and any consent override. Reading it is audited.",
  },
  {
    type: 'CareTeam',
    interactions: ['read', 'search-type', 'create'],
    searchParams: [NHS_PARAM],
    documentation:
      'CP-IS query (header IsUnscheduledAccessEvent: true|false) returning plans, the owning LA with its contact numbers, and the 25 most recent unscheduled accesses; create records a local authority plan; read is for the owning local authority only.',
  },
  { type: 'Flag', interactions: ['search-type'], searchParams: [NHS_PARAM], documentation: 'The same plans as Patient Flags style Flags (silent read unless IsUnscheduledAccessEvent: true).' },
  {
    type: 'Communication',
    interactions: ['search-type'],
    searchParams: [
      { name: 'recipient', type: 'reference', documentation: "The caller's own agency: Organization/la-383 or la:383" },
      { name: '_count', type: 'number', documentation: 'Page size, 1 to 500 (default 50), newest first' },
    ],
    documentation: "An agency's inbox: CP-IS access notifications.",
  },
  {
    type: 'Consent',
    interactions: ['read', 'search-type', 'create'],
    searchParams: [NHS_PARAM],
    documentation:
      "Consent decisions about sharing a person's information: given (active, provision permit), refused (active, provision deny), withdrawn (inactive), or not sought with its DPA 2018 Sch 1 para 18 reason (extension consent-not-sought-reason: cannot-be-given, cannot-reasonably-obtain, would-prejudice-protection); extension adult-at-risk marks an adult the safeguarding exemption covers. Read and search release each consent through the sharing agreements.",
  },
  { type: 'Organization', interactions: ['read'], searchParams: [], documentation: 'Participating agencies: name and office-hours / out-of-hours numbers (id la-383, ods-RR8, …).' },
  {
    type: 'Patient',
    interactions: [],
    searchParams: [],
    documentation: 'The person index, reached through $match only.',
    operations: [
      {
        name: 'match',
        definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
        documentation:
          "POST /fhir/Patient/$match with Parameters (resource: Patient; onlyCertainMatches; count up to 50): candidates from the person index, best first, each with search.score and the match-grade extension (certain: a verified NHS number with the same date of birth, or another shared identifier; probable: the model's automatic-match threshold; possible: its review threshold; certainly-not: a different value of an identifier the Patient also has). Audited; nothing stored.",
      },
    ],
  },
];

export const SYSTEM_INTERACTIONS = ['transaction', 'batch'] as const;

/** System-level operations. Each answers; the metadata test calls them. */
export const SYSTEM_OPERATIONS = [
  {
    name: 'validate',
    definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
    documentation:
      'POST /fhir/$validate or /fhir/{type}/$validate with a resource or Bundle as application/fhir+json or application/fhir+xml: the same checks as ingest (structure, UK Core rules, mapping to the canonical model, the person index), nothing stored; answers an OperationOutcome.',
  },
] as const;

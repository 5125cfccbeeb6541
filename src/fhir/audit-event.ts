/**
 * Audit entries as FHIR R4 AuditEvents shaped after IHE Basic Audit Log Patterns (BALP):
 * type `rest` with the RESTful interaction as subtype, the requesting user as the requestor
 * agent with their purpose of use, their organisation, the gateway as the source, the
 * patient and the query or records as entities. A consent-based authorisation decision (a
 * consent given, Sch 1 para 18, or an override) is named on its record entity.
 */
import type { AuditDecision, AuditEntry } from '../model/audit-entry.js';
import { GATEWAY_PURPOSE_SYSTEM, PURPOSE_OF_USE_SYSTEM, SGW_BASE } from '../model/systems.js';
import { PURPOSES } from '../policy/purposes.js';

const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
export const PERSON_ID_SYSTEM = `${SGW_BASE}/Id/person`;
export const RECORD_ID_SYSTEM = `${SGW_BASE}/Id/record`;
export const AGENCY_SYSTEM = `${SGW_BASE}/Id/agency`;
const USER_SYSTEM = `${SGW_BASE}/Id/user`;
export const AUDIT_KIND_SYSTEM = `${SGW_BASE}/CodeSystem/audit-kind`;

/** BALP's interaction and profile for each audited action. */
const INTERACTIONS: Record<AuditEntry['action'], { subtype: string; action: fhir4.AuditEvent['action']; profile: string }> = {
  search: { subtype: 'search-type', action: 'E', profile: 'Query' },
  read: { subtype: 'read', action: 'R', profile: 'Read' },
  create: { subtype: 'create', action: 'C', profile: 'Create' },
  update: { subtype: 'update', action: 'U', profile: 'Update' },
  notify: { subtype: 'create', action: 'C', profile: 'Create' },
  validate: { subtype: 'operation', action: 'E', profile: 'Query' },
};

/** FHIR AuditEvent.outcome: 0 success, 4 minor failure (refused, bad request), 8 serious failure (server). */
function outcomeCode(entry: AuditEntry): fhir4.AuditEvent['outcome'] {
  if (entry.outcome === 'permit' && entry.status < 400) return '0';
  return entry.status >= 500 ? '8' : '4';
}

function purposeCoding(claim: string | null): fhir4.CodeableConcept[] {
  if (!claim) return [];
  return [{ coding: [{ system: (PURPOSES as readonly string[]).includes(claim) ? GATEWAY_PURPOSE_SYSTEM : PURPOSE_OF_USE_SYSTEM, code: claim }] }];
}

function detail(type: string, value: string | undefined): fhir4.AuditEventEntityDetail[] {
  return value === undefined || value === '' ? [] : [{ type, valueString: value }];
}

/** One record released or withheld: what it was, whose, the decision and the basis. */
function recordEntity(d: AuditDecision): fhir4.AuditEventEntity {
  return {
    what: { identifier: { system: RECORD_ID_SYSTEM, value: d.record } },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    name: `${d.type} held by ${d.owner}`,
    description: d.permit ? 'released' : 'withheld',
    detail: [
      ...detail('decision', d.reason),
      ...detail('agreements', d.agreements?.join(', ')),
      ...detail('lawful-basis', d.lawfulBasis),
      ...detail('released-fields', d.released?.join(', ')),
      ...detail('withheld-fields', d.withheld?.join(', ')),
      // BALP AuthZ-Consent: the decision rested on consent (given, Sch 1 para 18, or overridden).
      ...detail('consent-decision', d.consent && d.consent !== 'not-required' ? d.consent : undefined),
    ],
  };
}

/** An audit entry (with its position in the log) as a BALP-shaped AuditEvent. */
export function toAuditEvent(seq: number, entry: AuditEntry): fhir4.AuditEvent {
  const i = INTERACTIONS[entry.action];
  const hasPatient = entry.subjects.length > 0;
  const agents: fhir4.AuditEventAgent[] = [
    {
      type: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
      who: entry.actor.sub ? { identifier: { system: USER_SYSTEM, value: entry.actor.sub } } : { display: 'unauthenticated caller' },
      ...(entry.actor.role ? { role: [{ coding: [{ system: `${SGW_BASE}/CodeSystem/role`, code: entry.actor.role }] }] } : {}),
      requestor: true,
      ...(entry.purpose ? { purposeOfUse: purposeCoding(entry.purpose) } : {}),
    },
  ];
  if (entry.actor.agency) {
    agents.push({ type: { coding: [{ system: PARTICIPATION, code: 'PROV', display: 'healthcare provider' }] }, who: { identifier: { system: AGENCY_SYSTEM, value: entry.actor.agency } }, requestor: false });
  }
  const entities: fhir4.AuditEventEntity[] = [
    ...entry.subjects.map((id) => ({ what: { identifier: { system: PERSON_ID_SYSTEM, value: id } }, type: { system: ENTITY_TYPE, code: '1', display: 'Person' }, role: { system: OBJECT_ROLE, code: '1', display: 'Patient' } })),
    ...(entry.query ? [{ type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, role: { system: OBJECT_ROLE, code: '24', display: 'Query' }, query: Buffer.from(entry.query, 'utf8').toString('base64') }] : []),
    ...(entry.decisions ?? []).map(recordEntity),
  ];
  if (entry.override) {
    entities.push({ type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, name: 'consent override', description: 'a refused, withdrawn or unrecorded consent was overridden to protect the subject', detail: detail('override-reason', entry.override.reason) });
  }
  return {
    resourceType: 'AuditEvent',
    id: String(seq),
    meta: { profile: [`${BALP}.${hasPatient ? 'Patient' : ''}${i.profile}`] },
    type: { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'Restful Operation' },
    // The gateway's own kind (action:resourceType, e.g. search:CareTeam) beside the BALP interaction: what a conformance pack checks was audited.
    subtype: [
      { system: RESTFUL_INTERACTION, code: i.subtype },
      { system: AUDIT_KIND_SYSTEM, code: `${entry.action}:${entry.resourceType}`, display: `${entry.action} ${entry.resourceType}` },
    ],
    action: i.action,
    recorded: entry.recordedAt,
    outcome: outcomeCode(entry),
    ...(entry.reason ? { outcomeDesc: entry.reason } : {}),
    ...(entry.purpose ? { purposeOfEvent: purposeCoding(entry.purpose) } : {}),
    agent: agents,
    source: { site: 'safeguarding-gateway', observer: { display: 'Safeguarding Gateway' }, type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }] },
    ...(entities.length > 0 ? { entity: entities } : {}),
  };
}

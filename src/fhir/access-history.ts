import type { AccessRecord } from '../model/access-record.js';
import type { Agency } from '../model/agency.js';
import { NHS_NUMBER_SYSTEM, SGW_BASE } from '../model/systems.js';
import { organizationReference } from './organization.js';

export const USER_ID_SYSTEM_BASE = `${SGW_BASE}/Id/user`;

/**
 * One listed CP-IS access as an AuditEvent (DICOM 110112 Query), the shape integrators
 * already parse for access history: who (user and organisation), when, about whom.
 */
export function toAccessAuditEvent(access: AccessRecord, agency: Pick<Agency, 'id' | 'name'>, nhsNumber: string): fhir4.AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: access.id,
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type', display: 'search type' }],
    action: 'E',
    recorded: access.at,
    outcome: '0',
    purposeOfEvent: [{ text: access.purpose }],
    agent: [
      {
        requestor: true,
        who: { identifier: { system: `${USER_ID_SYSTEM_BASE}/${agency.id}`, value: access.accessor.sub } },
        role: [{ text: access.accessor.role }],
      },
      { requestor: false, who: organizationReference(agency) },
    ],
    source: { observer: { display: 'Safeguarding Gateway' } },
    entity: [{ what: { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' } }],
  };
}

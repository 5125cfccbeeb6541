import type { Consent } from '../model/consent.js';
import { CONFIDENTIALITY_SYSTEM, GATEWAY_PURPOSE_SYSTEM, NHS_NUMBER_SYSTEM, PURPOSE_OF_USE_SYSTEM, SGW_BASE } from '../model/systems.js';
import { PURPOSES } from '../policy/purposes.js';
import { organizationReference } from './organization.js';
import type { Agency } from '../model/agency.js';

export const NOT_SOUGHT_REASON_EXTENSION = `${SGW_BASE}/StructureDefinition/consent-not-sought-reason`;
export const ADULT_AT_RISK_EXTENSION = `${SGW_BASE}/StructureDefinition/adult-at-risk`;
const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** A required element withheld by the sharing rules (FHIR data-absent-reason `masked`). */
const MASKED: fhir4.CodeableConcept = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }] };

/** A consent as it may be shown: the fields a sharing decision released, and its identity. */
export type ShownConsent = Pick<Consent, 'id' | 'owner' | 'subjectPersonId'> & Partial<Omit<Consent, 'id' | 'owner' | 'subjectPersonId'>>;

/**
 * FHIR status and provision type for a consent state, the inverse of the fhir-r4-uk-core
 * mapping: given = active permit, refused = active deny, withdrawn = inactive, not sought =
 * active with the reason in an extension (and no provision type, as nothing was agreed).
 */
function statusOf(c: ShownConsent): { status: fhir4.Consent['status']; provisionType?: 'permit' | 'deny' } {
  switch (c.state) {
    case 'given':
      return { status: 'active', provisionType: 'permit' };
    case 'refused':
      return { status: 'active', provisionType: 'deny' };
    case 'withdrawn':
      return { status: 'inactive' };
    default:
      return { status: 'active' };
  }
}

/** The canonical consent as FHIR R4 Consent; what was not released is not there. */
export function toFhirConsent(c: ShownConsent, nhsNumber: string | null, owner: Agency): fhir4.Consent {
  const { status, provisionType } = statusOf(c);
  const extension: fhir4.Extension[] = [
    ...(c.state === 'not-sought' && c.notSoughtReason ? [{ url: NOT_SOUGHT_REASON_EXTENSION, valueCode: c.notSoughtReason }] : []),
    ...(c.subjectAtRisk !== undefined ? [{ url: ADULT_AT_RISK_EXTENSION, valueBoolean: c.subjectAtRisk }] : []),
  ];
  const purposes = (c.purposes ?? []).map((code) => ({ system: (PURPOSES as readonly string[]).includes(code) ? GATEWAY_PURPOSE_SYSTEM : PURPOSE_OF_USE_SYSTEM, code }));
  const provision: fhir4.ConsentProvision = {
    ...(provisionType ? { type: provisionType } : {}),
    ...(c.period ? { period: { ...(c.period.start ? { start: c.period.start } : {}), ...(c.period.end ? { end: c.period.end } : {}) } } : {}),
    ...(purposes.length > 0 ? { purpose: purposes } : {}),
  };
  return {
    resourceType: 'Consent',
    id: c.id,
    ...(c.securityLabel ? { meta: { security: [{ system: CONFIDENTIALITY_SYSTEM, code: c.securityLabel }] } } : {}),
    ...(extension.length > 0 ? { extension } : {}),
    status,
    // scope and category are required in R4: when the sharing decision withheld them they are marked masked.
    scope: c.scope ? { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: c.scope }] } : MASKED,
    category: c.categories ? c.categories.map((code) => ({ coding: [{ system: ACT_CODE_SYSTEM, code }] })) : [MASKED],
    ...(nhsNumber ? { patient: { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } } } : {}),
    ...(c.recordedAt ? { dateTime: c.recordedAt } : {}),
    ...(c.recordedBy ? { performer: [{ display: c.recordedBy }] } : {}),
    organization: [organizationReference(owner)],
    ...(Object.keys(provision).length > 0 ? { provision } : {}),
  };
}

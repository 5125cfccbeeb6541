import type { Agency } from '../model/agency.js';
import { AGENCY_ID_SYSTEM, CONTACT_USE_EXTENSION, DFE_LA_CODE_SYSTEM, ODS_ORGANIZATION_SYSTEM, ONS_PFA_CODE_SYSTEM, SCHOOL_URN_SYSTEM } from '../model/systems.js';

/** FHIR ids cannot hold ':', so agency `la:383` is `Organization/la-383`. */
export function organizationId(agencyId: string): string {
  return agencyId.replace(':', '-');
}

/** The agency id of an Organization id or reference (`la-383`, `Organization/la-383`, or `la:383` as given). */
export function agencyIdFromOrganization(ref: string): string {
  const bare = ref.replace(/^Organization\//, '');
  return bare.includes(':') ? bare : bare.replace('-', ':');
}

export function organizationReference(agency: Pick<Agency, 'id' | 'name'>): fhir4.Reference {
  return { reference: `Organization/${organizationId(agency.id)}`, display: agency.name };
}

const CODE_SYSTEM_BY_KIND: Partial<Record<Agency['kind'], string>> = {
  la: DFE_LA_CODE_SYSTEM,
  ods: ODS_ORGANIZATION_SYSTEM,
  police: ONS_PFA_CODE_SYSTEM,
  school: SCHOOL_URN_SYSTEM,
};

/** An agency's telephone numbers, each marked office-hours or out-of-hours (emergency duty team). */
export function agencyTelecom(agency: Agency): fhir4.ContactPoint[] {
  const out: fhir4.ContactPoint[] = [];
  const hours = (code: string): fhir4.Extension[] => [{ url: CONTACT_USE_EXTENSION, valueCode: code }];
  if (agency.contacts.officeHours) out.push({ system: 'phone', value: agency.contacts.officeHours, use: 'work', rank: 1, extension: hours('office-hours') });
  if (agency.contacts.outOfHours) out.push({ system: 'phone', value: agency.contacts.outOfHours, use: 'work', rank: 2, extension: hours('out-of-hours') });
  if (agency.contacts.email) out.push({ system: 'email', value: agency.contacts.email, use: 'work' });
  return out;
}

export function toOrganization(agency: Agency): fhir4.Organization {
  const codeSystem = CODE_SYSTEM_BY_KIND[agency.kind];
  return {
    resourceType: 'Organization',
    id: organizationId(agency.id),
    identifier: [{ system: AGENCY_ID_SYSTEM, value: agency.id }, ...(codeSystem ? [{ system: codeSystem, value: agency.code }] : [])],
    active: true,
    name: agency.name,
    telecom: agencyTelecom(agency),
  };
}

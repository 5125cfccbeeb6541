/**
 * Identifier and code system URIs. NHS and HL7 URIs are the published ones; the
 * gateway's own systems live under SGW_BASE, a reserved `.example` domain, until a
 * deployment registers its own namespace.
 */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const LEGACY_NHS_NUMBER_SYSTEM = 'http://fhir.nhs.net/Id/nhs-number';
export const ODS_ORGANIZATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const LEGACY_ODS_ORGANIZATION_SYSTEM = 'http://fhir.nhs.net/Id/ods-organization-code';
export const NHS_NUMBER_VERIFICATION_EXTENSION =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
export const NHS_NUMBER_VERIFICATION_SYSTEM =
  'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const CHILD_PROTECTION_PLAN_VALUESET = 'https://fhir.nhs.uk/England/ValueSet/England-ChildProtectionPlan';
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const PURPOSE_OF_USE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

export const SGW_BASE = 'https://sgw.example/fhir';
export const AGENCY_ID_SYSTEM = `${SGW_BASE}/Id/agency`;
export const DFE_LA_CODE_SYSTEM = `${SGW_BASE}/Id/dfe-la-number`;
export const ONS_PFA_CODE_SYSTEM = `${SGW_BASE}/Id/ons-police-force-area`;
export const SCHOOL_URN_SYSTEM = `${SGW_BASE}/Id/school-urn`;
export const PLAN_ID_SYSTEM = `${SGW_BASE}/Id/protection-plan`;
export const GATEWAY_ERROR_SYSTEM = `${SGW_BASE}/CodeSystem/gateway-error`;
/** Published validation rules (DfE CIN census, SSDA903) and CP-IS upload result codes, as `CIN-8925`, `SSDA903-103`, `CPR03`. */
export const VALIDATION_RULE_SYSTEM = `${SGW_BASE}/CodeSystem/validation-rule`;
export const LA_CHILD_ID_SYSTEM_PREFIX = `${SGW_BASE}/Id/la-child-id`;
export const UPN_SYSTEM = `${SGW_BASE}/Id/upn`;
/** Canonical category of abuse (the DfE CIN census categories, mapped by the cin-category-of-abuse ConceptMap). */
export const ABUSE_CATEGORY_SYSTEM = `${SGW_BASE}/CodeSystem/abuse-category`;
export const GATEWAY_PURPOSE_SYSTEM = `${SGW_BASE}/CodeSystem/purpose-of-use`;
export const COMMUNICATION_CATEGORY_SYSTEM = `${SGW_BASE}/CodeSystem/communication-category`;
export const CONTACT_USE_EXTENSION = `${SGW_BASE}/StructureDefinition/contact-hours`;

const LEGACY_SYSTEMS: Readonly<Record<string, string>> = {
  [LEGACY_NHS_NUMBER_SYSTEM]: NHS_NUMBER_SYSTEM,
  [LEGACY_ODS_ORGANIZATION_SYSTEM]: ODS_ORGANIZATION_SYSTEM,
};

/** Maps Spine-era (DSTU2/STU3) identifier systems to their current `https://fhir.nhs.uk/Id/…` form. */
export function normaliseSystem(system: string): string {
  return LEGACY_SYSTEMS[system] ?? system;
}

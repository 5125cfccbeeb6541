import type { Agency } from '../model/agency.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { isPlanActive, PLAN_KINDS } from '../model/protection-plan.js';
import { ABUSE_CATEGORY_SYSTEM, CONFIDENTIALITY_SYSTEM, NHS_NUMBER_SYSTEM, PLAN_ID_SYSTEM, SNOMED_SYSTEM } from '../model/systems.js';
import { agencyTelecom, organizationReference } from './organization.js';

/**
 * A plan as it may be shown: what every CP-IS answer needs (kind, period, status, owner),
 * and the rest only when the sharing decision released it.
 */
export type ShownPlan = Pick<ProtectionPlan, 'id' | 'owner' | 'kind' | 'period' | 'status' | 'securityLabel'> & Partial<Pick<ProtectionPlan, 'sourceIdentifiers' | 'categoryOfAbuse'>>;

function planCoding(plan: ShownPlan): fhir4.Coding {
  const k = PLAN_KINDS[plan.kind];
  return { system: SNOMED_SYSTEM, code: k.code, display: k.display };
}

function meta(plan: ShownPlan): fhir4.Meta {
  return { security: [{ system: CONFIDENTIALITY_SYSTEM, code: plan.securityLabel }] };
}

function identifiers(plan: ShownPlan): fhir4.Identifier[] {
  return [{ system: PLAN_ID_SYSTEM, value: plan.id }, ...(plan.sourceIdentifiers ?? []).map((i) => ({ system: i.system, value: i.value }))];
}

/** The category of abuse, shown only where it was released (the owning LA). */
function reasonCode(plan: ShownPlan): { reasonCode?: fhir4.CodeableConcept[] } {
  return plan.categoryOfAbuse ? { reasonCode: [{ coding: [{ system: ABUSE_CATEGORY_SYSTEM, code: plan.categoryOfAbuse }] }] } : {};
}

function period(plan: ShownPlan): fhir4.Period {
  return { start: plan.period.start, ...(plan.period.end ? { end: plan.period.end } : {}) };
}

/** The subject as CP-IS names it: by NHS number (the child, or the mother for an unborn-child plan). */
function subject(nhsNumber: string): fhir4.Reference {
  return { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } };
}

function status(plan: ShownPlan, today: string): 'active' | 'inactive' | 'entered-in-error' {
  if (plan.status === 'entered-in-error') return 'entered-in-error';
  return isPlanActive(plan, today) ? 'active' : 'inactive';
}

/** A plan as a CP-IS CareTeam: category from England-ChildProtectionPlan, period, owning LA and its numbers. */
export function toCareTeam(plan: ShownPlan, nhsNumber: string, owner: Agency, today: string): fhir4.CareTeam {
  return {
    resourceType: 'CareTeam',
    id: plan.id,
    meta: meta(plan),
    identifier: identifiers(plan),
    status: status(plan, today),
    category: [{ coding: [planCoding(plan)] }],
    name: `${owner.name}: ${PLAN_KINDS[plan.kind].display}`,
    subject: subject(nhsNumber),
    period: period(plan),
    ...reasonCode(plan),
    managingOrganization: [organizationReference(owner)],
    telecom: agencyTelecom(owner),
  };
}

/** The same plan as a Patient Flags style Flag (category safety). */
export function toFlag(plan: ShownPlan, nhsNumber: string, owner: Agency, today: string): fhir4.Flag {
  return {
    resourceType: 'Flag',
    id: plan.id,
    meta: meta(plan),
    identifier: identifiers(plan),
    status: status(plan, today),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'safety', display: 'Safety' }] }],
    code: { coding: [planCoding(plan)], text: PLAN_KINDS[plan.kind].display },
    subject: subject(nhsNumber),
    period: period(plan),
    author: organizationReference(owner),
  };
}

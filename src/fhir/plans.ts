import type { Agency } from '../model/agency.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { isPlanActive, PLAN_KINDS } from '../model/protection-plan.js';
import { CONFIDENTIALITY_SYSTEM, NHS_NUMBER_SYSTEM, PLAN_ID_SYSTEM, SNOMED_SYSTEM } from '../model/systems.js';
import { agencyTelecom, organizationReference } from './organization.js';

function planCoding(plan: ProtectionPlan): fhir4.Coding {
  const k = PLAN_KINDS[plan.kind];
  return { system: SNOMED_SYSTEM, code: k.code, display: k.display };
}

function meta(plan: ProtectionPlan): fhir4.Meta {
  return { security: [{ system: CONFIDENTIALITY_SYSTEM, code: plan.securityLabel }] };
}

function identifiers(plan: ProtectionPlan): fhir4.Identifier[] {
  return [{ system: PLAN_ID_SYSTEM, value: plan.id }, ...plan.sourceIdentifiers.map((i) => ({ system: i.system, value: i.value }))];
}

function period(plan: ProtectionPlan): fhir4.Period {
  return { start: plan.period.start, ...(plan.period.end ? { end: plan.period.end } : {}) };
}

/** The subject as CP-IS names it: by NHS number (the child, or the mother for an unborn-child plan). */
function subject(nhsNumber: string): fhir4.Reference {
  return { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } };
}

function status(plan: ProtectionPlan, today: string): 'active' | 'inactive' | 'entered-in-error' {
  if (plan.status === 'entered-in-error') return 'entered-in-error';
  return isPlanActive(plan, today) ? 'active' : 'inactive';
}

/** A plan as a CP-IS CareTeam: category from England-ChildProtectionPlan, period, owning LA and its numbers. */
export function toCareTeam(plan: ProtectionPlan, nhsNumber: string, owner: Agency, today: string): fhir4.CareTeam {
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
    managingOrganization: [organizationReference(owner)],
    telecom: agencyTelecom(owner),
  };
}

/** The same plan as a Patient Flags style Flag (category safety). */
export function toFlag(plan: ProtectionPlan, nhsNumber: string, owner: Agency, today: string): fhir4.Flag {
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

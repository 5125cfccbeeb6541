import type { AgencyType } from '../model/agency.js';

/**
 * The roles a token may carry, and which kinds of agency may hold each. A token whose
 * role does not fit its agency is refused outright.
 */
export const ROLES = {
  'la-social-worker': { agencyTypes: ['local-authority'], description: "Children's social care practitioner: its own LA's records and plans" },
  'unscheduled-care': { agencyTypes: ['health'], description: 'A&E, MIU, walk-in, out-of-hours, ambulance, maternity: CP-IS queries that notify the LA' },
  'scheduled-care': { agencyTypes: ['health'], description: 'GP, community and planned care: silent CP-IS reads' },
  'police-submitter': { agencyTypes: ['police'], description: 'Submits police notifications for its force' },
  'school-dsl': { agencyTypes: ['school'], description: "Designated safeguarding lead: its school's notices" },
  auditor: { agencyTypes: ['local-authority', 'health', 'police', 'school', 'other'], description: 'Reads the audit trail; no case data' },
  admin: { agencyTypes: ['local-authority', 'health', 'police', 'school', 'other'], description: 'Operates the gateway; no case data' },
} as const satisfies Record<string, { agencyTypes: readonly AgencyType[]; description: string }>;

export type Role = keyof typeof ROLES;

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

/** Null when the role may be held by that kind of agency, else the reason it may not. */
export function roleProblem(role: string, agencyType: AgencyType): string | null {
  if (!isRole(role)) return `role '${role}' is not one of ${Object.keys(ROLES).join(', ')}`;
  const allowed: readonly AgencyType[] = ROLES[role].agencyTypes;
  return allowed.includes(agencyType) ? null : `role '${role}' is held only by ${allowed.join(' / ')} agencies, not ${agencyType}`;
}

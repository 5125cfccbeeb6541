import type { ErrorCode } from '../errors/codes.js';
import type { Purpose } from './purposes.js';
import type { Role } from './roles.js';

/** What the caller is: established by the token, never by the request body. */
export interface Requester {
  sub: string;
  agency: string;
  role: Role;
  /** The purpose claim as sent (e.g. TREAT) and as the gateway understands it. */
  purposeClaim: string | null;
  purpose: Purpose | null;
}

export type Action = 'audit:head' | 'audit:proof' | 'audit:read' | 'consent:read' | 'notification:read' | 'notification:submit' | 'cpis:query' | 'cpis:query-unscheduled' | 'plan:read' | 'plan:write' | 'communication:read' | 'ingest:la-return' | 'ingest:health-feed' | 'ingest:fhir' | 'record:read' | 'matching:review' | 'matching:decide' | 'matching:match' | 'alert:read' | 'alert:update' | 'webhook:read' | 'token:revoke';

export type Decision = { permit: true; reason: string } | { permit: false; code: ErrorCode; reason: string };

/** One grant: these roles may do the action for these purposes. */
interface Grant {
  roles: readonly Role[];
  purposes: readonly Purpose[];
}

const HEALTH_CARE: readonly Role[] = ['unscheduled-care', 'scheduled-care'];
const LA_SAFEGUARDING: readonly Purpose[] = ['safeguarding-s47', 'child-in-need-s17'];

/** Who may do what, for which purposes. Anything not granted here is denied. */
const GRANTS: Readonly<Record<Action, readonly Grant[]>> = {
  'cpis:query': [
    { roles: HEALTH_CARE, purposes: ['direct-care'] },
    { roles: ['la-social-worker'], purposes: LA_SAFEGUARDING },
  ],
  'cpis:query-unscheduled': [{ roles: ['unscheduled-care'], purposes: ['direct-care'] }],
  // Health reads plans only through the CP-IS query, so that access is recorded and the LA told.
  'plan:read': [{ roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'statutory-return'] }],
  'plan:write': [{ roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'statutory-return'] }],
  // Statutory returns (CIN census, SSDA903) and CP-IS style uploads come from the LA that owns them.
  'ingest:la-return': [{ roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'statutory-return'] }],
  // Hospital feeds (HL7 v2 ADT) come from health settings, for direct care.
  'ingest:health-feed': [{ roles: HEALTH_CARE, purposes: ['direct-care'] }],
  'ingest:fhir': [
    { roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help', 'statutory-return'] },
    { roles: HEALTH_CARE, purposes: ['direct-care'] },
  ],
  // People, records and chronologies: an agency's own in full, others' as far as the
  // sharing agreements release them (src/policy/decide.ts decides each record).
  'record:read': [
    { roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help', 'statutory-return'] },
    { roles: HEALTH_CARE, purposes: ['direct-care'] },
    { roles: ['police-submitter'], purposes: ['law-enforcement', 'safeguarding-s47'] },
  ],
  // The person index's review queue, and link / unlink / not-a-match: a local authority's safeguarding staff.
  'matching:review': [{ roles: ['la-social-worker'], purposes: LA_SAFEGUARDING }],
  'matching:decide': [{ roles: ['la-social-worker'], purposes: LA_SAFEGUARDING }],
  // Patient/$match: who is this? As PDS answers healthcare workers, and LA staff tracing a child.
  'matching:match': [
    { roles: ['la-social-worker'], purposes: LA_SAFEGUARDING },
    { roles: HEALTH_CARE, purposes: ['direct-care'] },
  ],
  // Consents about a person: who may share what. Each consent is itself released by the agreements.
  'consent:read': [
    { roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help'] },
    { roles: HEALTH_CARE, purposes: ['direct-care'] },
  ],
  // Police notifications about a child: the force that submitted them, children's social
  // care, and a school's safeguarding lead (Operation Encompass); the agreements decide each.
  // Submitting one: a police force's own users, for law enforcement or safeguarding.
  'notification:submit': [{ roles: ['police-submitter'], purposes: ['law-enforcement', 'safeguarding-s47'] }],
  'notification:read': [
    { roles: ['police-submitter'], purposes: ['law-enforcement', 'safeguarding-s47'] },
    { roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help'] },
    { roles: ['school-dsl'], purposes: ['safeguarding-s47', 'early-help'] },
  ],
  // The audit trail and the accounting of disclosures: auditors and DPOs, for audit.
  'audit:read': [{ roles: ['auditor'], purposes: ['audit'] }],
  // Tamper evidence of the audit log (signed tree heads, inclusion and consistency proofs): hashes only, no case data.
  'audit:head': [{ roles: ['auditor', 'admin'], purposes: ['audit'] }],
  'audit:proof': [{ roles: ['auditor', 'admin'], purposes: ['audit'] }],
  // Alerts raised by the rules in config/alerts.yaml, addressed to a local authority's children's social care.
  'alert:read': [{ roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help'] }],
  'alert:update': [{ roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help'] }],
  // An agency's own webhook deliveries (ids, status codes and times; no case data): whoever operates or audits its integration.
  'webhook:read': [{ roles: ['admin', 'auditor'], purposes: ['audit'] }],
  // Revoking its own agency's tokens (a lost device, a leaver): whoever operates the gateway for it (HOPERAT reads as audit).
  'token:revoke': [{ roles: ['admin'], purposes: ['audit'] }],
  'communication:read': [
    { roles: ['la-social-worker'], purposes: [...LA_SAFEGUARDING, 'early-help'] },
    { roles: ['school-dsl'], purposes: ['safeguarding-s47', 'early-help'] },
    // A force's MASH reads the notifications the gateway could not route, to route them itself.
    { roles: ['police-submitter'], purposes: ['law-enforcement', 'safeguarding-s47'] },
  ],
};

/**
 * Decides whether a requester may perform an action. Deny by default: an action with
 * no rule, a role not named by the rule, or a missing or unlisted purpose is refused,
 * and the reason says which.
 */
export function authorise(requester: Requester, action: Action): Decision {
  const grants = Object.hasOwn(GRANTS, action) ? GRANTS[action] : [];
  const forRole = grants.filter((g) => g.roles.includes(requester.role));
  if (forRole.length === 0) {
    const roles = [...new Set(grants.flatMap((g) => g.roles))];
    return { permit: false, code: 'GW_ERR_FORBIDDEN_ROLE', reason: `role ${requester.role} may not ${action}; allowed roles: ${roles.join(', ') || 'none'}` };
  }
  const purposes = [...new Set(forRole.flatMap((g) => g.purposes))];
  if (requester.purpose === null) {
    return { permit: false, code: 'GW_ERR_FORBIDDEN_PURPOSE', reason: `${action} needs a purpose_of_use claim; allowed for ${requester.role}: ${purposes.join(', ')}` };
  }
  if (!purposes.includes(requester.purpose)) {
    return { permit: false, code: 'GW_ERR_FORBIDDEN_PURPOSE', reason: `purpose ${requester.purpose} does not permit ${action} by ${requester.role}; allowed: ${purposes.join(', ')}` };
  }
  return { permit: true, reason: `${requester.role} for ${requester.purpose}` };
}

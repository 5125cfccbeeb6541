import { describe, expect, it } from 'vitest';
import type { Action, Requester } from '../../src/policy/authorise.js';
import { authorise } from '../../src/policy/authorise.js';
import { normalisePurpose } from '../../src/policy/purposes.js';
import type { Role } from '../../src/policy/roles.js';
import { ROLES } from '../../src/policy/roles.js';

function who(role: Role, purposeClaim: string | null): Requester {
  return { sub: 'u', agency: 'x', role, purposeClaim, purpose: purposeClaim === null ? null : normalisePurpose(purposeClaim) };
}

/** The complete table of what is permitted; every other (role, action, purpose) must be denied. */
const PERMITTED: [Role, Action, string][] = [
  ['unscheduled-care', 'cpis:query', 'direct-care'],
  ['scheduled-care', 'cpis:query', 'direct-care'],
  ['la-social-worker', 'cpis:query', 'safeguarding-s47'],
  ['la-social-worker', 'cpis:query', 'child-in-need-s17'],
  ['unscheduled-care', 'cpis:query-unscheduled', 'direct-care'],
  ['la-social-worker', 'plan:read', 'safeguarding-s47'],
  ['la-social-worker', 'plan:read', 'child-in-need-s17'],
  ['la-social-worker', 'plan:read', 'statutory-return'],
  ['la-social-worker', 'plan:write', 'safeguarding-s47'],
  ['la-social-worker', 'plan:write', 'child-in-need-s17'],
  ['la-social-worker', 'plan:write', 'statutory-return'],
  ['la-social-worker', 'communication:read', 'safeguarding-s47'],
  ['la-social-worker', 'communication:read', 'child-in-need-s17'],
  ['la-social-worker', 'communication:read', 'early-help'],
  ['school-dsl', 'communication:read', 'safeguarding-s47'],
  ['school-dsl', 'communication:read', 'early-help'],
  ['police-submitter', 'communication:read', 'law-enforcement'],
  ['police-submitter', 'communication:read', 'safeguarding-s47'],
  ['police-submitter', 'notification:submit', 'law-enforcement'],
  ['police-submitter', 'notification:submit', 'safeguarding-s47'],
  ['la-social-worker', 'record:read', 'safeguarding-s47'],
  ['la-social-worker', 'record:read', 'child-in-need-s17'],
  ['la-social-worker', 'record:read', 'early-help'],
  ['la-social-worker', 'record:read', 'statutory-return'],
  ['unscheduled-care', 'record:read', 'direct-care'],
  ['scheduled-care', 'record:read', 'direct-care'],
  ['police-submitter', 'record:read', 'law-enforcement'],
  ['police-submitter', 'record:read', 'safeguarding-s47'],
  ['admin', 'webhook:read', 'audit'],
  ['auditor', 'webhook:read', 'audit'],
];

const ACTIONS: Action[] = ['cpis:query', 'cpis:query-unscheduled', 'plan:read', 'plan:write', 'communication:read', 'record:read', 'notification:submit', 'webhook:read'];
const PURPOSES = ['direct-care', 'safeguarding-s47', 'child-in-need-s17', 'early-help', 'law-enforcement', 'statutory-return', 'audit'];

describe('authorise (deny by default)', () => {
  const cases = (Object.keys(ROLES) as Role[]).flatMap((role) => ACTIONS.flatMap((action) => PURPOSES.map((purpose) => [role, action, purpose] as const)));

  it.each(cases)('%s / %s / %s', (role, action, purpose) => {
    const expected = PERMITTED.some(([r, a, p]) => r === role && a === action && p === purpose);
    expect(authorise(who(role, purpose), action).permit).toBe(expected);
  });

  it('accepts the FHIR v3-ActReason TREAT as direct care', () => {
    expect(authorise(who('unscheduled-care', 'TREAT'), 'cpis:query').permit).toBe(true);
  });

  it('refuses a request with no purpose, saying a purpose is needed', () => {
    const d = authorise(who('unscheduled-care', null), 'cpis:query');
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_FORBIDDEN_PURPOSE' });
    if (!d.permit) expect(d.reason).toContain('purpose_of_use');
  });

  it('names the roles that could do it when the role is wrong', () => {
    const d = authorise(who('school-dsl', 'safeguarding-s47'), 'plan:write');
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_FORBIDDEN_ROLE' });
    if (!d.permit) expect(d.reason).toContain('la-social-worker');
  });

  it('denies an action that has no rule at all', () => {
    expect(authorise(who('admin', 'audit'), 'nonexistent' as Action).permit).toBe(false);
  });
});

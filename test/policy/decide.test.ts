import { describe, expect, it } from 'vitest';
import type { Agreement } from '../../src/policy/agreement.js';
import { testAgreement } from '../helpers/agreements.js';
import type { PolicyInput } from '../../src/policy/decide.js';
import { decide, redact } from '../../src/policy/decide.js';

const LA = { id: 'la:383', type: 'local-authority' as const };
const OTHER_LA = { id: 'la:201', type: 'local-authority' as const };
const ED = { id: 'ods:RR8', type: 'health' as const };
const POLICE = { id: 'police:E23000010', type: 'police' as const };

function agreement(over: Record<string, unknown>): Agreement {
  return testAgreement({
    id: 'test',
    parties: ['type:local-authority', 'type:health'],
    shares: [{ id: 'plans', from: ['type:local-authority'], to: ['type:health'], roles: ['unscheduled-care'], purposes: ['direct-care'], datasets: { ProtectionPlan: ['kind', 'period'] } }],
    ...over,
  });
}

function input(over: Partial<PolicyInput> = {}): PolicyInput {
  return {
    requester: { agency: ED, role: 'unscheduled-care' },
    purpose: 'direct-care',
    record: { type: 'ProtectionPlan', owner: LA, label: 'N' },
    subject: { child: true, adultAtRisk: false },
    consent: null,
    override: null,
    agreements: [agreement({})],
    today: '2026-12-07',
    ...over,
  };
}

describe('decide: deny by default', () => {
  it('permits the named fields of a record an agreement shares, and names the share', () => {
    const d = decide(input());
    expect(d.permit).toBe(true);
    expect(d.fields.sort()).toEqual(['kind', 'period']);
    expect(d.agreements).toEqual(['test#plans']);
    expect(d.lawfulBasis).toContain('UK GDPR Art 6(1)(e) public task');
    expect(d.redactions.map((r) => r.field)).toContain('categoryOfAbuse');
  });

  it('denies with no agreements at all, naming both agencies', () => {
    const d = decide(input({ agreements: [] }));
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_SHARING_DENIED', fields: [] });
    expect(d.reason).toContain('ods:RR8');
    expect(d.reason).toContain('la:383');
  });

  it.each([
    ['another role', { requester: { agency: ED, role: 'scheduled-care' as const } }],
    ['another purpose', { purpose: 'audit' as const }],
    ['no purpose', { purpose: null }],
    ['another record type', { record: { type: 'CaseEvent' as const, owner: LA, label: 'N' as const } }],
    ['a requester who is not a party', { requester: { agency: POLICE, role: 'police-submitter' as const } }],
    ['records flowing the other way', { requester: { agency: LA, role: 'la-social-worker' as const }, record: { type: 'ProtectionPlan' as const, owner: ED, label: 'N' as const } }],
  ])('denies %s', (_name, over) => {
    expect(decide(input(over)).permit).toBe(false);
  });

  it('always releases an agency’s own record in full, agreements or none', () => {
    const d = decide(input({ requester: { agency: LA, role: 'la-social-worker' }, agreements: [] }));
    expect(d.permit).toBe(true);
    expect(d.fields).toContain('categoryOfAbuse');
    expect(d.lawfulBasis).toContain('data controller');
  });

  it('is not in force before it starts or after it expires', () => {
    expect(decide(input({ agreements: [agreement({ effectiveFrom: '2027-01-01' })] })).permit).toBe(false);
    expect(decide(input({ agreements: [agreement({ expires: '2026-12-06' })] })).permit).toBe(false);
    expect(decide(input({ agreements: [agreement({ expires: '2026-12-07' })] })).permit).toBe(true);
  });
});

describe('decide: confidentiality labels', () => {
  it('releases R and V records only where a share names the label, and says so', () => {
    const r = decide(input({ record: { type: 'ProtectionPlan', owner: LA, label: 'R' } }));
    expect(r.permit).toBe(false);
    expect(r.reason).toMatch(/labelled R/);
    const withR = agreement({ shares: [{ id: 'plans', to: ['type:health'], roles: ['unscheduled-care'], purposes: ['direct-care'], labels: ['N', 'R'], datasets: { ProtectionPlan: ['kind'] } }] });
    expect(decide(input({ record: { type: 'ProtectionPlan', owner: LA, label: 'R' }, agreements: [withR] })).permit).toBe(true);
    expect(decide(input({ record: { type: 'ProtectionPlan', owner: LA, label: 'V' }, agreements: [withR] })).permit).toBe(false);
  });
});

describe('decide: overlapping agreements', () => {
  const second = (fields: string[], over: Record<string, unknown> = {}) =>
    agreement({ id: 'second', shares: [{ id: 'more', to: ['type:health'], roles: ['unscheduled-care'], purposes: ['direct-care'], datasets: { ProtectionPlan: fields } }], ...over });

  it('releases the union of the fields two agreements permit', () => {
    const d = decide(input({ agreements: [agreement({}), second(['status'])] }));
    expect(d.fields.sort()).toEqual(['kind', 'period', 'status']);
    expect(d.agreements.sort()).toEqual(['second#more', 'test#plans']);
  });

  it('lets an explicit deny of a field win over another agreement’s permit', () => {
    const denyField = agreement({ id: 'deny', shares: [{ id: 'no-period', effect: 'deny', datasets: { ProtectionPlan: ['period'] } }] });
    const d = decide(input({ agreements: [agreement({}), second(['period', 'status']), denyField] }));
    expect(d.permit).toBe(true);
    expect(d.fields.sort()).toEqual(['kind', 'status']);
    expect(d.redactions).toContainEqual({ field: 'period', why: 'withheld by deny#no-period' });
  });

  it('lets an explicit deny of the whole type win, whatever is permitted', () => {
    const denyAll = agreement({ id: 'deny', shares: [{ id: 'none', effect: 'deny', to: ['ods:RR8'], datasets: { ProtectionPlan: ['*'] } }] });
    const d = decide(input({ agreements: [agreement({}), second(['*']), denyAll] }));
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_SHARING_DENIED' });
    expect(d.reason).toContain('deny#none');
  });

  it('applies a deny only where it fits: another requester still gets the record', () => {
    const denyOne = agreement({ id: 'deny', shares: [{ id: 'none', effect: 'deny', to: ['ods:RYJ'], datasets: { ProtectionPlan: ['*'] } }] });
    expect(decide(input({ agreements: [agreement({}), denyOne] })).permit).toBe(true);
  });

  it('withholds a keyed part (codes.X) of a field another share releases whole', () => {
    const shares = [
      { id: 'events', to: ['type:health'], roles: ['unscheduled-care'], purposes: ['direct-care'], labels: ['R'], datasets: { CaseEvent: ['kind', 'codes'] } },
      { id: 'no-category', effect: 'deny', datasets: { CaseEvent: ['codes.LatestCategoryOfAbuse'] } },
    ];
    const d = decide(input({ record: { type: 'CaseEvent', owner: LA, label: 'R' }, agreements: [agreement({ shares })] }));
    expect(d.permit).toBe(true);
    const event = { id: 'e1', subjectPersonId: 'p1', owner: 'la:383', securityLabel: 'R', kind: 'cp-plan', date: '2026-01-01', codes: { LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' } };
    expect(redact(event, d)).toEqual({ id: 'e1', subjectPersonId: 'p1', owner: 'la:383', securityLabel: 'R', kind: 'cp-plan', codes: { NumberOfPreviousCPP: '0' } });
  });

  it('releases named keyed parts only', () => {
    const shares = [{ id: 'events', to: ['type:health'], roles: ['unscheduled-care'], purposes: ['direct-care'], labels: ['R'], datasets: { CaseEvent: ['kind', 'codes.NumberOfPreviousCPP'] } }];
    const d = decide(input({ record: { type: 'CaseEvent', owner: LA, label: 'R' }, agreements: [agreement({ shares })] }));
    const event = { id: 'e1', subjectPersonId: 'p1', owner: 'la:383', kind: 'cp-plan', codes: { LatestCategoryOfAbuse: 'NEG', NumberOfPreviousCPP: '0' } };
    expect(redact(event, d)).toEqual({ id: 'e1', subjectPersonId: 'p1', owner: 'la:383', kind: 'cp-plan', codes: { NumberOfPreviousCPP: '0' } });
  });
});

describe('decide: consent', () => {
  const consentAgreement = (over: Record<string, unknown> = {}) =>
    agreement({
      id: 'early-help',
      parties: ['la:383', 'ods:RR8'],
      consentRequired: true,
      overrideRoles: ['la-social-worker'],
      shares: [{ id: 'attendances', from: ['ods:RR8'], to: ['la:383'], roles: ['la-social-worker'], purposes: ['early-help', 'safeguarding-s47'], datasets: { Attendance: ['arrival', 'organisation'] } }],
      ...over,
    });
  const asLa = (over: Partial<PolicyInput> = {}) =>
    input({ requester: { agency: LA, role: 'la-social-worker' }, purpose: 'early-help', record: { type: 'Attendance', owner: ED, label: 'N' }, agreements: [consentAgreement()], ...over });

  it('releases with consent given', () => {
    expect(decide(asLa({ consent: { state: 'given' } }))).toMatchObject({ permit: true, consent: 'given' });
  });

  it.each(['refused', 'withdrawn'] as const)('denies when consent was %s and no override is asked for, saying what an override needs', (state) => {
    const d = decide(asLa({ consent: { state } }));
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_CONSENT_REQUIRED' });
    expect(d.reason).toContain(`consent was ${state}`);
    expect(d.reason).toContain('la-social-worker');
    expect(d.reason).toContain('safeguarding-s47');
  });

  it('denies when consent is required and none is recorded', () => {
    expect(decide(asLa()).reason).toContain('no consent is recorded');
  });

  it('lets an allowed role override a refusal, for safeguarding, with a reason, for a child', () => {
    const d = decide(asLa({ purpose: 'safeguarding-s47', consent: { state: 'refused' }, override: { reason: 'bruising on a non-mobile baby; strategy discussion today' } }));
    expect(d).toMatchObject({ permit: true, consent: 'override', override: { reason: 'bruising on a non-mobile baby; strategy discussion today' } });
    expect(d.lawfulBasis).toContain('overridden by la-social-worker for safeguarding-s47');
  });

  it.each([
    ['for a purpose other than safeguarding', { purpose: 'early-help' as const }, /purpose safeguarding-s47/],
    ['with a reason too short to say anything', { override: { reason: 'needed' } }, /at least 10 characters/],
    ['for an adult not at risk', { subject: { child: false, adultAtRisk: false } }, /adult not recorded as at risk/],
  ])('refuses the override %s', (_name, over, message) => {
    const d = decide(asLa({ purpose: 'safeguarding-s47', consent: { state: 'refused' }, override: { reason: 'risk of significant harm tonight' }, ...over }));
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED' });
    expect(d.reason).toMatch(message);
  });

  it('allows the override for an adult at risk', () => {
    const d = decide(asLa({ purpose: 'safeguarding-s47', consent: { state: 'refused' }, override: { reason: 'risk of significant harm tonight' }, subject: { child: false, adultAtRisk: true } }));
    expect(d.permit).toBe(true);
  });

  it('refuses an override by a role the agreement does not allow', () => {
    const d = decide(asLa({ purpose: 'safeguarding-s47', consent: { state: 'refused' }, override: { reason: 'risk of significant harm tonight' }, agreements: [consentAgreement({ overrideRoles: [] })] }));
    expect(d).toMatchObject({ permit: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED' });
    expect(d.reason).toContain('may not override');
  });

  it('accepts consent not sought for a para 18 reason for a child, not for an adult not at risk', () => {
    const notSought = { state: 'not-sought' as const, reason: 'would-prejudice-protection' as const };
    expect(decide(asLa({ consent: notSought }))).toMatchObject({ permit: true, consent: 'para-18' });
    expect(decide(asLa({ consent: notSought })).lawfulBasis).toContain('Sch 1 para 18');
    const adult = decide(asLa({ consent: notSought, subject: { child: false, adultAtRisk: false } }));
    expect(adult).toMatchObject({ permit: false, code: 'GW_ERR_CONSENT_REQUIRED' });
  });

  it('releases under an overlapping agreement that does not need consent, only its own fields', () => {
    const noConsent = agreement({
      id: 'partnership',
      parties: ['la:383', 'ods:RR8'],
      shares: [{ id: 's47', from: ['ods:RR8'], to: ['la:383'], roles: ['la-social-worker'], purposes: ['safeguarding-s47'], datasets: { Attendance: ['arrival'] } }],
    });
    const d = decide(asLa({ purpose: 'safeguarding-s47', consent: { state: 'refused' }, agreements: [consentAgreement(), noConsent] }));
    expect(d).toMatchObject({ permit: true, consent: 'not-required', fields: ['arrival'], agreements: ['partnership#s47'] });
  });
});

describe('decide: identity protection', () => {
  const shares = [{ id: 'people', to: ['la:383', 'la:201'], roles: ['la-social-worker'], purposes: ['safeguarding-s47'], datasets: { Person: ['names', 'birthDate', 'addresses'] } }];
  const base = (identity: PolicyInput['identity']) =>
    input({
      requester: { agency: OTHER_LA, role: 'la-social-worker' },
      purpose: 'safeguarding-s47',
      record: { type: 'Person', owner: LA, label: 'N' },
      agreements: [agreement({ parties: ['type:local-authority'], shares })],
      ...(identity ? { identity } : {}),
    });

  it('withholds a protected person’s address from a requester linked to the alleged perpetrator’s household, whatever the agreement says', () => {
    const d = decide(base({ protectedPerson: true, requesterLinkedToPerpetrator: true }));
    expect(d.permit).toBe(true);
    expect(d.fields.sort()).toEqual(['birthDate', 'names']);
    expect(d.redactions.find((r) => r.field === 'addresses')?.why).toMatch(/identity protection/);
  });

  it('releases the address to a requester with no such link', () => {
    expect(decide(base({ protectedPerson: true, requesterLinkedToPerpetrator: false })).fields).toContain('addresses');
    expect(decide(base(undefined)).fields).toContain('addresses');
  });
});

/**
 * The sharing decision for one record and one requester: a pure function of who asks, why,
 * what the record is, what the subject consented to and the agreements in force. Deny by
 * default. The combining rule (docs/sharing.md):
 *
 * 1. An agency always sees its own records in full: it is their data controller.
 * 2. Otherwise only agreements in force on the day, to which both the requester's agency and
 *    the record's owner are parties, count; within them, only shares whose `from` covers the
 *    owner, `to` the requester, and whose roles, purposes, record type and confidentiality
 *    labels all fit. R and V records need a share that names the label.
 * 3. An explicit deny wins: a denying share that fits withholds the whole record (`*`) or the
 *    fields it names, whatever any other agreement permits.
 * 4. Permitted fields are the union over the permitting shares whose agreement's consent
 *    condition holds; the record is released only when that union is not empty.
 * 5. Identity protection: the locating fields of a protected person (a victim, or someone in
 *    a confidential placement) are withheld from a requester linked to the alleged
 *    perpetrator's household, whatever the agreements say.
 */
import type { AgencyType } from '../model/agency.js';
import type { CONSENT_NOT_SOUGHT_REASONS } from '../model/consent.js';
import type { SecurityLabel } from '../model/provenance.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Agreement, Share } from './agreement.js';
import { agencyIsParty, inForce } from './agreement.js';
import type { RecordType } from './datasets.js';
import { DATASETS, KEYED_FIELDS, LOCATING_FIELDS } from './datasets.js';
import type { Purpose } from './purposes.js';
import type { Role } from './roles.js';

/** Purposes that can carry a consent override: protecting a child from significant harm. */
export const SAFEGUARDING_PURPOSES: readonly Purpose[] = ['safeguarding-s47'];
/** An override reason shorter than this says nothing a reviewer could check. */
export const MIN_OVERRIDE_REASON = 10;

const ALL_LABELS: readonly SecurityLabel[] = ['N', 'R', 'V'];

export interface PartyRef {
  id: string;
  type: AgencyType;
}

export type NotSoughtReason = (typeof CONSENT_NOT_SOUGHT_REASONS)[number];

/** The consent that applies to this subject and purpose, if any was recorded. */
export type ConsentInput = { state: 'given' | 'refused' | 'withdrawn' } | { state: 'not-sought'; reason: NotSoughtReason };

export interface PolicyInput {
  requester: { agency: PartyRef; role: Role };
  purpose: Purpose | null;
  record: { type: RecordType; owner: PartyRef; label: SecurityLabel };
  /** Who the record is about: a child (under 18, or unborn) or an adult, and whether an adult is recorded as at risk. */
  subject: { child: boolean; adultAtRisk: boolean };
  consent: ConsentInput | null;
  /** A consent override the requester asked for, with its free-text reason. */
  override: { reason: string } | null;
  /** Identity protection: the subject is a victim or in a confidential placement, and the requester is linked to the alleged perpetrator's household. */
  identity?: { protectedPerson: boolean; requesterLinkedToPerpetrator: boolean };
  agreements: readonly Agreement[];
  /** The day the decision is made (YYYY-MM-DD), for agreements' periods. */
  today: string;
}

export type ConsentBasis = 'not-required' | 'given' | 'para-18' | 'override';

export interface PolicyDecision {
  permit: boolean;
  /** Why, in words a DPO can read back: names the agreement and share, or what was missing. */
  reason: string;
  /** For a refusal of a whole request: the gateway error it maps to. */
  code?: ErrorCode;
  /** Fields released besides the structural ones (keyed parts as `codes.X`). */
  fields: string[];
  /** Fields of the record type withheld, with the rule that withheld them. */
  redactions: { field: string; why: string }[];
  /** The agreement shares the release relies on, as `agreement#share`. */
  agreements: string[];
  /** The lawful basis of the release, from the agreements (and Sch 1 para 18 or the override when used). */
  lawfulBasis: string | null;
  consent?: ConsentBasis;
  /** Set when a refused, withdrawn or missing consent was overridden: the requester's reason. */
  override?: { reason: string };
}

interface Fit {
  agreement: Agreement;
  share: Share;
}

function deny(reason: string, code: ErrorCode, extra: Partial<PolicyDecision> = {}): PolicyDecision {
  return { permit: false, reason, code, fields: [], redactions: [], agreements: [], lawfulBasis: null, ...extra };
}

function shareFits(share: Share, input: PolicyInput, checkLabel: boolean): boolean {
  const { requester, record, purpose } = input;
  if (!Object.hasOwn(share.datasets, record.type)) return false;
  if (share.from && !share.from.some((p) => agencyIsParty(record.owner, p))) return false;
  if (share.to && !share.to.some((p) => agencyIsParty(requester.agency, p))) return false;
  if (share.roles && !share.roles.includes(requester.role)) return false;
  if (share.purposes && (purpose === null || !share.purposes.includes(purpose))) return false;
  if (!checkLabel) return true;
  const labels = share.labels ?? (share.effect === 'deny' ? ALL_LABELS : ['N']);
  return labels.includes(record.label);
}

/**
 * Whether the subject's consent could turn this decision under `agreement`: it requires
 * consent, is in force between the two agencies, and one of its permits fits the request
 * (labels aside). Consent only narrows what permits release, so when no such agreement
 * exists the consents need not be read.
 */
export function consentCouldMatter(agreement: Agreement, input: PolicyInput): boolean {
  return agreement.consentRequired === true && binds(agreement, input) && agreement.shares.some((share) => share.effect === 'permit' && shareFits(share, input, false));
}

/** Whether an agreement is in force and names both the requester's agency and the record's owner among its parties. */
function binds(agreement: Agreement, input: PolicyInput): boolean {
  return inForce(agreement, input.today) && agreement.parties.some((p) => agencyIsParty(input.requester.agency, p)) && agreement.parties.some((p) => agencyIsParty(input.record.owner, p));
}

type ConsentResult = { ok: true; basis: ConsentBasis; detail: string | null } | { ok: false; reason: string; code: ErrorCode };

/** Whether an agreement's consent condition holds for this request (the safeguarding exemption included). */
function consentHolds(agreement: Agreement, input: PolicyInput): ConsentResult {
  if (!agreement.consentRequired) return { ok: true, basis: 'not-required', detail: null };
  const { consent, subject, override, requester, purpose } = input;
  const protectable = subject.child || subject.adultAtRisk;
  const exemptionScope = 'the safeguarding exemption (DPA 2018 Sch 1 para 18) applies to children and adults at risk, and the subject is an adult not recorded as at risk';
  if (consent?.state === 'given') return { ok: true, basis: 'given', detail: 'consent given' };
  if (consent?.state === 'not-sought') {
    if (!protectable) return { ok: false, code: 'GW_ERR_CONSENT_REQUIRED', reason: `agreement ${agreement.id} requires consent; consent was not sought (${consent.reason}), but ${exemptionScope}` };
    return { ok: true, basis: 'para-18', detail: `DPA 2018 Sch 1 para 18: consent not sought (${consent.reason})` };
  }
  const state = consent ? `consent was ${consent.state}` : 'no consent is recorded';
  if (!override) {
    const who = agreement.overrideRoles.length > 0 ? agreement.overrideRoles.join(' or ') : 'no role (this agreement allows no override)';
    return {
      ok: false,
      code: 'GW_ERR_CONSENT_REQUIRED',
      reason: `agreement ${agreement.id} requires consent and ${state}; release needs an override by ${who}, for ${SAFEGUARDING_PURPOSES.join(' or ')}, with a recorded reason`,
    };
  }
  if (!agreement.overrideRoles.includes(requester.role)) {
    return { ok: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED', reason: `${state}; role ${requester.role} may not override it under agreement ${agreement.id} (allowed: ${agreement.overrideRoles.join(', ') || 'none'})` };
  }
  if (purpose === null || !SAFEGUARDING_PURPOSES.includes(purpose)) {
    return { ok: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED', reason: `${state}; an override needs the purpose ${SAFEGUARDING_PURPOSES.join(' or ')}, not ${purpose ?? 'none'}` };
  }
  if (override.reason.trim().length < MIN_OVERRIDE_REASON) {
    return { ok: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED', reason: `${state}; an override needs a reason of at least ${MIN_OVERRIDE_REASON} characters saying why sharing protects the subject` };
  }
  if (!protectable) return { ok: false, code: 'GW_ERR_OVERRIDE_NOT_ALLOWED', reason: `${state}; it cannot be overridden: ${exemptionScope}` };
  return { ok: true, basis: 'override', detail: `${state}, overridden by ${requester.role} for ${purpose}: ${override.reason.trim()}` };
}

function basisText(agreement: Agreement): string {
  const b = agreement.lawfulBasis;
  return [b.article6 && `UK GDPR Art ${b.article6}`, b.part3 && `DPA 2018 ${b.part3}`, b.article9 && `UK GDPR Art ${b.article9}`, b.statute].filter(Boolean).join('; ');
}

/** Every field of the type, keyed parts excepted. */
function allFields(type: RecordType): string[] {
  return [...DATASETS[type]];
}

/** Whether a field (or keyed part `field.key`) survives a set of permitted and a set of denied names. */
export function fieldReleased(field: string, permitted: ReadonlySet<string>, denied: ReadonlySet<string>): boolean {
  const dot = field.indexOf('.');
  const head = dot > 0 ? field.slice(0, dot) : field;
  if (denied.has(head) || denied.has(field)) return false;
  return permitted.has(head) || permitted.has(field);
}

/**
 * Decides whether one record may be released to one requester, and which of its fields.
 * Pure: the same input always gives the same decision.
 */
export function decide(input: PolicyInput): PolicyDecision {
  const { requester, record, purpose } = input;
  if (requester.agency.id === record.owner.id) {
    return { permit: true, reason: `${record.owner.id} holds this ${record.type} as its data controller`, fields: allFields(record.type), redactions: [], agreements: [], lawfulBasis: 'data controller: own record' };
  }
  if (purpose === null) return deny('a purpose of use is required for any release to another agency', 'GW_ERR_FORBIDDEN_PURPOSE');

  const inScope = input.agreements.filter((a) => binds(a, input));
  const fits: Fit[] = inScope.flatMap((agreement) => agreement.shares.filter((share) => shareFits(share, input, true)).map((share) => ({ agreement, share })));

  // 3. An explicit deny wins.
  const denied = new Set<string>();
  const denyRefs: string[] = [];
  for (const { agreement, share } of fits.filter((f) => f.share.effect === 'deny')) {
    const fields = share.datasets[record.type] ?? [];
    const ref = `${agreement.id}#${share.id}`;
    if (fields.includes('*')) return deny(`${record.type} records of ${record.owner.id} are withheld from ${requester.agency.id} by ${ref} (an explicit deny wins)`, 'GW_ERR_SHARING_DENIED', { agreements: [ref] });
    for (const f of fields) denied.add(f);
    denyRefs.push(ref);
  }

  const permits = fits.filter((f) => f.share.effect === 'permit');
  if (permits.length === 0) {
    const labelOnly = inScope.some((a) => a.shares.some((s) => s.effect === 'permit' && shareFits(s, input, false)));
    if (labelOnly) {
      return deny(`the ${record.type} is labelled ${record.label} (${record.label === 'V' ? 'very restricted' : 'restricted'}); no agreement in force between ${record.owner.id} and ${requester.agency.id} names that label for ${requester.role} and ${purpose}`, 'GW_ERR_SHARING_DENIED');
    }
    const between = inScope.length === 0 ? `no agreement in force binds both ${record.owner.id} and ${requester.agency.id}` : `no agreement in force between ${record.owner.id} and ${requester.agency.id} (${inScope.map((a) => a.id).join(', ')}) permits`;
    return deny(`${between}${inScope.length === 0 ? '; nothing permits' : ''} ${record.type} to ${requester.role} for ${purpose}`, 'GW_ERR_SHARING_DENIED');
  }

  // 4. Union of permitted fields over the shares whose agreement's consent condition holds.
  const permitted = new Set<string>();
  const refs: string[] = [];
  const bases = new Set<string>();
  let consent: ConsentBasis | undefined;
  let override: { reason: string } | undefined;
  let refusal: Extract<ConsentResult, { ok: false }> | null = null;
  const verdicts = new Map<string, ConsentResult>();
  for (const { agreement, share } of permits) {
    const verdict = verdicts.get(agreement.id) ?? consentHolds(agreement, input);
    verdicts.set(agreement.id, verdict);
    if (!verdict.ok) {
      refusal ??= verdict;
      continue;
    }
    for (const f of share.datasets[record.type] ?? []) for (const g of f === '*' ? allFields(record.type) : [f]) permitted.add(g);
    refs.push(`${agreement.id}#${share.id}`);
    bases.add(basisText(agreement));
    if (verdict.detail) bases.add(verdict.detail);
    // The strongest consent basis used wins the label: an override is always reported.
    if (verdict.basis === 'override') override = { reason: input.override?.reason.trim() ?? '' };
    if (consent === undefined || rank(verdict.basis) > rank(consent)) consent = verdict.basis;
  }
  if (refs.length === 0 && refusal) return deny(refusal.reason, refusal.code);

  // Field list: permitted minus denied, then identity protection.
  const redactions: PolicyDecision['redactions'] = [];
  const typeFields = allFields(record.type);
  const keyed: readonly string[] = KEYED_FIELDS[record.type] ?? [];
  const released = new Set<string>();
  for (const f of typeFields) {
    if (fieldReleased(f, permitted, denied)) released.add(f);
    else if (denied.has(f)) redactions.push({ field: f, why: `withheld by ${denyRefs.join(', ')}` });
    else if (!keyed.includes(f) || ![...permitted].some((p) => p.startsWith(`${f}.`))) redactions.push({ field: f, why: 'not in any permitting agreement' });
  }
  // Keyed parts released one by one (codes.X), unless the whole field or that part is denied.
  for (const p of permitted) if (p.includes('.') && fieldReleased(p, permitted, denied) && !released.has(p.slice(0, p.indexOf('.')))) released.add(p);
  for (const d of denied) if (d.includes('.') && released.has(d.slice(0, d.indexOf('.')))) redactions.push({ field: d, why: `withheld by ${denyRefs.join(', ')}` });

  if (input.identity?.protectedPerson && input.identity.requesterLinkedToPerpetrator) {
    for (const f of LOCATING_FIELDS[record.type] ?? []) {
      if (released.delete(f)) redactions.push({ field: f, why: 'identity protection: the subject is protected from the alleged perpetrator, and the requester is linked to that household' });
    }
  }
  if (released.size === 0) {
    return deny(`every field of the ${record.type} is withheld from ${requester.agency.id}: ${redactions.map((r) => `${r.field} (${r.why})`).join('; ')}`, 'GW_ERR_SHARING_DENIED', { agreements: refs });
  }
  return {
    permit: true,
    reason: `released to ${requester.agency.id} (${requester.role}, ${purpose}) under ${refs.join(', ')}`,
    fields: [...released],
    redactions,
    agreements: refs,
    lawfulBasis: [...bases].join('; '),
    ...(consent ? { consent } : {}),
    ...(override ? { override } : {}),
  };
}

function rank(basis: ConsentBasis): number {
  return ['not-required', 'given', 'para-18', 'override'].indexOf(basis);
}

/**
 * Applies a decision to a record before it is serialised: the structural fields and the
 * released fields only (keyed parts one by one). What is not released is not in the object,
 * so no output format can leak it.
 */
export function redact<T extends object>(record: T, decision: Pick<PolicyDecision, 'fields' | 'redactions'>): Partial<T> {
  const src = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of ['id', 'subjectPersonId', 'owner', 'securityLabel']) if (f in src) out[f] = src[f];
  const released = new Set(decision.fields);
  for (const f of released) {
    const dot = f.indexOf('.');
    if (dot < 0) {
      if (f in src) out[f] = src[f];
      continue;
    }
    const head = f.slice(0, dot);
    const key = f.slice(dot + 1);
    if (released.has(head)) continue;
    const part = src[head];
    if (part && typeof part === 'object' && Object.hasOwn(part, key)) {
      out[head] = { ...((out[head]) ?? {}), [key]: (part as Record<string, unknown>)[key] };
    }
  }
  // A part withheld from a field released whole (codes released, codes.X denied).
  for (const { field } of decision.redactions) {
    const dot = field.indexOf('.');
    const head = field.slice(0, dot);
    if (dot > 0 && released.has(head) && out[head] && typeof out[head] === 'object') {
      const { [field.slice(dot + 1)]: _withheld, ...rest } = out[head] as Record<string, unknown>;
      out[head] = rest;
    }
  }
  return out as Partial<T>;
}

/**
 * The sharing engine as the use cases call it: gathers what a decision needs (the subject's
 * age, the consent that applies, identity protection) from the store, asks the pure engine
 * (src/policy/decide.ts), and turns the answer into the audit entry's decision record. Facts
 * are read only when a decision can turn on them, so the CP-IS hot path reads nothing extra.
 */
import type { AuditDecision } from '../model/audit-entry.js';
import type { Consent } from '../model/consent.js';
import type { Person } from '../model/person.js';
import type { SecurityLabel } from '../model/provenance.js';
import type { Requester } from '../policy/authorise.js';
import type { RecordType } from '../policy/datasets.js';
import type { Purpose } from '../policy/purposes.js';
import { normalisePurpose } from '../policy/purposes.js';
import { LOCATING_FIELDS } from '../policy/datasets.js';
import type { ConsentInput, PartyRef, PolicyDecision, PolicyInput } from '../policy/decide.js';
import { consentCouldMatter, decide, redact } from '../policy/decide.js';
import type { Queryable } from '../store/db.js';
import { recordsForPerson } from '../store/records-repo.js';
import type { GatewayContext } from './context.js';

/** Age of majority: the safeguarding exemption covers children, and adults only when at risk. */
const ADULT_AGE = 18;

export function partyOf(ctx: GatewayContext, agencyId: string): PartyRef {
  const agency = ctx.agencies.get(agencyId);
  // A record owned by an agency no longer configured is still decided (and denied by default).
  return agency ? { id: agency.id, type: agency.type } : { id: agencyId, type: 'other' };
}

/** Whether a person is a child on a day: under 18, or not yet born. Unknown age is not assumed to be a child. */
export function isChild(person: Pick<Person, 'birthDate' | 'expectedBirthDate'> | null, today: string): boolean {
  if (!person) return false;
  if (!person.birthDate) return person.expectedBirthDate !== undefined;
  const [y, m, d] = person.birthDate.split('-').map(Number) as [number, number, number];
  const adultOn = `${String(y + ADULT_AGE).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return today < adultOn;
}

/**
 * The consent that governs sharing this person's information for a purpose on a day: the
 * most recently recorded consent in its period whose purposes include this one (or name
 * none). Also whether any current consent records the subject as an adult at risk.
 */
export function applicableConsent(consents: readonly Consent[], purpose: string | null, today: string): { consent: ConsentInput | null; adultAtRisk: boolean } {
  const current = consents.filter((c) => (c.period?.start === undefined || c.period.start <= today) && (c.period?.end === undefined || today <= c.period.end));
  const adultAtRisk = current.some((c) => c.subjectAtRisk === true);
  // A consent names its purposes as gateway purposes or v3-ActReason codes. A refusal whose
  // purposes the gateway does not understand still counts: it must never be read as no refusal.
  const fits = (c: Consent) => {
    if (c.purposes.length === 0) return true;
    const known = c.purposes.map(normalisePurpose).filter((p) => p !== null);
    if (purpose !== null && known.includes(purpose as Purpose)) return true;
    return known.length === 0 && c.state !== 'given';
  };
  const fitting = current
    .filter(fits)
    .sort((a, b) => (b.recordedAt ?? b.provenance.receivedAt).localeCompare(a.recordedAt ?? a.provenance.receivedAt));
  const latest = fitting[0];
  if (!latest) return { consent: null, adultAtRisk };
  if (latest.state === 'not-sought') return { consent: latest.notSoughtReason ? { state: 'not-sought', reason: latest.notSoughtReason } : null, adultAtRisk };
  return { consent: { state: latest.state }, adultAtRisk };
}

/**
 * Agency types that hold records about alleged perpetrators because they protect victims
 * (children's social care, police): holding such a record does not link them to the
 * perpetrator's household. A health setting, school or other service that serves a member of
 * that household is linked to it.
 */
const PROTECTING_TYPES: readonly string[] = ['local-authority', 'police'];

/**
 * Identity protection facts: is the subject protected from an alleged perpetrator (a victim
 * recorded with one, or living at a confidential address), and does the requesting agency
 * serve a member of that perpetrator's household (it holds a person, plan or record of
 * theirs and is not one of the statutory protecting agencies)?
 */
export async function identityFacts(db: Queryable, subject: Person | null, requester: PartyRef): Promise<{ protectedPerson: boolean; requesterLinkedToPerpetrator: boolean }> {
  if (!subject) return { protectedPerson: false, requesterLinkedToPerpetrator: false };
  const requesterAgency = requester.id;
  const rows = await db.query<{ perpetrator: string | null }>(
    `SELECT record->>'relatedPersonId' AS perpetrator FROM canonical_records
      WHERE person_id = $1 AND type = 'Relationship' AND record->>'role' = 'alleged-perpetrator'`,
    [subject.id],
  );
  const confidential = subject.addresses.some((a) => a.confidential === true);
  if (rows.length === 0 && !confidential) return { protectedPerson: false, requesterLinkedToPerpetrator: false };
  const perpetrators = rows.map((r) => r.perpetrator).filter((p): p is string => p !== null && p !== subject.id);
  if (perpetrators.length === 0 || PROTECTING_TYPES.includes(requester.type)) return { protectedPerson: true, requesterLinkedToPerpetrator: false };
  const [linked] = await db.query<{ linked: boolean }>(
    `WITH household AS (
       SELECT unnest($1::text[]) AS person_id
       UNION SELECT m2.person_id FROM household_members m1 JOIN household_members m2 ON m2.household_id = m1.household_id WHERE m1.person_id = ANY($1::text[]))
     SELECT EXISTS (SELECT 1 FROM person_sources s JOIN household h ON h.person_id = s.person_id WHERE s.owner = $2 AND s.person_id <> $3)
         OR EXISTS (SELECT 1 FROM canonical_records r JOIN household h ON h.person_id = r.person_id WHERE r.owner = $2 AND r.person_id <> $3)
         OR EXISTS (SELECT 1 FROM protection_plans p JOIN household h ON h.person_id = p.person_id WHERE p.owner = $2 AND p.person_id <> $3) AS linked`,
    [perpetrators, requesterAgency, subject.id],
  );
  return { protectedPerson: true, requesterLinkedToPerpetrator: linked?.linked === true };
}

// One request decides many records about one subject (a person read, a chronology): the
// subject's consents and identity-protection facts are read once per loaded subject object.
// Keyed weakly by that object, so nothing outlives the request that loaded it.
const consentsRead = new WeakMap<Person, Promise<Consent[]>>();
const identityRead = new WeakMap<Person, Map<string, ReturnType<typeof identityFacts>>>();

function consentsOf(ctx: GatewayContext, db: Queryable, subject: Person): Promise<Consent[]> {
  let read = consentsRead.get(subject);
  if (!read) {
    read = recordsForPerson(db, subject.id, 'Consent', ctx.index.records).then((rows) => rows.map((r) => r.record as unknown as Consent));
    consentsRead.set(subject, read);
  }
  return read;
}

function identityOf(db: Queryable, subject: Person | null, requester: PartyRef): ReturnType<typeof identityFacts> {
  if (!subject) return identityFacts(db, null, requester);
  const byRequester = identityRead.get(subject) ?? new Map<string, ReturnType<typeof identityFacts>>();
  identityRead.set(subject, byRequester);
  let read = byRequester.get(requester.id);
  if (!read) {
    read = identityFacts(db, subject, requester);
    byRequester.set(requester.id, read);
  }
  return read;
}

export interface ReleaseRequest {
  type: RecordType;
  record: { owner: string; securityLabel?: SecurityLabel | undefined };
  /** The person the record is about, when known. */
  subject: Person | null;
  /** A consent override the requester asked for. */
  override?: { reason: string } | null;
}

/**
 * Decides one release, reading from the store only what the decision can turn on: the
 * subject's consents when an agreement that could apply requires consent, and identity
 * protection when the release would include locating fields.
 */
export async function decideRelease(ctx: GatewayContext, db: Queryable, requester: Requester, req: ReleaseRequest): Promise<PolicyDecision> {
  const today = ctx.now().toISOString().slice(0, 10);
  const requesterParty = partyOf(ctx, requester.agency);
  const owner = partyOf(ctx, req.record.owner);
  const input: PolicyInput = {
    requester: { agency: requesterParty, role: requester.role },
    purpose: requester.purpose,
    record: { type: req.type, owner, label: req.record.securityLabel ?? 'N' },
    subject: { child: isChild(req.subject, today), adultAtRisk: false },
    consent: null,
    override: req.override ?? null,
    agreements: ctx.agreements,
    today,
  };
  if (requesterParty.id === owner.id) return decide(input);
  // An agreement between the two that requires consent, but shares nothing of this kind
  // this way (the CP-IS plan read by a hospital, under an agreement for the hospital's records
  // going to social care), cannot turn on consent: no read for it.
  if (req.subject && ctx.agreements.some((a) => consentCouldMatter(a, input))) {
    const applicable = applicableConsent(await consentsOf(ctx, db, req.subject), requester.purpose, today);
    input.consent = applicable.consent;
    input.subject.adultAtRisk = applicable.adultAtRisk;
  }
  const first = decide(input);
  const locating: readonly string[] = LOCATING_FIELDS[req.type] ?? [];
  if (!first.permit || !first.fields.some((f) => locating.includes(f))) return first;
  input.identity = await identityOf(db, req.subject, requesterParty);
  return input.identity.protectedPerson && input.identity.requesterLinkedToPerpetrator ? decide(input) : first;
}

/** A released record as the requester sees it: in full (lineage and all) to the agency that holds it, else only the fields the decision released. */
export function shownTo<T extends { owner: string }>(record: T, requesterAgency: string, d: Pick<PolicyDecision, 'fields' | 'redactions'>): Partial<T> {
  return record.owner === requesterAgency ? record : redact(record, d);
}

/** The audit log's record of one decision: released fields and basis, or the reason for withholding. */
export function auditDecision(recordId: string, type: RecordType, owner: string, subjectId: string | undefined, d: PolicyDecision): AuditDecision {
  return {
    record: recordId,
    type,
    owner,
    ...(subjectId ? { subject: subjectId } : {}),
    permit: d.permit,
    reason: d.reason,
    ...(d.agreements.length > 0 ? { agreements: d.agreements } : {}),
    ...(d.lawfulBasis ? { lawfulBasis: d.lawfulBasis } : {}),
    ...(d.permit ? { released: d.fields } : {}),
    ...(d.redactions.length > 0 ? { withheld: d.redactions.map((r) => r.field) } : {}),
    ...(d.consent ? { consent: d.consent } : {}),
  };
}

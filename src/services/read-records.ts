import { GatewayError } from '../errors/gateway-error.js';
import type { AuditDecision } from '../model/audit-entry.js';
import type { Person } from '../model/person.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { PolicyDecision } from '../policy/decide.js';
import { redact } from '../policy/decide.js';
import { getPersonById, mergePersonRecords } from '../store/people-repo.js';
import { currentPersonId, sourcesOfPerson } from '../store/person-index-repo.js';
import { householdOf } from '../store/households-repo.js';
import { getPlan, plansForPerson } from '../store/plans-repo.js';
import type { StoredRecord, StoredRecordType } from '../store/records-repo.js';
import { notificationsAbout } from '../store/notifications-repo.js';
import { getRecord, recordsForPerson } from '../store/records-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { auditDecision, decideRelease, shownTo } from './sharing.js';

export type RecordKind = StoredRecordType | 'ProtectionPlan' | 'PoliceNotification';

/** A record as the requester may see it: in full when it is theirs, else only the fields a sharing decision released. */
export interface ShownRecord {
  type: RecordKind;
  record: Partial<StoredRecord> & Pick<StoredRecord, 'id' | 'owner'>;
}

export interface SourceLink {
  /** The source record's id (for POST /matching/unlink). */
  id: string;
  agency: string;
  /** How it was linked: new, identifier, nhs-number, model or manual. */
  link: string;
  probability?: number;
}

export interface HouseholdView {
  id: string;
  basis: 'uprn' | 'address';
  /** Person ids of everyone in the household, this person included. */
  members: string[];
  /** The caller's own relationship records attached to the household. */
  relationships: string[];
}

/** A consent override asked for on the request (header Override-Reason). */
export type Override = { reason: string } | null;

/**
 * A person as the requester may see them: each agency's source record released (or not) as
 * that agency's Person, its own in full, the released ones merged. Null when nothing is.
 */
export async function personView(ctx: GatewayContext, requester: Requester, person: Person, override: Override): Promise<{ view: Person | null; sources: SourceLink[]; decisions: { decision: PolicyDecision; audit: AuditDecision }[] }> {
  let view: Person | null = null;
  const sources: SourceLink[] = [];
  const decisions: { decision: PolicyDecision; audit: AuditDecision }[] = [];
  for (const s of await sourcesOfPerson(ctx.db, person.id)) {
    const d = await decideRelease(ctx, ctx.db, requester, { type: 'Person', record: s.record, subject: person, override });
    decisions.push({ decision: d, audit: auditDecision(s.id, 'Person', s.owner, person.id, d) });
    if (!d.permit) continue;
    const own = ctx.index.open(s);
    const shown = { ...(redact(own, d) as Person), identifiers: d.fields.includes('identifiers') ? own.identifiers : [], names: d.fields.includes('names') ? own.names : [], addresses: d.fields.includes('addresses') ? own.addresses : [] };
    view = { ...mergePersonRecords(view, { ...shown, id: person.id, owner: person.owner, provenance: own.provenance }), id: person.id };
    sources.push({ id: s.id, agency: s.owner, link: s.link, ...(s.probability === null ? {} : { probability: s.probability }) });
  }
  return { view, sources, decisions };
}

/** A person nothing about whom was released: named by id alone. */
export function unnamedPerson(person: Person): Person {
  return { id: person.id, identifiers: [], names: [], addresses: [], owner: person.owner, provenance: person.provenance, securityLabel: person.securityLabel };
}

interface Released {
  person: Person | null;
  sources: SourceLink[];
  records: ShownRecord[];
  decisions: AuditDecision[];
  /** The strongest refusal among records an agreement covered but consent or the override kept back. */
  consentRefusal: PolicyDecision | null;
  overrideUsed: boolean;
}

/**
 * Everything about one person the requester may see: the person as the agencies whose
 * person records are released describe them (its own in full), and each plan and record
 * released through the sharing rules, redacted to the released fields. Every decision,
 * release or not, is returned for the audit entry.
 */
async function releaseAbout(ctx: GatewayContext, requester: Requester, person: Person, override: Override): Promise<Released> {
  const decisions: AuditDecision[] = [];
  let consentRefusal: PolicyDecision | null = null;
  let overrideUsed = false;
  const note = (d: PolicyDecision) => {
    if (!d.permit && d.code !== 'GW_ERR_SHARING_DENIED') consentRefusal ??= d;
    if (d.permit && d.override) overrideUsed = true;
  };

  const { view, sources, decisions: personDecisions } = await personView(ctx, requester, person, override);
  for (const d of personDecisions) {
    decisions.push(d.audit);
    note(d.decision);
  }

  const records: ShownRecord[] = [];
  const candidates: { type: RecordKind; record: StoredRecord & { securityLabel?: 'N' | 'R' | 'V' } }[] = [
    ...(await plansForPerson(ctx.db, person.id)).map((p) => ({ type: 'ProtectionPlan' as const, record: p })),
    ...(await recordsForPerson(ctx.db, person.id, undefined, ctx.index.records)),
    ...(await notificationsAbout(ctx.db, person.id, ctx.index.records)).map((n) => ({ type: 'PoliceNotification' as const, record: n })),
  ];
  for (const c of candidates) {
    const d = await decideRelease(ctx, ctx.db, requester, { type: c.type, record: c.record, subject: person, override });
    decisions.push(auditDecision(c.record.id, c.type, c.record.owner, person.id, d));
    note(d);
    if (d.permit) records.push({ type: c.type, record: shownTo(c.record, requester.agency, d) as ShownRecord['record'] });
  }
  return { person: view, sources, records, decisions, consentRefusal, overrideUsed };
}

/** A person merged into another answers as the one it was merged into. */
async function resolvePerson(ctx: GatewayContext, requestedId: string): Promise<{ personId: string; person: Person | null }> {
  const personId = (await currentPersonId(ctx.db, requestedId)) ?? requestedId;
  return { personId, person: await getPersonById(ctx.db, personId) };
}

/**
 * Nothing released about a person: a 404 that does not confirm they exist, unless an
 * agreement covers the requester and only consent (or a refused override) stands in the
 * way — then a 403 that says what an override needs, since the requester is entitled to ask.
 */
async function refuseNothingReleased(ctx: GatewayContext, scope: AuditScope, requestedId: string, released: Released | null, subject: string | null): Promise<never> {
  const refusal = released?.consentRefusal;
  const decisions = released?.decisions ?? [];
  if (refusal?.code) {
    const err = new GatewayError(refusal.code, refusal.reason, { expression: 'Override-Reason' });
    await auditNow(ctx, scope, { outcome: 'deny', status: err.status, reason: refusal.reason, subjects: subject ? [subject] : [], decisions });
    throw err;
  }
  const err = new GatewayError('GW_ERR_NOT_FOUND', `no person ${requestedId} is available to ${scope.requester?.agency ?? 'the caller'}`, { expression: 'id' });
  await auditNow(ctx, scope, { outcome: 'deny', status: err.status, reason: err.message, subjects: subject ? [subject] : [], decisions });
  throw err;
}

/**
 * The start of every read about one person: the action granted, the person resolved
 * (through merges), everything about them decided; refused and audited when nothing is released.
 */
async function releaseAboutRequested(ctx: GatewayContext, scope: AuditScope, requester: Requester, requestedId: string, override: Override): Promise<{ reason: string; personId: string; person: Person; released: Released }> {
  const decision = authorise(requester, 'record:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const { personId, person } = await resolvePerson(ctx, requestedId);
  const released = person ? await releaseAbout(ctx, requester, person, override) : null;
  if (!person || !released || (!released.person && released.records.length === 0)) return refuseNothingReleased(ctx, scope, requestedId, released, person?.id ?? null);
  return { reason: decision.reason, personId, person, released };
}

/** The audit entry of a read about one person: what was shown, every decision, and the override when one was used. */
function auditRelease(ctx: GatewayContext, scope: AuditScope, reason: string, person: Person, released: Released, records: string[], override: Override): Promise<void> {
  return auditNow(ctx, scope, { outcome: 'permit', status: 200, reason, subjects: [person.id], records, decisions: released.decisions, ...(released.overrideUsed && override ? { override } : {}) });
}

/**
 * A person as the requester may see them: what it sent in full, and what other agencies
 * hold only as far as the sharing rules release it (their person records and their plans,
 * attendances, case events, relationships and consents). In pseudonymised mode another
 * agency's sealed payload is opened only to release the fields a decision permits.
 */
export async function readPersonRecords(
  ctx: GatewayContext,
  scope: AuditScope,
  requester: Requester,
  requestedId: string,
  override: Override = null,
): Promise<{ person: Person; sources: SourceLink[]; mergedFrom?: string; household: HouseholdView | null; records: ShownRecord[] }> {
  const { reason, personId, person, released } = await releaseAboutRequested(ctx, scope, requester, requestedId, override);

  const household = await householdOf(ctx.db, person.id);
  const relationships = household
    ? (await ctx.db.query<{ id: string }>(`SELECT id FROM canonical_records WHERE household_id = $1 AND type = 'Relationship' AND owner = $2 ORDER BY id`, [household.id, requester.agency])).map((r) => r.id)
    : [];
  await auditRelease(ctx, scope, reason, person, released, released.records.map((r) => r.record.id), override);
  return {
    person: released.person ?? unnamedPerson(person),
    household: household ? { ...household, relationships } : null,
    sources: released.sources,
    ...(personId === requestedId ? {} : { mergedFrom: requestedId }),
    records: released.records,
  };
}

export interface ChronologyEntry {
  /** The day or instant the entry happened (plan start, event date, arrival, consent recorded). */
  date: string;
  type: RecordKind;
  /** What happened, in the record's own terms (plan kind, event kind, encounter class, consent state). */
  what: string;
  owner: string;
  record: ShownRecord['record'];
}

function chronologyEntry(r: ShownRecord): ChronologyEntry | null {
  const rec = r.record as Record<string, unknown>;
  const str = (k: string) => (typeof rec[k] === 'string' ? (rec[k]) : undefined);
  const period = rec.period as { start?: string } | undefined;
  const date = { ProtectionPlan: period?.start, CaseEvent: str('date'), Attendance: str('arrival'), Consent: str('recordedAt') ?? period?.start, Relationship: undefined, PoliceNotification: str('occurredAt') }[r.type];
  const what = { ProtectionPlan: str('kind'), CaseEvent: str('kind'), Attendance: str('encounterClass'), Consent: str('state'), Relationship: str('role'), PoliceNotification: str('type') }[r.type];
  return date ? { date, type: r.type, what: what ?? r.type, owner: r.record.owner, record: r.record } : null;
}

/**
 * The multi-agency chronology of one person, newest first: every dated record the requester
 * may see, from every agency, as far as the sharing rules release it. Records without a
 * released date (a relationship, an attendance whose arrival was withheld) are not placed.
 */
export async function readChronology(ctx: GatewayContext, scope: AuditScope, requester: Requester, requestedId: string, override: Override = null): Promise<{ person: string; entries: ChronologyEntry[] }> {
  const { reason, person, released } = await releaseAboutRequested(ctx, scope, requester, requestedId, override);
  const entries = released.records
    .map(chronologyEntry)
    .filter((e): e is ChronologyEntry => e !== null)
    .sort((a, b) => b.date.localeCompare(a.date) || a.record.id.localeCompare(b.record.id));
  await auditRelease(ctx, scope, reason, person, released, entries.map((e) => e.record.id), override);
  return { person: person.id, entries };
}

/**
 * One record (attendance, case event, relationship, consent or plan): in full to the agency
 * that holds it, redacted to what the sharing rules release to anyone else. A record no
 * agreement releases answers 404, as one that does not exist.
 */
export async function readRecord(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string, override: Override = null): Promise<ShownRecord> {
  const decision = authorise(requester, 'record:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const plan = await getPlan(ctx.db, id);
  const found: { type: RecordKind; record: StoredRecord & { securityLabel?: 'N' | 'R' | 'V' } } | null = plan ? { type: 'ProtectionPlan', record: plan as unknown as StoredRecord } : await getRecord(ctx.db, id, ctx.index.records);
  const notFound = new GatewayError('GW_ERR_NOT_FOUND', `no record ${id} is available to ${requester.agency}`, { expression: 'id' });
  if (!found) throw notFound;
  const subject = await getPersonById(ctx.db, found.record.subjectPersonId);
  const d = await decideRelease(ctx, ctx.db, requester, { type: found.type, record: found.record, subject, override });
  const decisions = [auditDecision(id, found.type, found.record.owner, found.record.subjectPersonId, d)];
  if (!d.permit) {
    const err = d.code && d.code !== 'GW_ERR_SHARING_DENIED' ? new GatewayError(d.code, d.reason, { expression: 'Override-Reason' }) : notFound;
    await auditNow(ctx, scope, { outcome: 'deny', status: err.status, reason: d.reason, subjects: [found.record.subjectPersonId], decisions });
    throw err;
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: d.reason, subjects: [found.record.subjectPersonId], records: [id], decisions, ...(d.override ? { override: d.override } : {}) });
  return { type: found.type, record: shownTo(found.record, requester.agency, d) as ShownRecord['record'] };
}

import { GatewayError } from '../errors/gateway-error.js';
import type { Person } from '../model/person.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { getPersonById } from '../store/people-repo.js';
import { currentPersonId, sourcesOfPerson, type PersonSource } from '../store/person-index-repo.js';
import { mergePersonRecords } from '../store/people-repo.js';
import { householdOf } from '../store/households-repo.js';
import { getPlan, plansForPerson } from '../store/plans-repo.js';
import type { StoredRecord, StoredRecordType } from '../store/records-repo.js';
import { getRecord, recordsForPerson } from '../store/records-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

export interface OwnRecord {
  type: StoredRecordType | 'ProtectionPlan';
  record: StoredRecord;
}

/**
 * An agency reads back what it sent about a person: the person as the index holds them
 * and the records the agency owns. Another agency's records are not shown (sharing
 * between agencies goes through the CP-IS query and the sharing rules). A person the
 * caller holds nothing about answers 404, so their presence is not confirmed.
 */
export interface SourceLink {
  /** The source record's id (for POST /matching/unlink). */
  id: string;
  agency: string;
  /** How it was linked: new, identifier, nhs-number, model or manual. */
  link: string;
  probability?: number;
}

/**
 * The person as the caller may see them. In pseudonymised mode the index keeps only
 * identifiers; the caller's own source records are opened with its data key and their
 * demographics shown, so an agency sees what it sent and nothing another agency sealed.
 */
function ownView(ctx: GatewayContext, person: Person, sources: readonly PersonSource[], agency: string): Person {
  if (ctx.index.kind === 'clear') return person;
  let view: Person = person;
  for (const s of sources.filter((x) => x.owner === agency)) {
    const own = ctx.index.open(s);
    view = { ...mergePersonRecords(view, { ...own, identifiers: [], id: person.id }), identifiers: person.identifiers };
  }
  return view;
}

export interface HouseholdView {
  id: string;
  basis: 'uprn' | 'address';
  /** Person ids of everyone in the household, this person included. */
  members: string[];
  /** The caller's own relationship records attached to the household. */
  relationships: string[];
}

export async function readPersonRecords(ctx: GatewayContext, scope: AuditScope, requester: Requester, requestedId: string): Promise<{ person: Person; sources: SourceLink[]; mergedFrom?: string; household: HouseholdView | null; records: OwnRecord[] }> {
  const decision = authorise(requester, 'record:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  // A person merged into another answers as the one it was merged into.
  const personId = (await currentPersonId(ctx.db, requestedId)) ?? requestedId;
  const person = await getPersonById(ctx.db, personId);
  const records: OwnRecord[] = [];
  const sources = person ? await sourcesOfPerson(ctx.db, personId) : [];
  if (person) {
    for (const p of await plansForPerson(ctx.db, personId)) if (p.owner === requester.agency) records.push({ type: 'ProtectionPlan', record: p });
    for (const r of await recordsForPerson(ctx.db, personId, undefined, ctx.index.records)) if (r.record.owner === requester.agency) records.push(r);
  }
  if (!person || (person.owner !== requester.agency && !sources.some((s) => s.owner === requester.agency) && records.length === 0)) {
    throw new GatewayError('GW_ERR_NOT_FOUND', `no person ${requestedId} is known to ${requester.agency}`, { expression: 'id' });
  }
  const household = await householdOf(ctx.db, person.id);
  const relationships = household
    ? (await ctx.db.query<{ id: string }>(`SELECT id FROM canonical_records WHERE household_id = $1 AND type = 'Relationship' AND owner = $2 ORDER BY id`, [household.id, requester.agency])).map((r) => r.id)
    : [];
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: [person.id], records: records.map((r) => r.record.id) });
  return {
    person: ownView(ctx, person, sources, requester.agency),
    household: household ? { ...household, relationships } : null,
    sources: sources.map((s) => ({ id: s.id, agency: s.owner, link: s.link, ...(s.probability === null ? {} : { probability: s.probability }) })),
    ...(personId === requestedId ? {} : { mergedFrom: requestedId }),
    records,
  };
}

/** An agency reads back one record it owns (attendance, case event, relationship, consent or plan). */
export async function readOwnRecord(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<OwnRecord> {
  const decision = authorise(requester, 'record:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const plan = await getPlan(ctx.db, id);
  const found: OwnRecord | null = plan ? { type: 'ProtectionPlan', record: plan } : await getRecord(ctx.db, id, ctx.index.records);
  if (!found || found.record.owner !== requester.agency) throw new GatewayError('GW_ERR_NOT_FOUND', `no record ${id} is held by ${requester.agency}`, { expression: 'id' });
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: [found.record.subjectPersonId], records: [id] });
  return found;
}

/**
 * People's decisions on the person index: the review queue of possible matches, and
 * link / unlink / not-a-match of any two records by an authorised local-authority role.
 * A decision is stored between source records, always wins over the model (the model
 * only places records nobody has placed), survives re-ingest (a re-sent record is found
 * by its identifiers where the decision left it) and is audited with its reason.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.js';
import { deterministicId } from '../model/ids.js';
import type { Person } from '../model/person.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { Queryable } from '../store/db.js';
import { getPersonById, mergePersonRecords } from '../store/people-repo.js';
import {
  closeReview,
  currentPersonId,
  getReview,
  getSource,
  listReviews,
  moveSourceRows,
  saveDecision,
  sourcesOfPerson,
  withdrawSettledReviews,
  type MatchReview,
  type PersonSource,
} from '../store/person-index-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, auditNow, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { identifierConflicts, mergePeople, rebuildPerson } from './person-index.js';

const actor = (r: Requester) => ({ sub: r.sub, agency: r.agency, role: r.role });

/** What a reviewer sees of one side: enough to judge, nothing more. */
export interface PersonSummary {
  id: string;
  names: Person['names'];
  birthDate?: string | undefined;
  sex?: string | undefined;
  postcode?: string | undefined;
  /** Identifier systems held (not the values). */
  identifierSystems: string[];
  /** The agencies whose records make up the person. */
  agencies: string[];
}

/**
 * In pseudonymised mode the index holds no demographics: the reviewer sees those its own
 * agency sent (opened with its key) and, of the rest, only identifier systems and agencies.
 */
async function summary(q: Queryable, ctx: GatewayContext, requester: Requester, personId: string): Promise<PersonSummary | null> {
  const golden = await getPersonById(q, personId);
  if (!golden) return null;
  const sources = await sourcesOfPerson(q, personId);
  let p = golden;
  if (ctx.index.kind === 'pseudonymised') {
    for (const s of sources.filter((x) => x.owner === requester.agency)) p = { ...mergePersonRecords(p, { ...ctx.index.open(s), id: p.id }), identifiers: golden.identifiers };
  }
  return {
    id: p.id,
    names: p.names,
    birthDate: p.birthDate,
    sex: p.sex,
    postcode: p.addresses[0]?.postcode,
    identifierSystems: [...new Set(p.identifiers.map((i) => i.system))],
    agencies: [...new Set(sources.map((s) => s.owner))],
  };
}

export interface ReviewView {
  id: string;
  status: MatchReview['status'];
  probability: number;
  weight: number;
  explanation: unknown;
  createdAt: string;
  decidedAt: string | null;
  reason: string | null;
  /** The record waiting for a decision, as its person now stands. */
  record: PersonSummary | null;
  /** The person the model thinks it may be. */
  candidate: PersonSummary | null;
}

async function view(q: Queryable, ctx: GatewayContext, requester: Requester, r: MatchReview): Promise<ReviewView> {
  const source = await getSource(q, r.sourceId);
  const candidate = (await currentPersonId(q, r.candidatePersonId)) ?? r.candidatePersonId;
  return {
    id: r.id,
    status: r.status,
    probability: r.probability,
    weight: r.weight,
    explanation: r.explanation,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
    reason: r.reason,
    record: source ? await summary(q, ctx, requester, source.personId) : null,
    candidate: await summary(q, ctx, requester, candidate),
  };
}

function reasonOf(body: { reason?: unknown }): string {
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (reason === '') throw new GatewayError('GW_ERR_MISSING_PARAMETER', 'reason is required: say why (it is kept in the audit trail with the decision)', { expression: 'reason' });
  if (reason.length > 1000) throw new GatewayError('GW_ERR_INVALID_PARAMETER', `reason is ${reason.length} characters; at most 1000`, { expression: 'reason' });
  return reason;
}

async function livePerson(q: Queryable, id: unknown, field: string): Promise<string> {
  if (typeof id !== 'string' || id === '') throw new GatewayError('GW_ERR_MISSING_PARAMETER', `${field} is required: a person id from the person index`, { expression: field });
  const current = await currentPersonId(q, id);
  if (!current) throw new GatewayError('GW_ERR_NOT_FOUND', `no person ${id} is in the person index`, { expression: field });
  return current;
}

/** GET /matching/reviews: the queue, oldest first. */
export async function listMatchReviews(ctx: GatewayContext, scope: AuditScope, requester: Requester, status: MatchReview['status'], count: number, offset: number): Promise<{ total: number; reviews: ReviewView[] }> {
  const decision = authorise(requester, 'matching:review');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const { total, reviews } = await listReviews(ctx.db, status, count, offset);
  const views = await Promise.all(reviews.map((r) => view(ctx.db, ctx, requester, r)));
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: views.flatMap((v) => [v.record?.id, v.candidate?.id].filter((x): x is string => !!x)), records: views.map((v) => v.id) });
  return { total, reviews: views };
}

export async function readMatchReview(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<ReviewView> {
  const decision = authorise(requester, 'matching:review');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const r = await getReview(ctx.db, id);
  if (!r) throw new GatewayError('GW_ERR_NOT_FOUND', `no match review ${id}`, { expression: 'id' });
  const v = await view(ctx.db, ctx, requester, r);
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: [v.record?.id, v.candidate?.id].filter((x): x is string => !!x), records: [id] });
  return v;
}

async function decideBetween(tx: Queryable, ctx: GatewayContext, requester: Requester, a: readonly PersonSource[], b: readonly PersonSource[], decision: 'link' | 'not-a-match', reason: string): Promise<void> {
  const at = ctx.now().toISOString();
  for (const x of a) {
    for (const y of b) {
      if (x.id === y.id) continue;
      const [first, second] = [x.id, y.id].sort() as [string, string];
      await saveDecision(tx, { id: deterministicId('MatchDecision', first, second), a: x.id, b: y.id, decision, decidedBy: actor(requester), reason, at });
    }
  }
}

export interface LinkResult {
  person: string;
  /** People joined into it. */
  merged: string[];
  /** Identifier systems where the two held different values (kept, both of them). */
  warnings: string[];
}

/** Joins two people into one (a person's link decision): every record of both, one person. */
async function link(tx: Queryable, ctx: GatewayContext, requester: Requester, a: string, b: string, reason: string): Promise<LinkResult> {
  if (a === b) throw new GatewayError('GW_ERR_MATCH_CONFLICT', `the two records are already the same person ${a}`, { expression: 'records' });
  const [pa, pb] = [await getPersonById(tx, a), await getPersonById(tx, b)];
  const [sa, sb] = [await sourcesOfPerson(tx, a), await sourcesOfPerson(tx, b)];
  await decideBetween(tx, ctx, requester, sa, sb, 'link', reason);
  const keep = pb && !pa ? b : a;
  const gone = keep === a ? b : a;
  const warnings = pa && pb ? identifierConflicts(pa.identifiers, pb.identifiers).map((s) => `the two held different values of ${s}; the person now holds both`) : [];
  await mergePeople(tx, ctx.index, keep, [gone], ctx.now().toISOString());
  for (const s of [...sa, ...sb]) await tx.query(`UPDATE person_sources SET link = 'manual' WHERE id = $1`, [s.id]);
  return { person: keep, merged: [gone], warnings };
}

/** Checks a decision on two people (role, the pair, the reason) and runs it in one audited transaction. */
async function onPair<T>(ctx: GatewayContext, scope: AuditScope, requester: Requester, body: { records?: unknown; reason?: unknown }, fn: (tx: Queryable, a: string, b: string, reason: string) => Promise<T>): Promise<T> {
  const decision = authorise(requester, 'matching:decide');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const [x, y] = pair(body.records);
  const reason = reasonOf(body);
  return inAuditedTransaction(ctx, scope, async (tx) => fn(tx, await livePerson(tx, x, 'records[0]'), await livePerson(tx, y, 'records[1]'), reason));
}

/** POST /matching/link: two people are one. */
export async function linkPeople(ctx: GatewayContext, scope: AuditScope, requester: Requester, body: { records?: unknown; reason?: unknown }): Promise<LinkResult> {
  return onPair(ctx, scope, requester, body, async (tx, a, b, reason) => {
    const result = await link(tx, ctx, requester, a, b, reason);
    await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: `link: ${reason}`, subjects: [a, b] });
    return result;
  });
}

function pair(records: unknown): [unknown, unknown] {
  if (!Array.isArray(records) || records.length !== 2) throw new GatewayError('GW_ERR_INVALID_PARAMETER', 'records must be an array of exactly two person ids', { expression: 'records' });
  return [records[0], records[1]];
}

/** POST /matching/not-a-match: two people are different and must never be joined. */
export async function markNotAMatch(ctx: GatewayContext, scope: AuditScope, requester: Requester, body: { records?: unknown; reason?: unknown }): Promise<{ records: [string, string] }> {
  return onPair(ctx, scope, requester, body, async (tx, a, b, reason) => {
    if (a === b) throw new GatewayError('GW_ERR_MATCH_CONFLICT', `the two records are the same person ${a}; to separate a record from its person use POST /matching/unlink`, { expression: 'records' });
    await decideBetween(tx, ctx, requester, await sourcesOfPerson(tx, a), await sourcesOfPerson(tx, b), 'not-a-match', reason);
    await closeReviewsBetween(tx, ctx, requester, a, b, 'not-a-match', reason);
    await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: `not-a-match: ${reason}`, subjects: [a, b] });
    return { records: [a, b] as [string, string] };
  });
}

async function closeReviewsBetween(tx: Queryable, ctx: GatewayContext, requester: Requester, a: string, b: string, status: 'not-a-match' | 'linked', reason: string): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    `SELECT r.id FROM match_reviews r JOIN person_sources s ON s.id = r.source_id
     WHERE r.status = 'open' AND ((s.person_id = $1 AND r.candidate_person_id = $2) OR (s.person_id = $2 AND r.candidate_person_id = $1))`,
    [a, b],
  );
  for (const r of rows) await closeReview(tx, r.id, status, actor(requester), reason, ctx.now().toISOString());
}

/** POST /matching/unlink: one agency's record is not this person; it becomes a person of its own. */
export async function unlinkSource(ctx: GatewayContext, scope: AuditScope, requester: Requester, body: { person?: unknown; source?: unknown; reason?: unknown }): Promise<{ person: string; source: string; newPerson: string }> {
  const decision = authorise(requester, 'matching:decide');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const reason = reasonOf(body);
  if (typeof body.source !== 'string' || body.source === '') throw new GatewayError('GW_ERR_MISSING_PARAMETER', 'source is required: the id of the source record to separate (see GET /people/{id}, sources)', { expression: 'source' });
  const sourceId = body.source;
  return inAuditedTransaction(ctx, scope, async (tx) => {
    const personId = await livePerson(tx, body.person, 'person');
    const source = await getSource(tx, sourceId);
    if (!source || source.personId !== personId) throw new GatewayError('GW_ERR_NOT_FOUND', `person ${personId} has no source record ${sourceId}`, { expression: 'source' });
    const others = (await sourcesOfPerson(tx, personId)).filter((s) => s.id !== sourceId);
    if (others.length === 0) throw new GatewayError('GW_ERR_MATCH_CONFLICT', `source record ${sourceId} is the only record of person ${personId}; there is nothing to unlink it from`, { expression: 'source' });
    const shared = source.record.identifiers.filter((i) => others.some((o) => o.record.identifiers.some((j) => j.system === i.system && j.value === i.value)));
    if (shared.length > 0) {
      throw new GatewayError('GW_ERR_MATCH_CONFLICT', `source record ${sourceId} shares ${[...new Set(shared.map((i) => i.system))].join(', ')} with the person's other records; correct the identifier at source before unlinking (one identifier value names one person)`, { expression: 'source' });
    }
    const newPerson = deterministicId('Person', 'unlinked', randomUUID());
    const at = ctx.now().toISOString();
    // The new person's row must exist before rows point at it.
    await tx.query('INSERT INTO persons (id, record) VALUES ($1, $2)', [newPerson, JSON.stringify({ ...source.record, id: newPerson })]);
    await moveSourceRows(tx, sourceId, personId, newPerson);
    await tx.query(`UPDATE person_sources SET link = 'manual', probability = NULL WHERE id = $1`, [sourceId]);
    await decideBetween(tx, ctx, requester, [source], others, 'not-a-match', reason);
    await rebuildPerson(tx, ctx.index, personId);
    await rebuildPerson(tx, ctx.index, newPerson);
    await withdrawSettledReviews(tx, at);
    await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: `unlink: ${reason}`, subjects: [personId, newPerson], records: [sourceId] });
    return { person: personId, source: sourceId, newPerson };
  });
}

/** POST /matching/reviews/{id}: a person decides a possible match. */
export async function decideMatchReview(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string, body: { decision?: unknown; reason?: unknown }): Promise<ReviewView> {
  const permitted = authorise(requester, 'matching:decide');
  if (!permitted.permit) return refuse(ctx, scope, permitted);
  if (body.decision !== 'link' && body.decision !== 'not-a-match') {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', `decision must be 'link' or 'not-a-match'; received ${JSON.stringify(body.decision ?? null)}`, { expression: 'decision' });
  }
  const choice = body.decision;
  const reason = reasonOf(body);
  return inAuditedTransaction(ctx, scope, async (tx) => {
    const review = await getReview(tx, id);
    if (!review) throw new GatewayError('GW_ERR_NOT_FOUND', `no match review ${id}`, { expression: 'id' });
    if (review.status !== 'open') throw new GatewayError('GW_ERR_MATCH_CONFLICT', `match review ${id} is already ${review.status}${review.decidedAt ? ` (${review.decidedAt})` : ''}`, { expression: 'id' });
    const source = await getSource(tx, review.sourceId);
    const candidate = await currentPersonId(tx, review.candidatePersonId);
    if (!source || !candidate) throw new GatewayError('GW_ERR_NOT_FOUND', `the records of match review ${id} are no longer in the person index`, { expression: 'id' });
    if (choice === 'link') {
      if (source.personId !== candidate) await link(tx, ctx, requester, candidate, source.personId, reason);
    } else {
      if (source.personId === candidate) throw new GatewayError('GW_ERR_MATCH_CONFLICT', `the records of match review ${id} have since been linked; use POST /matching/unlink to separate them`, { expression: 'id' });
      await decideBetween(tx, ctx, requester, [source], await sourcesOfPerson(tx, candidate), 'not-a-match', reason);
    }
    await closeReview(tx, id, choice === 'link' ? 'linked' : 'not-a-match', actor(requester), reason, ctx.now().toISOString());
    const after = await getReview(tx, id);
    await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: `${choice}: ${reason}`, subjects: [source.personId, candidate], records: [id] });
    return view(tx, ctx, requester, after!);
  });
}

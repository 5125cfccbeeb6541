/**
 * The resolve stage: every person an agency sends is matched to the person index before
 * it is committed.
 *
 * 1. Identifiers. A source record the agency sent before is found by any identifier it
 *    holds, and stays where it is (on whatever person people's decisions put it). A
 *    verified NHS number (valid check digit, status 01) with the same date of birth links
 *    deterministically, as does any shared identifier. A record whose identifiers name
 *    two people joins them when nothing disagrees (the sender vouches that its
 *    identifiers are one person); when something does (two values of one identifier
 *    system, two dates of birth, a person's not-a-match), nothing is merged and the
 *    message is refused.
 * 2. The model. Otherwise candidates sharing a blocking key are scored; one candidate at
 *    or above the match threshold links ('model'); possible matches open reviews and the
 *    record becomes a new person until someone decides. Candidates holding a different
 *    value of an identifier system the record also has are certainly not it.
 *
 * A person's own record is the fold of its source records, oldest change first.
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../audit/chain.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { CandidateScore } from '../matching/matcher.js';
import { assignHousehold } from '../store/households-repo.js';
import { deterministicId } from '../model/ids.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import type { Identifier, Person } from '../model/person.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Queryable } from '../store/db.js';
import { getPersonById, mergePersonRecords, upsertPerson } from '../store/people-repo.js';
import { householdOf } from '../store/households-repo.js';
import type { IndexMode } from './index-mode.js';
import { applyIndexPrior } from './index-mode.js';
import {
  candidateSources,
  decisionsInvolving,
  mergePersonRows,
  openReview,
  peopleInIndex,
  personExists,
  saveSource,
  sourcesByIdentifiers,
  sourcesOfPerson,
  sourcesWithoutKeys,
  withdrawSettledReviews,
  type LinkKind,
  type PersonSource,
} from '../store/person-index-repo.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import type { IngestBatch } from './ingest-batch.js';

/**
 * The advisory lock key of the whole person index (a bigint outside the int4 range of the
 * per-identifier keys): each resolution holds it shared; a bulk upload, which cannot take
 * one lock per child (PostgreSQL's lock table holds a few thousand), holds it exclusively.
 */
export const PERSON_INDEX_LOCK = '7451962150142410001';

/** At most this many candidate records are scored for one incoming person. */
export const CANDIDATE_LIMIT = 200;
/** At most this many reviews are opened for one incoming record (the best candidates). */
export const MAX_REVIEWS_PER_RECORD = 5;

export interface MatchOutcome {
  /** How the record reached its person. */
  method: LinkKind;
  probability?: number;
  /** Open reviews this record is waiting in (possible matches). */
  reviews: string[];
  /** People joined into this one because the record's identifiers named them all. */
  merged: string[];
}

export interface Resolved {
  person: Person;
  outcome: WriteOutcome;
  sourceId: string;
  /** The household of the person's current address, if it has one. */
  householdId: string | null;
  match: MatchOutcome;
}

const conflict = (sourcePath: string, diagnostics: string): { issues: GatewayIssue[] } => ({
  issues: [{ severity: 'error', code: 'conflict', expression: [sourcePath], diagnostics }],
});

/** The person's NHS number when it is verified (status 01) and valid. */
export function verifiedNhs(p: Pick<Person, 'identifiers'>): string | undefined {
  const id = p.identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM && i.verificationStatus === '01');
  return id && checkNhsNumber(id.value).valid ? id.value : undefined;
}

/** The identifier systems where `a` and `b` hold values and share none of them: they disagree about who this is. */
export function identifierConflicts(a: readonly Identifier[], b: readonly Identifier[]): string[] {
  const out: string[] = [];
  for (const system of new Set(a.map((i) => i.system))) {
    const va = a.filter((i) => i.system === system).map((i) => i.value);
    const vb = b.filter((i) => i.system === system).map((i) => i.value);
    if (vb.length > 0 && !va.some((v) => vb.includes(v))) out.push(system);
  }
  return out;
}

/** Both have a date of birth and they differ. */
const birthDatesDiffer = (a: Pick<Person, 'birthDate'>, b: Pick<Person, 'birthDate'>) => a.birthDate !== undefined && b.birthDate !== undefined && a.birthDate !== b.birthDate;

/** Whether people decided that some source of one group is not the same person as some source of the other. */
async function notAMatchBetween(tx: Queryable, a: readonly string[], b: readonly string[]): Promise<boolean> {
  const decisions = await decisionsInvolving(tx, a);
  return decisions.some((d) => d.decision === 'not-a-match' && ((a.includes(d.sourceA) && b.includes(d.sourceB)) || (a.includes(d.sourceB) && b.includes(d.sourceA))));
}

/**
 * Files the blocking keys of source records that have none (people indexed before the
 * matcher existed, carried over by migration 0003), so the model can find them. One pass;
 * a record with nothing to block on (no name or date of birth) simply stays without keys.
 */
export async function indexUnkeyedSources(q: Queryable, mode: IndexMode): Promise<number> {
  let n = 0;
  for (const s of await sourcesWithoutKeys(q, 1_000_000)) {
    const stored = mode.store(s.id, s.owner, mode.open(s));
    if (stored.keys.length === 0) continue;
    await saveSource(q, { ...s, record: stored.record, ...(stored.sealed ? { sealed: stored.sealed } : {}), ...(stored.pseudonym ? { pseudonym: stored.pseudonym } : {}) }, stored.keys);
    n++;
  }
  return n;
}

/** Recomputes a person's record from its source records and writes it. */
export async function rebuildPerson(tx: Queryable, mode: IndexMode, personId: string): Promise<Person | null> {
  const sources = await sourcesOfPerson(tx, personId);
  if (sources.length === 0) return null;
  let person: Person | null = null;
  for (const s of sources) person = mergePersonRecords(person, { ...mode.open(s), id: personId });
  const existing = await getPersonById(tx, personId);
  const folded: Person = { ...person!, owner: existing?.owner ?? sources[0]!.owner, securityLabel: existing?.securityLabel ?? person!.securityLabel };
  const view = mode.personView(folded);
  await upsertPerson(tx, view, null);
  await assignHousehold(tx, personId, mode.householdKey(folded));
  return view;
}

/** A person's date of birth as its agencies sent it (sealed records are opened). */
async function birthDateOf(tx: Queryable, mode: IndexMode, person: Person): Promise<string | undefined> {
  if (mode.kind === 'clear') return person.birthDate;
  for (const s of await sourcesOfPerson(tx, person.id)) {
    const b = mode.open(s).birthDate;
    if (b !== undefined) return b;
  }
  return undefined;
}

/** Joins people into `target`: their sources, identifiers and records move; they stay as pointers to it. */
export async function mergePeople(tx: Queryable, mode: IndexMode, target: string, others: readonly string[], at: string): Promise<void> {
  for (const other of others) if (other !== target) await mergePersonRows(tx, other, target);
  await rebuildPerson(tx, mode, target);
  await withdrawSettledReviews(tx, at);
}

/** Chooses which of several people survives a merge: one with a verified NHS number, else the first. */
async function survivor(tx: Queryable, ids: readonly string[]): Promise<string> {
  for (const id of ids) {
    const p = await getPersonById(tx, id);
    if (p && verifiedNhs(p)) return id;
  }
  return ids[0]!;
}

/** The ids a new person and its first source record from `owner` take (unless taken already). */
export function newIds(incoming: Person, owner: string): { personId: string; sourceId: string } {
  const primary = incoming.identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM) ?? incoming.identifiers[0]!;
  return { personId: deterministicId('Person', primary.system, primary.value), sourceId: newSourceId(incoming, owner) };
}

const newSourceId = (incoming: Person, owner: string) => deterministicId('PersonSource', owner, ...incoming.identifiers.map((i) => `${i.system}|${i.value}`).sort().slice(0, 1));

async function newPersonId(tx: Queryable, incoming: Person): Promise<string> {
  const id = newIds(incoming, 'unused').personId;
  // A person split off or merged away keeps its id; a new person then needs a fresh one.
  return (await personExists(tx, id)) ? deterministicId('Person', 'new', randomUUID()) : id;
}

/**
 * Resolves one incoming person (already checked against the schema; its id is ignored)
 * from `owner`, writes its source record and the person it belongs to, and opens reviews
 * for possible matches. Issues mean nothing should be committed.
 */
export async function resolveIncomingPerson(
  tx: Queryable,
  mode: IndexMode,
  incoming: Person,
  owner: string,
  sourcePath: string,
  at: string,
  batch?: IngestBatch,
): Promise<Resolved | { issues: GatewayIssue[] }> {
  if (batch) {
    // The batch took the index's shared lock (PERSON_INDEX_LOCK) before it looked anything up.
    const fast = newPersonInBatch(batch, incoming, owner, at) ?? knownPersonInBatch(batch, incoming, owner, at);
    if (fast) return fast;
    // Resolved the ordinary way, against everything the batch has written so far.
    await batch.flush(tx);
  } else {
    // A bulk upload holds the whole index (PERSON_INDEX_LOCK); wait for it before taking any other lock.
    await tx.query(`SELECT pg_advisory_xact_lock_shared(${PERSON_INDEX_LOCK})`);
  }
  // Two messages about the same child at once resolve one after the other, not side by side
  // into two people: a transaction-scoped lock per identifier, taken in one order.
  await tx.query('SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS locks', [
    incoming.identifiers.map((i) => `${i.system}|${i.value}`),
  ]);
  const bySources = await sourcesByIdentifiers(tx, incoming.identifiers);
  const own = bySources.find((s) => s.owner === owner);
  const personIds = [...new Set(bySources.map((s) => s.personId))];
  const people = new Map<string, Person>();
  for (const id of personIds) {
    const p = await getPersonById(tx, id);
    if (p) people.set(id, p);
  }
  const match: MatchOutcome = { method: 'new', reviews: [], merged: [] };
  let target: string | undefined;

  // Never merge two people's identities: another value of the same identifier system
  // (a different NHS number, LA child id or MRN), or a verified NHS number whose date of
  // birth differs, means the records disagree about who this is.
  for (const p of people.values()) {
    const systems = identifierConflicts(incoming.identifiers, p.identifiers);
    if (systems.length > 0) {
      return conflict(sourcePath, `this person matches someone in the person index by one identifier but holds a different ${systems.join(', ')} there; the two were not merged (a person must review the match)`);
    }
    const nhs = verifiedNhs(incoming);
    if (nhs && p.identifiers.some((i) => i.system === NHS_NUMBER_SYSTEM && i.value === nhs) && birthDatesDiffer(incoming, { birthDate: await birthDateOf(tx, mode, p) })) {
      return conflict(sourcePath, `the verified NHS number sent is held in the person index by a person with a different date of birth; nothing was linked (check the NHS number and the date of birth at source)`);
    }
  }

  if (personIds.length > 1) {
    const list = [...people.values()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const systems = identifierConflicts(list[i]!.identifiers, list[j]!.identifiers);
        if (systems.length > 0 || birthDatesDiffer({ birthDate: await birthDateOf(tx, mode, list[i]!) }, { birthDate: await birthDateOf(tx, mode, list[j]!) })) {
          return conflict(sourcePath, `the identifiers of this person belong to ${list.length} different people in the person index who disagree (${systems.length > 0 ? `different ${systems.join(', ')}` : 'different dates of birth'}); they were not merged automatically (a person must review the match)`);
        }
        const si = (await sourcesOfPerson(tx, list[i]!.id)).map((s) => s.id);
        const sj = (await sourcesOfPerson(tx, list[j]!.id)).map((s) => s.id);
        if (await notAMatchBetween(tx, si, sj)) {
          return conflict(sourcePath, `the identifiers of this person belong to ${list.length} people in the person index whom a person has decided are not the same; they were not merged`);
        }
      }
    }
    target = own?.personId ?? (await survivor(tx, personIds));
    match.merged = personIds.filter((id) => id !== target);
    await mergePeople(tx, mode, target, match.merged, at);
    match.method = 'identifier';
  } else if (personIds.length === 1) {
    target = personIds[0]!;
    const nhs = verifiedNhs(incoming);
    match.method = nhs && people.get(target)?.identifiers.some((i) => i.system === NHS_NUMBER_SYSTEM && i.value === nhs) ? 'nhs-number' : 'identifier';
  }
  // A person's decision stays on the record: re-sending it never turns it back into the model's.
  if (own && own.personId === target && own.link === 'manual') match.method = 'manual';

  let scores: CandidateScore[] = [];
  if (target === undefined) {
    const candidates = (await candidateSources(tx, mode.candidateKeys(incoming), CANDIDATE_LIMIT, incoming.identifiers)).filter((c) => identifierConflicts(incoming.identifiers, c.record.identifiers).length === 0);
    const byId = new Map<string, PersonSource>(candidates.map((c) => [c.id, c]));
    const perPerson = new Map<string, CandidateScore>();
    for (const s of applyIndexPrior(mode, mode.score(incoming, candidates), candidates.length > 0 ? await peopleInIndex(tx) : 0)) {
      const personId = byId.get(s.id)!.personId;
      if (!perPerson.has(personId)) perPerson.set(personId, { ...s, id: personId });
    }
    // A candidate record may agree while its person, through another agency's record, holds
    // another value of an identifier system this record has (another NHS number): not them.
    for (const s of perPerson.values()) {
      if (s.decision === 'no-match') continue;
      const p = await getPersonById(tx, s.id);
      if (p && identifierConflicts(incoming.identifiers, p.identifiers).length > 0) perPerson.delete(s.id);
    }
    scores = [...perPerson.values()];
    const matches = scores.filter((s) => s.decision === 'match');
    if (matches.length === 1) {
      target = matches[0]!.id;
      match.method = 'model';
      match.probability = matches[0]!.probability;
    }
  }

  const sourceId = own?.id ?? newSourceId(incoming, owner);
  const existing = target === undefined ? null : await getPersonById(tx, target);
  const personId = target ?? (await newPersonId(tx, incoming));
  const before = existing ? canonicalJson({ ...existing, provenance: null, lineage: null }) : null;
  // One source record per agency per person: what the agency sent before (a census
  // child's UPN) stays with what it sends now (a FHIR Patient's NHS number).
  const sourceRecord = mergePersonRecords(own ? { ...mode.open(own), id: personId } : null, { ...incoming, id: personId, owner });
  const stored = mode.store(sourceId, owner, sourceRecord);
  const source = { id: sourceId, owner, personId, record: stored.record, link: match.method, probability: match.probability ?? null, ...(stored.sealed ? { sealed: stored.sealed } : {}), ...(stored.pseudonym ? { pseudonym: stored.pseudonym } : {}) };
  let person: Person;
  let householdId: string | null;
  if (!existing) {
    // A new person is the fold of this one source: written once, before the source points at it.
    person = mode.personView(sourceRecord);
    await upsertPerson(tx, person, null);
    await saveSource(tx, source, stored.keys);
    householdId = await assignHousehold(tx, personId, mode.householdKey(sourceRecord));
  } else {
    await saveSource(tx, source, stored.keys);
    person = (await rebuildPerson(tx, mode, personId))!;
    householdId = (await householdOf(tx, personId))?.id ?? null;
  }
  const after = canonicalJson({ ...person, provenance: null, lineage: null });
  batch?.touched([...incoming.identifiers, ...sourceRecord.identifiers, ...person.identifiers], stored.keys, personId, sourceId, match.merged);

  // Possible matches (and ambiguous certain ones) wait for a person: the best few, so one
  // record never floods the queue.
  for (const s of scores.filter((x) => x.id !== personId && x.decision !== 'no-match').slice(0, MAX_REVIEWS_PER_RECORD)) {
    const id = deterministicId('MatchReview', sourceId, s.id);
    await openReview(tx, { id, sourceId, candidatePersonId: s.id, probability: s.probability, weight: s.weight, explanation: { comparisons: s.explanation, ...(s.guard ? { guard: s.guard } : {}) }, at });
    match.reviews.push(id);
  }
  return { person, outcome: existing === null ? 'created' : before === after && match.merged.length === 0 ? 'unchanged' : 'updated', sourceId, householdId, match };
}

/**
 * In a group commit: a person the batch's lookup (still valid) shows to be new — no source
 * record holds any of its identifiers, and every candidate sharing a blocking key scores
 * 'no-match' — is created as resolveIncomingPerson would create it, its rows held back to be
 * written with the batch's other new people. Anything else returns undefined.
 */
function newPersonInBatch(batch: IngestBatch, incoming: Person, owner: string, at: string): Resolved | undefined {
  const mode = batch.mode;
  const looked = batch.lookup(incoming);
  if (!looked || looked.bySource.length > 0) return undefined;
  const candidates = looked.candidates.filter((c) => identifierConflicts(incoming.identifiers, c.record.identifiers).length === 0);
  // The index-size prior only ever turns a 'match' into a 'possible': 'no-match' stays.
  if (candidates.length > 0 && mode.score(incoming, candidates).some((s) => s.decision !== 'no-match')) return undefined;
  const { personId, sourceId } = newIds(incoming, owner);
  if (!batch.isFree(personId, 'person') || !batch.isFree(sourceId, 'source')) return undefined;
  const sourceRecord = mergePersonRecords(null, { ...incoming, id: personId, owner });
  const stored = mode.store(sourceId, owner, sourceRecord);
  const person = mode.personView(sourceRecord);
  const key = mode.householdKey(sourceRecord);
  const household = key ? { id: deterministicId('Household', key.key), key: key.key, basis: key.basis } : null;
  const source = { id: sourceId, owner, record: stored.record, link: 'new' as const, probability: null, pseudonym: stored.pseudonym, sealed: stored.sealed };
  batch.addPerson({ known: false, person: { id: personId, record: person, identifiers: person.identifiers }, source, keys: stored.keys, household }, { ...source, personId, updatedAt: at, ...(stored.pseudonym ? { pseudonym: stored.pseudonym } : {}), ...(stored.sealed ? { sealed: stored.sealed } : {}) });
  return { person, outcome: 'created', sourceId, householdId: household?.id ?? null, match: { method: 'new', reviews: [], merged: [] } };
}

/**
 * In a group commit: a person the batch's lookup (still valid) finds by identifier on exactly
 * one known person (a child re-attending, a demographic update), with nothing that disagrees
 * — resolved as resolveIncomingPerson does it: its source record from this agency replaced,
 * the person's record refolded from its sources (this one, written now, last) and its
 * household reassigned, the rows held back to be written with the batch. Anything else
 * (several people, a conflict to report, more than one source of this agency) returns
 * undefined and goes the ordinary way.
 */
function knownPersonInBatch(batch: IngestBatch, incoming: Person, owner: string, at: string): Resolved | undefined {
  const mode = batch.mode;
  const looked = batch.lookup(incoming);
  if (!looked || looked.bySource.length === 0) return undefined;
  const personIds = [...new Set(looked.bySource.map((s) => s.personId))];
  if (personIds.length !== 1) return undefined;
  const target = personIds[0]!;
  const known = batch.knownPerson(target);
  if (!known) return undefined;
  const existing = known.record;
  if (identifierConflicts(incoming.identifiers, existing.identifiers).length > 0) return undefined;
  const nhs = verifiedNhs(incoming);
  const sameNhs = nhs !== undefined && existing.identifiers.some((i) => i.system === NHS_NUMBER_SYSTEM && i.value === nhs);
  const birthDate = mode.kind === 'clear' ? existing.birthDate : known.sources.map((s) => mode.open(s).birthDate).find((b) => b !== undefined);
  if (sameNhs && birthDatesDiffer(incoming, { birthDate })) return undefined;
  const owns = looked.bySource.filter((s) => s.owner === owner);
  if (owns.length > 1) return undefined;
  const own = owns[0];
  const sourceId = own?.id ?? newSourceId(incoming, owner);
  if (!own && !batch.isFree(sourceId, 'source')) return undefined;
  const method: LinkKind = own && own.personId === target && own.link === 'manual' ? 'manual' : sameNhs ? 'nhs-number' : 'identifier';

  const before = canonicalJson({ ...existing, provenance: null, lineage: null });
  const sourceRecord = mergePersonRecords(own ? { ...mode.open(own), id: target } : null, { ...incoming, id: target, owner });
  const stored = mode.store(sourceId, owner, sourceRecord);
  // As rebuildPerson folds them: oldest change first, so this source (written now) comes last.
  let fold: Person | null = null;
  for (const s of known.sources) if (s.id !== sourceId) fold = mergePersonRecords(fold, { ...mode.open(s), id: target });
  fold = mergePersonRecords(fold, { ...sourceRecord, id: target });
  const folded: Person = { ...fold, owner: existing.owner, securityLabel: existing.securityLabel ?? fold.securityLabel };
  const person = mode.personView(folded);
  const key = mode.householdKey(folded);
  const household = key ? { id: deterministicId('Household', key.key), key: key.key, basis: key.basis } : null;
  const source = { id: sourceId, owner, record: stored.record, link: method, probability: null, pseudonym: stored.pseudonym, sealed: stored.sealed };
  batch.addPerson({ known: true, person: { id: target, record: person, identifiers: person.identifiers }, source, keys: stored.keys, household }, { ...source, personId: target, updatedAt: at });
  const after = canonicalJson({ ...person, provenance: null, lineage: null });
  return { person, outcome: before === after ? 'unchanged' : 'updated', sourceId, householdId: household?.id ?? null, match: { method, reviews: [], merged: [] } };
}

/**
 * FHIR Patient/$match: who in the person index is this? The Patient sent is mapped with
 * the same declarative mapping as ingest, then matched as ingest would match it:
 *
 * - certain: a verified NHS number (valid check digit, status 01) held by the person,
 *   with the same date of birth where both have one; or any other identifier in common
 *   with no identifier that disagrees;
 * - probable: the model's score is at or above the automatic-match threshold (and the
 *   first names do not differ);
 * - possible: at or above the review threshold;
 * - certainly-not: the person holds a different value of an identifier system the
 *   Patient also has (a different NHS number), though the demographics look alike.
 *
 * search.score is 1 for a certain match and the model's probability otherwise. Nothing
 * is stored; the search is audited with every person it returned.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { errorFromIssues } from '../errors/gateway-error.js';
import { readFhirJson } from '../formats/fhir.js';
import { toMatchRecord } from '../matching/normalise.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import type { Identifier, Person } from '../model/person.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { findPeopleByIdentifiers, getPersonById } from '../store/people-repo.js';
import { candidateSources, peopleInIndex } from '../store/person-index-repo.js';
import { applyIndexPrior } from './index-mode.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { checkMessage } from './ingest.js';
import { CANDIDATE_LIMIT, identifierConflicts } from './person-index.js';
import { personView, unnamedPerson } from './read-records.js';
import type { AuditDecision } from '../model/audit-entry.js';

export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface PatientMatch {
  person: Person;
  score: number;
  grade: MatchGrade;
}

export interface MatchRequest {
  patient: fhir4.Patient;
  onlyCertainMatches: boolean;
  count: number;
}

const MAX_COUNT = 50;

/** Reads the $match input: a Parameters resource (resource, onlyCertainMatches, count), or a bare Patient. */
export function matchRequest(body: unknown): MatchRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('GW_ERR_MALFORMED_BODY', 'the body must be a FHIR Parameters resource (or a Patient)', { expression: 'body' });
  const r = body as { resourceType?: unknown };
  if (r.resourceType === 'Patient') return { patient: body as fhir4.Patient, onlyCertainMatches: false, count: 10 };
  if (r.resourceType !== 'Parameters') throw new GatewayError('GW_ERR_INVALID_RESOURCE', `expected resourceType Parameters (or Patient), received ${JSON.stringify(r.resourceType ?? null)}`, { expression: 'resourceType' });
  const params = (body as fhir4.Parameters).parameter ?? [];
  const resources = params.filter((p) => p.name === 'resource');
  if (resources.length !== 1 || resources[0]!.resource?.resourceType !== 'Patient') {
    throw new GatewayError('GW_ERR_INVALID_RESOURCE', `Parameters must hold exactly one parameter 'resource' whose resource is a Patient; found ${resources.length}`, { expression: 'Parameters.parameter.where(name=\'resource\')' });
  }
  const only = params.find((p) => p.name === 'onlyCertainMatches');
  if (only && typeof only.valueBoolean !== 'boolean') throw new GatewayError('GW_ERR_INVALID_PARAMETER', 'onlyCertainMatches must be a valueBoolean', { expression: "Parameters.parameter.where(name='onlyCertainMatches')" });
  const count = params.find((p) => p.name === 'count');
  if (count && !(Number.isInteger(count.valueInteger) && count.valueInteger! >= 1 && count.valueInteger! <= MAX_COUNT)) {
    throw new GatewayError('GW_ERR_INVALID_PARAMETER', `count must be a valueInteger from 1 to ${MAX_COUNT}`, { expression: "Parameters.parameter.where(name='count')" });
  }
  return { patient: resources[0]!.resource, onlyCertainMatches: only?.valueBoolean ?? false, count: count?.valueInteger ?? 10 };
}

function verifiedNhs(identifiers: readonly Identifier[]): string | undefined {
  const id = identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM && i.verificationStatus === '01');
  return id && checkNhsNumber(id.value).valid ? id.value : undefined;
}

const GRADE_ORDER: Record<MatchGrade, number> = { certain: 0, probable: 1, possible: 2, 'certainly-not': 3 };

/** Matches one Patient against the person index. */
export async function matchPatient(ctx: GatewayContext, scope: AuditScope, requester: Requester, req: MatchRequest): Promise<PatientMatch[]> {
  const decision = authorise(requester, 'matching:match');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const checked = checkMessage(ctx, readFhirJson(JSON.stringify(req.patient)), requester, false);
  if (checked.errors.length > 0) throw errorFromIssues('GW_ERR_INVALID_RESOURCE', checked.errors);
  const draft = checked.drafts.find((d) => d.type === 'Person');
  const fields = (draft?.fields ?? {}) as Partial<Person>;
  const incoming = { identifiers: [], names: [], addresses: [], ...fields } as unknown as Person;
  const record = toMatchRecord({ ...incoming, id: 'incoming' });
  if (incoming.identifiers.length === 0 && !(record.birthDate && (record.family || record.givenNames.length > 0))) {
    throw new GatewayError('GW_ERR_INVALID_RESOURCE', 'the Patient needs an identifier, or a date of birth with a name, to be matched', { expression: 'Patient' });
  }

  const results = new Map<string, PatientMatch>();
  const nhs = verifiedNhs(incoming.identifiers);
  for (const p of await findPeopleByIdentifiers(ctx.db, incoming.identifiers)) {
    const disagree = identifierConflicts(incoming.identifiers, p.identifiers).length > 0 || (incoming.birthDate !== undefined && p.birthDate !== undefined && incoming.birthDate !== p.birthDate && nhs !== undefined);
    results.set(p.id, { person: p, score: disagree ? 0 : 1, grade: disagree ? 'certainly-not' : 'certain' });
  }
  const candidates = await candidateSources(ctx.db, ctx.index.candidateKeys(incoming), CANDIDATE_LIMIT);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  for (const s of applyIndexPrior(ctx.index, ctx.index.score(incoming, candidates), candidates.length > 0 ? await peopleInIndex(ctx.db) : 0)) {
    const source = byId.get(s.id)!;
    if (results.has(source.personId) || s.decision === 'no-match') continue;
    const person = await getPersonById(ctx.db, source.personId);
    if (!person) continue;
    const conflicting = identifierConflicts(incoming.identifiers, person.identifiers).length > 0;
    const grade: MatchGrade = conflicting ? 'certainly-not' : s.decision === 'match' ? 'probable' : 'possible';
    results.set(person.id, { person, score: conflicting ? 0 : s.probability, grade });
  }
  let matches = [...results.values()].sort((a, b) => GRADE_ORDER[a.grade] - GRADE_ORDER[b.grade] || b.score - a.score);
  if (req.onlyCertainMatches) matches = matches.filter((m) => m.grade === 'certain');
  matches = matches.slice(0, req.count);
  // Each candidate is shown only as far as the sharing rules release its agencies' records of
  // them: a candidate nothing is released about is named by its id, score and grade alone.
  const decisions: AuditDecision[] = [];
  const shown: PatientMatch[] = [];
  for (const m of matches) {
    const released = await personView(ctx, requester, m.person, null);
    decisions.push(...released.decisions.map((d) => d.audit));
    shown.push({ ...m, person: released.view ?? unnamedPerson(m.person) });
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: matches.map((m) => m.person.id), decisions });
  return shown;
}

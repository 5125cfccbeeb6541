import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import type { AuditDecision } from '../model/audit-entry.js';
import type { Consent } from '../model/consent.js';
import type { Person } from '../model/person.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { ShownConsent } from '../fhir/consent.js';
import { findPersonByIdentifier, getPersonById } from '../store/people-repo.js';
import { getRecord, recordsForPerson } from '../store/records-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import type { RecordOutcome } from './ingest.js';
import { ingestMessage } from './ingest.js';
import { auditDecision, decideRelease, shownTo } from './sharing.js';

function nhsNumberOf(person: Person | null): string | null {
  return person?.identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value ?? null;
}

/**
 * Records one FHIR Consent (given, refused, withdrawn, or not sought with its Sch 1 para 18
 * reason) through the ingest pipeline: mapped, its subject matched to the person index,
 * committed with its audit entry. A Consent whose subject cannot be named is refused.
 */
export async function recordConsent(ctx: GatewayContext, scope: AuditScope, requester: Requester, resource: fhir4.Consent): Promise<{ outcome: RecordOutcome; consent: Consent; nhsNumber: string | null }> {
  const result = await ingestMessage(ctx, scope, requester, { format: 'fhir-r4-json', tree: resource, messageId: undefined, warnings: [] }, { store: true });
  const outcome = result.records.find((r) => r.type === 'Consent');
  if (!outcome) {
    // ingestMessage stores nothing without a record; a Consent left out says why in its warnings.
    throw errorFromIssues('GW_ERR_INVALID_RESOURCE', result.warnings.length > 0 ? result.warnings.map((w) => ({ ...w, severity: 'error' as const })) : [{ severity: 'error', code: 'required', expression: ['Consent.patient'], diagnostics: 'the Consent was not stored: name its patient by NHS number' }]);
  }
  const stored = await getRecord(ctx.db, outcome.id, ctx.index.records);
  if (!stored) throw new GatewayError('GW_ERR_INTERNAL', 'the consent was committed but cannot be read back');
  const consent = stored.record as unknown as Consent;
  return { outcome, consent, nhsNumber: nhsNumberOf(await getPersonById(ctx.db, consent.subjectPersonId)) };
}

/**
 * The consents recorded about a person (by NHS number), newest first, each released through
 * the sharing rules: the recording agency sees its own in full, a partner what an agreement
 * names. A person nobody released anything about answers an empty searchset.
 */
export async function searchConsents(ctx: GatewayContext, scope: AuditScope, requester: Requester, nhsNumber: string): Promise<ShownConsent[]> {
  const decision = authorise(requester, 'consent:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const person = await findPersonByIdentifier(ctx.db, NHS_NUMBER_SYSTEM, nhsNumber);
  const shown: ShownConsent[] = [];
  const decisions: AuditDecision[] = [];
  if (person) {
    for (const { record } of await recordsForPerson(ctx.db, person.id, 'Consent', ctx.index.records)) {
      const consent = record as unknown as Consent;
      const d = await decideRelease(ctx, ctx.db, requester, { type: 'Consent', record: consent, subject: person });
      decisions.push(auditDecision(consent.id, 'Consent', consent.owner, person.id, d));
      if (d.permit) shown.push(shownTo(consent, requester.agency, d) as ShownConsent);
    }
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: decision.reason, subjects: person ? [person.id] : [], records: shown.map((c) => c.id), decisions });
  return shown;
}

/** One consent by id: in full to the agency that recorded it, else as far as the sharing rules release it (404 when nothing is). */
export async function readConsent(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<{ consent: ShownConsent; nhsNumber: string | null }> {
  const decision = authorise(requester, 'consent:read');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const found = await getRecord(ctx.db, id, ctx.index.records);
  const notFound = new GatewayError('GW_ERR_NOT_FOUND', `no Consent/${id} is available to ${requester.agency}`, { expression: 'id' });
  if (!found || found.type !== 'Consent') throw notFound;
  const consent = found.record as unknown as Consent;
  const person = await getPersonById(ctx.db, consent.subjectPersonId);
  const d = await decideRelease(ctx, ctx.db, requester, { type: 'Consent', record: consent, subject: person });
  const decisions = [auditDecision(id, 'Consent', consent.owner, consent.subjectPersonId, d)];
  if (!d.permit) {
    await auditNow(ctx, scope, { outcome: 'deny', status: 404, reason: d.reason, subjects: [consent.subjectPersonId], decisions });
    throw notFound;
  }
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: d.reason, subjects: [consent.subjectPersonId], records: [id], decisions });
  // The subject's NHS number is named to the recording agency; a partner reads the consent by the id it was given.
  return { consent: shownTo(consent, requester.agency, d) as ShownConsent, nhsNumber: consent.owner === requester.agency ? nhsNumberOf(person) : null };
}

import { createHash } from 'node:crypto';
import { raiseNotificationAlerts } from '../alerts/raise.js';
import { canonicalJson } from '../audit/chain.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import { ENCOMPASS_NOTICE, noticeCommunication, placeText, POLICE_NOTIFICATION, UNROUTABLE_NOTIFICATION } from '../fhir/police-communication.js';
import { checkJsonTree } from '../formats/json-safety.js';
import { jsonSyntaxProblem } from '../formats/fhir.js';
import { readNotificationXml, withXmlPaths } from '../mapping/police-notification-xml.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Agency } from '../model/agency.js';
import { londonDateTime } from '../model/london-time.js';
import { deterministicId } from '../model/ids.js';
import type { NotificationPerson, NotificationSubmission, PoliceNotification } from '../model/police-notification.js';
import { NotificationSubmissionSchema, subjectChildren } from '../model/police-notification.js';
import type { Person } from '../model/person.js';
import type { Provenance } from '../model/provenance.js';
import type { Relationship } from '../model/relationship.js';
import { NHS_NUMBER_SYSTEM, SGW_BASE } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { redact } from '../policy/decide.js';
import { nextSchoolDayStart } from '../policy/school-days.js';
import { insertCommunications } from '../store/communications-repo.js';
import type { Queryable } from '../store/db.js';
import type { NotificationRoute, StoredNotification } from '../store/notifications-repo.js';
import { insertNotificationRoutes, lockNotificationKey, notificationById, notificationByReference, notificationsOfForce, routesOf, saveNotification, saveNotificationPeople } from '../store/notifications-repo.js';
import { enqueueWebhooks } from '../store/outbox-repo.js';
import { getPersonById } from '../store/people-repo.js';
import { upsertRecords } from '../store/records-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, auditNow, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { agencyOf, forRequest } from './context.js';
import type { Responsible } from './notification-routing.js';
import { responsibleLa } from './notification-routing.js';
import type { MatchOutcome } from './person-index.js';
import { resolveIncomingPerson } from './person-index.js';
import { auditDecision, decideRelease } from './sharing.js';

/** The force's nominal ids: a system per force, since each force numbers its own people. */
export const policePersonSystem = (force: string): string => `${SGW_BASE}/Id/police-person/${force}`;
/** A person known only by their place in one notification. */
export const notificationPersonSystem = (force: string, reference: string): string => `${SGW_BASE}/Id/police-notification-person/${force}/${encodeURIComponent(reference)}`;

/** What a force is told about its submission, then and whenever it asks again. */
export interface NotificationReceipt {
  id: string;
  force: string;
  reference: string;
  type: PoliceNotification['type'];
  version: number;
  status: 'routed' | 'unroutable';
  receivedAt: string;
  updatedAt: string;
  persons: { ref: string; roles: string[]; personId: string; match: { method: MatchOutcome['method']; awaitingReview: boolean } }[];
  routes: {
    recipient: string;
    kind: NotificationRoute['kind'];
    basis: string;
    personRef: string | null;
    madeAvailableAt: string;
    viewedAt: string | null;
    schoolDayStart?: string;
    beforeSchoolDay?: boolean;
  }[];
  warnings: GatewayIssue[];
}

/** The part of the receipt fixed when a version is stored; routes' viewing times are read fresh. */
type ReceiptBase = Omit<NotificationReceipt, 'routes'> & { routes: (NotificationReceipt['routes'][number] & { communicationId: string })[] };

function zodIssues(error: { issues: readonly { path: PropertyKey[]; message: string; code: string }[] }): GatewayIssue[] {
  return error.issues.map((i) => {
    const field = i.path.map(String).join('.') || '(body)';
    return { severity: 'error' as const, code: i.code === 'unrecognized_keys' ? 'structure' : 'invalid', expression: [field], diagnostics: `${field}: ${i.message}` };
  });
}

/**
 * Checks a submission against the published schema; every bad field is named (and, for the
 * XML form, `annotate` adds the element each came from).
 */
export function checkSubmission(body: unknown, now: Date, annotate: (issues: GatewayIssue[]) => GatewayIssue[] = (i) => i): NotificationSubmission {
  const parsed = NotificationSubmissionSchema.safeParse(body);
  if (!parsed.success) throw errorFromIssues('GW_ERR_VALIDATION_FAILED', annotate(zodIssues(parsed.error)));
  // Clocks drift: a few minutes ahead is a clock, more is a mistyped date.
  const latest = new Date(now.getTime() + FUTURE_TOLERANCE_MS);
  const future = [
    ...(new Date(parsed.data.occurredAt) > latest ? [{ field: 'occurredAt', value: parsed.data.occurredAt }] : []),
    ...parsed.data.actionsTaken.flatMap((a, i) => (['at', 'endedAt'] as const).filter((k) => a[k] !== undefined && new Date(a[k]) > latest).map((k) => ({ field: `actionsTaken.${i}.${k}`, value: a[k]! }))),
  ];
  if (future.length > 0) {
    throw errorFromIssues('GW_ERR_VALIDATION_FAILED', annotate(future.map((f) => ({ severity: 'error' as const, code: 'invalid', expression: [f.field], diagnostics: `${f.field}: ${f.value} is in the future; expected a time on or before ${latest.toISOString()}` }))));
  }
  return parsed.data;
}

const FUTURE_TOLERANCE_MS = 10 * 60_000;

/** A submission as it arrived: the JSON body, or the XML form mapped to the same shape. */
export interface SubmissionInput {
  body: unknown;
  format: 'police-json' | 'police-xml';
  /** Input the XML mapping did not consume, reported back on the receipt. */
  warnings?: GatewayIssue[];
  /** The mapping (id@version) the XML form went through, for provenance. */
  mapping?: string;
  annotate?: (issues: GatewayIssue[]) => GatewayIssue[];
}

/**
 * Reads a submission body as a force sent it: JSON as published at
 * /schemas/police-notification.json, or the XML form mapped through
 * mappings/police-notification/ to the same shape (its unconsumed input kept as warnings,
 * and each field's XML element added to the issues {@link checkSubmission} finds). Shared by
 * POST /notifications and the offline check (`sgw conformance check`), so both read alike.
 */
export async function readSubmission(mappings: MappingRegistry, bytes: Buffer, form: 'json' | 'xml'): Promise<SubmissionInput> {
  if (form === 'xml') {
    const xml = await readNotificationXml(mappings, bytes);
    return { body: xml.submission, format: 'police-xml', mapping: xml.mapping, warnings: xml.warnings, annotate: (issues) => withXmlPaths(issues, xml.sources) };
  }
  let text: string;
  try {
    // Refused rather than read with U+FFFD in place of what was sent.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new GatewayError('GW_ERR_MALFORMED_BODY', 'the body is not valid UTF-8; send the notification encoded as UTF-8', { expression: 'body' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Never V8's message: it quotes the body, and the reason is kept in the audit log.
    throw new GatewayError('GW_ERR_MALFORMED_BODY', `the body is not JSON: ${jsonSyntaxProblem(text)}`, { expression: 'body' });
  }
  if (body !== null && typeof body === 'object') checkJsonTree(body, 'body', 'police notification JSON');
  return { body, format: 'police-json' };
}

function indexPerson(p: NotificationPerson, force: string, reference: string, provenance: Provenance): Person {
  // The force's record of a person is keyed by what it knows them by, so the next notification
  // about them updates it: the NHS number, the force's nominal id. Only someone with neither
  // is known by this notification alone (an identifier system of its own, which never
  // contradicts what other notifications say); the match model links them to the rest.
  const identifiers = [
    ...(p.nhsNumber ? [{ system: NHS_NUMBER_SYSTEM, value: p.nhsNumber }] : []),
    ...(p.policePersonId ? [{ system: policePersonSystem(force), value: p.policePersonId }] : []),
  ];
  if (identifiers.length === 0) identifiers.push({ system: notificationPersonSystem(force, reference), value: p.ref });
  const address = p.address ? [{ lines: p.address.lines, ...(p.address.city ? { city: p.address.city } : {}), ...(p.address.postcode ? { postcode: p.address.postcode } : {}), ...(p.address.uprn ? { uprn: p.address.uprn } : {}) }] : [];
  return {
    id: 'pending',
    identifiers,
    names: [{ given: p.name.given, ...(p.name.family ? { family: p.name.family } : {}) }],
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.sex ? { sex: p.sex } : {}),
    addresses: address,
    owner: `police:${force}`,
    provenance,
    securityLabel: 'N',
  };
}

const RELATIONSHIP_ROLE = { 'alleged-perpetrator': 'alleged-perpetrator', 'parent-carer': 'parent', 'household-member': 'household-member' } as const;

/** What the LA may read of a notification about one child: the fields an agreement releases to it. */
function releasedToLa(n: PoliceNotification, childId: string, fields: readonly string[], redactions: { field: string; why: string }[]): Record<string, unknown> {
  const projection = { ...n, subjectPersonId: childId };
  const shown = redact(projection, { fields: [...fields], redactions }) as Record<string, unknown>;
  // Identity protection withholds the location: then the people's addresses and schools go too.
  if (!fields.includes('location') && Array.isArray(shown.persons)) {
    shown.persons = (shown.persons as NotificationPerson[]).map(({ address: _a, school: _s, ...rest }) => rest);
  }
  return shown;
}

function laText(n: PoliceNotification, force: Agency, content: Record<string, unknown>): string {
  const when = londonDateTime(n.occurredAt);
  const grade = n.riskGrade ? `, risk ${n.riskGrade.grade}${n.riskGrade.dashYesCount !== undefined ? ` (DASH ${n.riskGrade.dashYesCount} yes)` : ''}` : '';
  const children = subjectChildren(n)
    .map((c) => `${[...c.name.given, c.name.family].filter(Boolean).join(' ')} (${c.birthDate ?? `about ${c.estimatedAge ?? '?'}`})${c.present === undefined ? '' : c.present ? ', present' : ', not present'}`)
    .join('; ');
  const lines = [
    `${force.name}: ${n.type} notification ${n.reference}, version ${n.version}${grade}.`,
    `When: ${when.date} ${when.time}. Where: ${content.location ? placeText(n.location) : 'withheld'}.`,
    `Children: ${children}.`,
  ];
  if (typeof content.circumstances === 'string') lines.push(`Circumstances: ${content.circumstances}`);
  if (typeof content.narrative === 'string') lines.push(`Narrative: ${content.narrative}`);
  if (typeof content.voiceOfChild === 'string') lines.push(`Voice of the child: ${content.voiceOfChild}`);
  if (n.actionsTaken.length > 0) lines.push(`Actions: ${n.actionsTaken.map((a) => a.code).join(', ')}.`);
  return lines.join('\n');
}

/**
 * The Operation Encompass notice for one child's school: the child's name and date of birth,
 * the police reference, date, time and place, whether the child was present and where, and
 * brief circumstances. Never the narrative, the child's words or anyone else's details.
 */
function encompassNotice(n: PoliceNotification, child: NotificationPerson, fields: readonly string[]): { content: Record<string, unknown>; text: string } {
  const when = londonDateTime(n.occurredAt);
  const location = fields.includes('location') ? placeText(n.location) : undefined;
  const circumstances = fields.includes('circumstances') ? n.circumstances : undefined;
  const content: Record<string, unknown> = {
    child: { name: child.name, ...(child.birthDate ? { birthDate: child.birthDate } : { estimatedAge: child.estimatedAge }) },
    force: n.force,
    reference: n.reference,
    date: when.date,
    time: when.time,
    ...(location ? { location } : {}),
    present: child.present ?? null,
    ...(child.presentWhere ? { presentWhere: child.presentWhere } : {}),
    ...(circumstances ? { circumstances } : {}),
  };
  const name = [...child.name.given, child.name.family].filter(Boolean).join(' ');
  const text = [
    `Operation Encompass: ${name}, ${child.birthDate ? `born ${child.birthDate}` : `aged about ${child.estimatedAge ?? '?'}`}.`,
    `Police reference ${n.reference}. Incident on ${when.date} at ${when.time}${location ? ` at ${location}` : ''}.`,
    child.present ? `The child was present${child.presentWhere ? ` (${child.presentWhere})` : ''}.` : 'The child was not present.',
    ...(circumstances ? [`Circumstances: ${circumstances}`] : []),
  ].join('\n');
  return { content, text };
}

const routingRequester = (agency: string, role: 'la-social-worker' | 'school-dsl'): Requester => ({ sub: 'gateway-routing', agency, role, purposeClaim: null, purpose: 'safeguarding-s47' });

function receiptOf(base: ReceiptBase, routes: readonly NotificationRoute[]): NotificationReceipt {
  const viewed = new Map(routes.map((r) => [r.communicationId, r.viewedAt]));
  return { ...base, routes: base.routes.map(({ communicationId, ...r }) => ({ ...r, viewedAt: viewed.get(communicationId) ?? null })) };
}

interface Submitted {
  /** A new notification (201), rather than a retry or a new version of one (200). */
  created: boolean;
  receipt: NotificationReceipt;
}

/**
 * Takes a police notification: checks it, matches its people to the person index, routes it
 * to each subject child's responsible LA (and, for Operation Encompass, a minimised notice to
 * the child's school), queues webhooks, raises alerts and audits, all in one transaction.
 * Idempotent on (force, reference): the same submission again returns the same receipt and
 * changes nothing; a changed one becomes the next version, the earlier kept.
 */
export async function submitNotification(ctx: GatewayContext, scope: AuditScope, requester: Requester, read: () => Promise<SubmissionInput>): Promise<Submitted> {
  ctx = forRequest(ctx, scope.requestId);
  const decision = authorise(requester, 'notification:submit');
  if (!decision.permit) return refuse(ctx, scope, decision);
  // Only a permitted caller's body is read: anyone else learns nothing, not even a parse error.
  const input = await read();
  const submission = checkSubmission(input.body, ctx.now(), input.annotate);
  const parseWarnings = input.warnings ?? [];
  if (requester.agency !== `police:${submission.force}`) {
    return refuse(ctx, scope, { permit: false, code: 'GW_ERR_FORBIDDEN_OWNER', reason: `force ${submission.force} is not the caller's force (${requester.agency}); a force submits only its own notifications` }, 'force');
  }
  const contentHash = createHash('sha256').update(canonicalJson(submission)).digest('hex');
  const force = agencyOf(ctx, requester.agency);
  return inAuditedTransaction(ctx, scope, async (tx) => {
    await lockNotificationKey(tx, submission.force, submission.reference);
    const existing = await notificationByReference(tx, submission.force, submission.reference);
    if (existing && existing.contentHash === contentHash) {
      await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 200, reason: `a retry of version ${existing.version}: identical, nothing changed`, records: [existing.id] });
      return { created: false, receipt: receiptOf(existing.receipt as ReceiptBase, await routesOf(tx, existing.id)) };
    }
    const result = await storeVersion(ctx, tx, requester, force, submission, existing, contentHash, input, parseWarnings);
    await auditInTransaction(tx, ctx, scope, {
      outcome: 'permit',
      status: existing ? 200 : 201,
      reason: existing ? `version ${result.receipt.version} replaces version ${existing.version}` : 'notification received',
      records: [result.receipt.id, ...result.communications],
      subjects: result.receipt.persons.map((p) => p.personId),
      decisions: result.decisions,
    });
    return { created: existing === null, receipt: result.receipt };
  });
}

async function storeVersion(
  ctx: GatewayContext,
  tx: Queryable,
  requester: Requester,
  force: Agency,
  submission: NotificationSubmission,
  existing: StoredNotification | null,
  contentHash: string,
  input: Pick<SubmissionInput, 'format' | 'mapping'>,
  parseWarnings: GatewayIssue[],
): Promise<{ receipt: NotificationReceipt; communications: string[]; decisions: ReturnType<typeof auditDecision>[] }> {
  const now = ctx.now().toISOString();
  const today = now.slice(0, 10);
  const id = existing?.id ?? deterministicId('PoliceNotification', submission.force, submission.reference);
  const version = (existing?.version ?? 0) + 1;
  const provenance: Provenance = { agency: requester.agency, format: input.format, messageId: submission.reference, receivedAt: now, ...(input.mapping ? { mapping: input.mapping } : {}) };
  const warnings: GatewayIssue[] = [...parseWarnings];

  // People first: each joins the person index (NHS number, force nominal id, or the model).
  const persons: PoliceNotification['persons'] = [];
  const receiptPersons: NotificationReceipt['persons'] = [];
  const problems: GatewayIssue[] = [];
  for (const [i, p] of submission.persons.entries()) {
    const resolved = await resolveIncomingPerson(tx, ctx.index, indexPerson(p, submission.force, submission.reference, provenance), requester.agency, `persons.${i}`, now);
    if ('issues' in resolved) {
      problems.push(...resolved.issues);
      continue;
    }
    persons.push({ ...p, personId: resolved.person.id });
    receiptPersons.push({ ref: p.ref, roles: [...p.roles], personId: resolved.person.id, match: { method: resolved.match.method, awaitingReview: resolved.match.reviews.length > 0 } });
  }
  if (problems.length > 0) throw errorFromIssues('GW_ERR_MATCH_CONFLICT', problems);

  const { securityLabel, ...content } = submission;
  const record: PoliceNotification = { ...content, id, owner: requester.agency, persons, version, provenance, securityLabel: securityLabel ?? 'N' };
  const children = subjectChildren({ persons });

  // Who is who to each child: the alleged perpetrator feeds identity protection.
  const relationships: { type: 'Relationship'; record: Relationship }[] = [];
  for (const child of children) {
    for (const other of persons) {
      if (other === child) continue;
      for (const role of other.roles) {
        const mapped = RELATIONSHIP_ROLE[role as keyof typeof RELATIONSHIP_ROLE];
        if (!mapped) continue;
        relationships.push({
          type: 'Relationship',
          record: { id: deterministicId('Relationship', requester.agency, submission.reference, child.ref, other.ref, mapped), subjectPersonId: child.personId, role: mapped, roleCode: role, relatedPersonId: other.personId, owner: requester.agency, provenance, securityLabel: record.securityLabel, lineage: [] },
        });
      }
    }
  }

  const routes: NotificationRoute[] = [];
  const baseRoutes: ReceiptBase['routes'] = [];
  const communications: { id: string; recipient: string; category: string; personId: string | null; resource: fhir4.Communication }[] = [];
  const decisions: ReturnType<typeof auditDecision>[] = [];
  const responsible = new Map<string, string>();

  const deliver = (recipient: Agency, kind: NotificationRoute['kind'], child: (typeof persons)[number] | null, basis: string, category: Parameters<typeof noticeCommunication>[0]['category'], text: string, content: unknown, timing?: { schoolDayStart: string; beforeSchoolDay: boolean }) => {
    const communicationId = deterministicId('Communication', id, String(version), recipient.id, kind, child?.ref ?? '');
    const urgent = (record.type === 'domestic-abuse' && record.riskGrade?.grade === 'high') || record.type === 'missing' || record.type === 'encompass' || kind === 'unroutable';
    const resource = noticeCommunication({
      id: communicationId,
      category,
      at: now,
      notification: record,
      recipient,
      sender: force,
      child: child ? { personId: child.personId, nhsNumber: child.nhsNumber } : null,
      priority: urgent ? 'urgent' : 'routine',
      text,
      content,
    });
    communications.push({ id: communicationId, recipient: recipient.id, category: category.code, personId: child?.personId ?? null, resource });
    routes.push({ notificationId: id, recipient: recipient.id, kind, personId: child?.personId ?? null, basis, communicationId, madeAvailableAt: now, schoolDayStart: timing?.schoolDayStart ?? null, beforeSchoolDay: timing?.beforeSchoolDay ?? null, viewedAt: null });
    baseRoutes.push({ recipient: recipient.id, kind, basis, personRef: child?.ref ?? null, madeAvailableAt: now, viewedAt: null, ...(timing ?? {}), communicationId });
  };

  const unroutable: { child: (typeof persons)[number]; reason: string }[] = [];
  for (const child of children) {
    const found: Responsible = await responsibleLa(tx, child.personId, child, record, today);
    if (found.la === null) {
      unroutable.push({ child, reason: found.reason });
      continue;
    }
    const la = ctx.agencies.get(found.la);
    if (!la) {
      unroutable.push({ child, reason: `the responsible LA ${found.la} (${found.basis}) is not connected to the gateway` });
      continue;
    }
    const subject = await getPersonById(tx, child.personId);
    const release = await decideRelease(ctx, tx, routingRequester(la.id, 'la-social-worker'), { type: 'PoliceNotification', record, subject });
    decisions.push(auditDecision(id, 'PoliceNotification', record.owner, child.personId, release));
    if (!release.permit) {
      unroutable.push({ child, reason: `no data-sharing agreement lets ${force.id} send police notifications to ${la.id} (${release.reason})` });
      continue;
    }
    responsible.set(child.personId, la.id);
    const shown = releasedToLa(record, child.personId, release.fields, release.redactions);
    deliver(la, 'local-authority', child, `${found.basis}: ${found.detail}`, POLICE_NOTIFICATION, laText(record, force, shown), shown);
  }

  if (record.type === 'encompass') {
    for (const child of children) {
      const school = child.school ? ctx.agencies.get(`school:${child.school}`) : undefined;
      const la = responsible.get(child.personId);
      if (!school) {
        warnings.push({ severity: 'warning', code: 'not-found', expression: [`persons.${submission.persons.findIndex((p) => p.ref === child.ref)}.school`], diagnostics: `school URN ${child.school ?? '(none)'} is not connected to the gateway: no Operation Encompass notice was sent to it${la ? `; ${la} has the notification and must tell the school` : ''}` });
        continue;
      }
      const subject = await getPersonById(tx, child.personId);
      const release = await decideRelease(ctx, tx, routingRequester(school.id, 'school-dsl'), { type: 'PoliceNotification', record, subject });
      decisions.push(auditDecision(id, 'PoliceNotification', record.owner, child.personId, release));
      if (!release.permit) {
        warnings.push({ severity: 'warning', code: 'forbidden', expression: [`persons.${submission.persons.findIndex((p) => p.ref === child.ref)}.school`], diagnostics: `no data-sharing agreement lets ${force.id} send Operation Encompass notices to ${school.id}: no notice was sent${la ? `; ${la} has the notification` : ''}` });
        continue;
      }
      const deadline = nextSchoolDayStart(new Date(record.occurredAt), ctx.schoolCalendar, la).toISOString();
      const notice = encompassNotice(record, child, release.fields);
      deliver(school, 'school', child, `operation-encompass: school URN ${school.code}`, ENCOMPASS_NOTICE, notice.text, notice.content, { schoolDayStart: deadline, beforeSchoolDay: now < deadline });
    }
  }

  // Never lost: what cannot be routed goes back to the force's own MASH, visibly.
  for (const { child, reason } of unroutable) {
    warnings.push({ severity: 'warning', code: 'incomplete', expression: [`persons.${submission.persons.findIndex((p) => p.ref === child.ref)}`], diagnostics: `not routed: ${reason}; the notification is in ${force.id}'s own inbox for its MASH to route` });
    deliver(force, 'unroutable', child, reason, UNROUTABLE_NOTIFICATION, `Not routed: ${submission.type} ${submission.reference} (child ref ${child.ref}). Reason: ${reason}.`, { reference: submission.reference, childRef: child.ref, reason });
  }

  const base: ReceiptBase = {
    id,
    force: submission.force,
    reference: submission.reference,
    type: submission.type,
    version,
    status: unroutable.length > 0 ? 'unroutable' : 'routed',
    receivedAt: existing?.receivedAt ?? now,
    updatedAt: now,
    persons: receiptPersons,
    routes: baseRoutes,
    warnings,
  };
  await saveNotification(tx, { id, force: submission.force, reference: submission.reference, version, contentHash, status: base.status, record, receipt: { ...base }, receivedAt: base.receivedAt, updatedAt: now }, ctx.index.records);
  await saveNotificationPeople(tx, id, record.occurredAt, persons.map((p) => ({ personId: p.personId, roles: [...p.roles] })));
  if (existing) {
    // A new version may no longer name someone: the relationships only the earlier one gave go.
    await tx.query(
      `DELETE FROM canonical_records WHERE type = 'Relationship' AND owner = $1 AND record->'provenance'->>'messageId' = $2 AND NOT (id = ANY($3::text[]))`,
      [requester.agency, submission.reference, relationships.map((r) => r.record.id)],
    );
  }
  if (relationships.length > 0) await upsertRecords(tx, relationships, ctx.index.records);
  await insertCommunications(tx, communications.map((c) => ({ ...c, createdAt: now })));
  await insertNotificationRoutes(tx, version, routes);
  await enqueueWebhooks(tx, ctx.agencies, communications.map((c) => ({ recipient: c.recipient, communicationId: c.id, event: { category: c.category } })), now);
  await raiseNotificationAlerts(ctx, tx, record, responsible);
  return { receipt: receiptOf(base, routes), communications: communications.map((c) => c.id), decisions };
}

/** Finds a force's own notification; another force's is not found. */
async function ownNotification(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<StoredNotification> {
  const decision = authorise(requester, 'notification:submit');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const stored = await notificationById(ctx.db, id);
  if (!stored || `police:${stored.force}` !== requester.agency) {
    await auditNow(ctx, scope, { outcome: 'deny', status: 404, reason: stored ? `notification of another force, not ${requester.agency}` : 'no such notification' });
    throw new GatewayError('GW_ERR_NOT_FOUND', `no notification ${id} submitted by ${requester.agency}`);
  }
  return stored;
}

/** A force's receipt for one of its notifications, with when each recipient first viewed it (never who). */
export async function readReceipt(ctx: GatewayContext, scope: AuditScope, requester: Requester, id: string): Promise<NotificationReceipt> {
  const stored = await ownNotification(ctx, scope, requester, id);
  const receipt = receiptOf(stored.receipt as ReceiptBase, await routesOf(ctx.db, id));
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: 'the submitting force reads its receipt', records: [id] });
  return receipt;
}

/** A force's receipts changed since a time. */
export async function listReceipts(ctx: GatewayContext, scope: AuditScope, requester: Requester, since: string | null, limit: number): Promise<NotificationReceipt[]> {
  const decision = authorise(requester, 'notification:submit');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const force = requester.agency.replace(/^police:/, '');
  const stored = await notificationsOfForce(ctx.db, force, since, limit);
  const receipts: NotificationReceipt[] = [];
  for (const s of stored) receipts.push(receiptOf(s.receipt as ReceiptBase, await routesOf(ctx.db, s.id)));
  await auditNow(ctx, scope, { outcome: 'permit', status: 200, reason: 'the submitting force lists its receipts', records: stored.map((s) => s.id) });
  return receipts;
}

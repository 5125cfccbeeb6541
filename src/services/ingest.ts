import type { GatewayIssue } from '../errors/gateway-error.js';
import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import type { ParsedMessage, WireFormat } from '../formats/types.js';
import type { RecordDraft } from '../mapping/engine.js';
import { fhirMappingTree } from '../mapping/fhir-tree.js';
import { mapMessage } from '../mapping/map-message.js';
import type { RecordType } from '../mapping/spec.js';
import { AttendanceSchema } from '../model/attendance.js';
import { CaseEventSchema } from '../model/case-event.js';
import { ConsentSchema } from '../model/consent.js';
import { deterministicId } from '../model/ids.js';
import type { Identifier, Person } from '../model/person.js';
import { PersonSchema } from '../model/person.js';
import { ProtectionPlanSchema } from '../model/protection-plan.js';
import { londonDateTime } from '../model/london-time.js';
import type { Provenance } from '../model/provenance.js';
import { RelationshipSchema } from '../model/relationship.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Action, Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { Queryable } from '../store/db.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import { upsertPlan } from '../store/plans-repo.js';
import { upsertRecords } from '../store/records-repo.js';
import type { StoredRecord, StoredRecordType } from '../store/records-repo.js';
import { validateTree } from '../validation/validate.js';
import { sweepAlerts } from '../alerts/sweep.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, buildEntry, refuse } from './audit-scope.js';
import type { CommitJob } from './ingest-commit.js';
import { committerFor } from './ingest-commit.js';
import type { GatewayContext } from './context.js';
import { forRequest } from './context.js';
import type { MatchOutcome, Resolved } from './person-index.js';
import { newIds, resolveIncomingPerson } from './person-index.js';
import type { IngestBatch } from './ingest-batch.js';

/** What happened to one canonical record of a message. */
export interface RecordOutcome {
  type: RecordType;
  id: string;
  /** created / updated / unchanged when stored; `valid` when only checked. */
  outcome: WriteOutcome | 'valid';
  /** Where the record came from in the message. */
  source: string;
  /** People only: how the person was matched to the person index. */
  match?: MatchOutcome;
}

/** The answer for one message: its records, its warnings, and (partial mode) what was left out. */
export interface MessageOutcome {
  format: WireFormat;
  messageId?: string | undefined;
  mappings: string[];
  stored: boolean;
  records: RecordOutcome[];
  warnings: GatewayIssue[];
  /** Partial mode only: parts of the message left out because they broke a rule. */
  rejected: { source: string; issues: GatewayIssue[] }[];
}

export interface IngestOptions {
  /** Store the records (ingest) or only check them (validate). */
  store: boolean;
  /**
   * Leave out the children (CIN census) that break a rule and store the rest, reporting
   * each one left out. Off by default: a message with any error changes nothing.
   */
  partial?: boolean | undefined;
}

/** Which permission a format needs: LA returns from LAs, hospital feeds from health, FHIR from either. */
export function ingestAction(format: WireFormat): Action {
  if (format === 'hl7v2') return 'ingest:health-feed';
  if (format === 'fhir-r4-json' || format === 'fhir-r4-xml') return 'ingest:fhir';
  return 'ingest:la-return';
}

/** The part of a message an issue belongs to, for partial mode (a CIN child). */
function recordRoot(path: string | undefined): string | undefined {
  const m = path === undefined ? null : /^(Message\.Children\.Child\[\d+\])/.exec(path);
  return m?.[1];
}

function errorsIn(issues: GatewayIssue[]): GatewayIssue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** Parse-level checks, mapping and rule validation of one message, without the database. */
export function checkMessage(ctx: GatewayContext, parsed: ParsedMessage, requester: Requester, partial: boolean): { drafts: RecordDraft[]; warnings: GatewayIssue[]; errors: GatewayIssue[]; rejected: MessageOutcome['rejected']; mappings: string[] } {
  const agencyCode = requester.agency.split(':')[1] ?? '';
  const ruleIssues = validateTree(parsed.format, parsed.tree);
  const isFhir = parsed.format === 'fhir-r4-json' || parsed.format === 'fhir-r4-xml';
  const tree = isFhir ? fhirMappingTree(parsed.tree as fhir4.Resource) : parsed.tree;
  const mapped = mapMessage(ctx.mappings, parsed.format, tree, { agency: requester.agency, agencyCode });
  const all = [...parsed.warnings, ...ruleIssues, ...mapped.issues];
  const errors = errorsIn(all);
  const warnings = all.filter((i) => !errors.includes(i));
  if (!partial || errors.length === 0) return { drafts: mapped.drafts, warnings, errors, rejected: [], mappings: mapped.mappings };

  // Partial: errors that belong to one child leave that child out; any other error stops the message.
  const byRoot = new Map<string, GatewayIssue[]>();
  const unplaced: GatewayIssue[] = [];
  for (const e of errors) {
    const root = recordRoot(e.expression?.[0]);
    if (root) byRoot.set(root, [...(byRoot.get(root) ?? []), e]);
    else unplaced.push(e);
  }
  // An error outside any child (the header) stops the whole message: report everything.
  if (unplaced.length > 0) return { drafts: mapped.drafts, warnings, errors, rejected: [], mappings: mapped.mappings };
  const drafts = mapped.drafts.filter((d) => !byRoot.has(recordRoot(d.sourcePath) ?? ''));
  return {
    drafts,
    warnings: warnings.filter((w) => !byRoot.has(recordRoot(w.expression?.[0]) ?? '')),
    errors: [],
    rejected: [...byRoot.entries()].map(([source, issues]) => ({ source, issues })),
    mappings: mapped.mappings,
  };
}

const SCHEMAS = {
  Attendance: AttendanceSchema,
  CaseEvent: CaseEventSchema,
  Relationship: RelationshipSchema,
  Consent: ConsentSchema,
} as const;

/** Schema errors of a draft, each placed at the source path its field came from. */
export function schemaIssues(draft: RecordDraft, error: { issues: { path: PropertyKey[]; message: string }[] }): GatewayIssue[] {
  return error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    const lineage = draft.lineage.find((l) => field.startsWith(l.field.replace(/\[[^\]]*\]/g, '')) || l.field.startsWith(field));
    return {
      severity: 'error' as const,
      code: 'invalid',
      expression: [lineage?.source ?? draft.sourcePath],
      diagnostics: `${draft.type}.${field}: ${i.message} (mapping ${draft.mapping}${lineage ? `, rule ${lineage.rule}` : ''})`,
    };
  });
}

/**
 * Checks a person draft against the schema and resolves it through the person index
 * (identifiers, then the match model): see services/person-index.ts.
 */
async function resolvePerson(ctx: GatewayContext, tx: Queryable, draft: RecordDraft, owner: string, provenance: Provenance, batch?: BatchPart): Promise<Resolved | { issues: GatewayIssue[] }> {
  const parsed = batch?.people.get(draft) ?? parsePerson(draft, owner, provenance);
  if (!parsed.success) return { issues: schemaIssues(draft, parsed.error) };
  const born = parsed.data.birthDate;
  // A birth date after the day the message arrived (London time) is a typing error (9999-12-31);
  // an unborn child has an expected date of birth instead.
  const today = londonDateTime(provenance.receivedAt).date;
  if (born !== undefined && born > today) {
    const lineage = draft.lineage.find((l) => l.field === 'birthDate');
    return {
      issues: [{ severity: 'error', code: 'business-rule', expression: [lineage?.source ?? draft.sourcePath], diagnostics: `Person.birthDate: ${born} is after the day the message was received (${today}); expected a date of birth in the past (mapping ${draft.mapping}${lineage ? `, rule ${lineage.rule}` : ''})` }],
    };
  }
  return resolveIncomingPerson(tx, ctx.index, parsed.data, owner, draft.sourcePath, provenance.receivedAt, batch?.batch);
}

function parsePerson(draft: RecordDraft, owner: string, provenance: Provenance) {
  const identifiers = (draft.fields.identifiers ?? []) as Identifier[];
  return PersonSchema.safeParse({ ...draft.fields, identifiers, id: 'pending', owner, provenance, lineage: draft.lineage });
}

/** A message's part in a group commit: the batch, and its people schema-checked once, beforehand. */
export interface BatchPart {
  batch: IngestBatch | undefined;
  people: Map<RecordDraft, ReturnType<typeof parsePerson>>;
}

/** Finds the record a reference points at: the enclosing record, or the one with a matching local id. */
function refTarget(drafts: RecordDraft[], draft: RecordDraft, ref: RecordDraft['refs'][number]): RecordDraft | undefined {
  if (ref.enclosing) return ref.enclosing;
  // `ref: patient|subject` looks in several blocks, in the order named.
  for (const block of ref.block.split('|')) {
    const found = drafts.find((d) => d !== draft && d.block === block && ref.by?.some((b) => d.localIds.includes(b)));
    if (found) return found;
  }
  return undefined;
}

/**
 * Commits the drafts of one message in the caller's transaction: people first (through
 * the person index), then the records that refer to them. Collects every problem;
 * the caller rolls back if there is any.
 */
export async function commitDrafts(ctx: GatewayContext, tx: Queryable, drafts: RecordDraft[], owner: string, provenance: Provenance, store: boolean, batch?: BatchPart): Promise<{ outcomes: RecordOutcome[]; issues: GatewayIssue[]; warnings: GatewayIssue[]; people: string[] }> {
  const outcomes: RecordOutcome[] = [];
  const issues: GatewayIssue[] = [];
  const warnings: GatewayIssue[] = [];
  const pending: { type: StoredRecordType; record: StoredRecord; sourceId?: string | undefined; householdId?: string | undefined }[] = [];
  const personIds = new Map<RecordDraft, string>();
  const sourceIds = new Map<RecordDraft, string>();
  const households = new Map<string, string>();
  const people = new Map<string, Person>();
  const seen = new Set<string>();
  for (const d of drafts.filter((x) => x.type === 'Person')) {
    const r = await resolvePerson(ctx, tx, d, owner, provenance, batch);
    if ('issues' in r) {
      issues.push(...r.issues);
      continue;
    }
    personIds.set(d, r.person.id);
    sourceIds.set(d, r.sourceId);
    if (r.householdId) households.set(r.person.id, r.householdId);
    people.set(r.person.id, r.person);
    if (!seen.has(r.person.id)) outcomes.push({ type: 'Person', id: r.person.id, outcome: store ? r.outcome : 'valid', source: d.sourcePath, match: r.match });
    seen.add(r.person.id);
  }
  for (const d of drafts.filter((x) => x.type !== 'Person')) {
    const fields: Record<string, unknown> = { ...d.fields };
    let unresolved = false;
    // The source record of the record's subject, so that an unlink moves the record with it.
    let sourceId: string | undefined;
    for (const ref of d.refs) {
      const target = refTarget(drafts, d, ref);
      const id = target ? personIds.get(target) : undefined;
      if (!id) {
        unresolved = true;
        // A record whose subject is neither in the message nor named by NHS number cannot be
        // linked to anyone: it is left out and said so, never stored against a guess.
        if (!target) warnings.push({ severity: 'warning', code: 'not-found', expression: [ref.sourcePath || d.sourcePath], diagnostics: `${d.type} not stored: the subject it refers to (${ref.block.split('|').join(' or ')}) is not in the message and carries no NHS number, so it cannot be linked to a person (mapping ${d.mapping}, rule ${ref.ruleId})` });
        continue;
      }
      fields[ref.target] = id;
      if (ref.target === 'subjectPersonId') sourceId = sourceIds.get(target!);
    }
    if (unresolved) continue;
    const id = deterministicId(d.type, owner, ...d.keyValues);
    const common = { ...fields, id, owner, provenance, lineage: d.lineage };
    if (d.type === 'ProtectionPlan') {
      const parsed = ProtectionPlanSchema.safeParse({ status: 'recorded', sourceIdentifiers: [], ...common });
      if (!parsed.success) {
        issues.push(...schemaIssues(d, parsed.error));
        continue;
      }
      const nhs = people.get(parsed.data.subjectPersonId)?.identifiers.find((i) => i.system === NHS_NUMBER_SYSTEM);
      if ((provenance.format === 'fhir-r4-json' || provenance.format === 'fhir-r4-xml') && nhs?.verificationStatus !== '01') {
        issues.push({
          severity: 'error',
          code: 'business-rule',
          expression: [d.sourcePath],
          diagnostics: `a CP-IS plan needs its subject's NHS number verified (status 01), as CP-IS requires (CPR03); received ${nhs ? `status ${nhs.verificationStatus ?? 'none'}` : 'no NHS number'}`,
        });
        continue;
      }
      if (!owner.startsWith('la:')) {
        issues.push({ severity: 'error', code: 'business-rule', expression: [d.sourcePath], diagnostics: `only a local authority records protection plans; ${owner} cannot` });
        continue;
      }
      if (store) await batch?.batch?.flush(tx);
      outcomes.push({ type: d.type, id, outcome: store ? await upsertPlan(tx, parsed.data, sourceId) : 'valid', source: d.sourcePath });
      continue;
    }
    const type = d.type as StoredRecordType;
    const parsed = SCHEMAS[type].safeParse(common);
    if (!parsed.success) {
      issues.push(...schemaIssues(d, parsed.error));
      continue;
    }
    // A relationship attaches to its subject's household.
    pending.push({ type, record: parsed.data, sourceId, householdId: type === 'Relationship' ? households.get(parsed.data.subjectPersonId) : undefined });
    outcomes.push({ type: d.type, id, outcome: 'valid', source: d.sourcePath });
  }
  // Attendances, case events, relationships and consents: one statement for all of them.
  if (store && issues.length === 0 && batch?.batch) {
    // In a group commit: written with the batch's other records, outcomes filled in then.
    await batch.batch.addRecords(tx, pending, outcomes);
  } else if (store && issues.length === 0) {
    const written = await upsertRecords(tx, pending, ctx.index.records);
    for (const o of outcomes) if (o.outcome === 'valid') o.outcome = written.get(o.id) ?? 'unchanged';
  }
  return { outcomes, issues, warnings, people: [...seen] };
}

/** The identifiers the message's people are resolved by, as resolveIncomingPerson locks them. */
function personLockKeys(drafts: readonly RecordDraft[]): string[] {
  return drafts.filter((d) => d.type === 'Person').flatMap((d) => ((d.fields.identifiers ?? []) as Identifier[]).map((i) => `${i.system}|${i.value}`));
}

class Rollback extends Error {
  constructor(readonly result: Awaited<ReturnType<typeof commitDrafts>>) {
    super('rollback');
  }
}

/**
 * Ingests (or, with store off, checks) one parsed message: validate → map → resolve →
 * commit, as one transaction with its audit entry. Any error leaves the database as it
 * was and answers 422 with every issue; warnings travel with the success answer.
 */
export async function ingestMessage(ctx: GatewayContext, scope: AuditScope, requester: Requester, parsed: ParsedMessage, options: IngestOptions): Promise<MessageOutcome> {
  ctx = forRequest(ctx, scope.requestId);
  if (options.store) {
    const decision = authorise(requester, ingestAction(parsed.format));
    if (!decision.permit) return refuse(ctx, scope, decision);
  }
  if (options.store && parsed.format === 'cin-census-xml') {
    // A census names its local authority (Source LEA); only that LA may store it.
    const lea = (parsed.tree as { Message?: { Header?: { Source?: { LEA?: string }[] } } }).Message?.Header?.Source?.[0]?.LEA;
    if (lea !== undefined && `la:${lea}` !== requester.agency) {
      return refuse(ctx, scope, { permit: false, code: 'GW_ERR_FORBIDDEN_OWNER', reason: `this census is Local Authority ${lea}'s return (Header.Source.LEA); ${requester.agency} cannot store it` }, 'Message.Header.Source.LEA');
    }
  }
  const checked = checkMessage(ctx, parsed, requester, options.partial ?? false);
  if (checked.errors.length > 0) throw errorFromIssues('GW_ERR_VALIDATION_FAILED', [...checked.errors, ...checked.warnings]);

  const provenance: Provenance = {
    agency: requester.agency,
    format: parsed.format,
    receivedAt: ctx.now().toISOString(),
    ...(parsed.messageId ? { messageId: parsed.messageId } : scope.requestId ? { messageId: scope.requestId } : {}),
    ...(checked.mappings.length > 0 ? { mapping: checked.mappings.join(', ') } : {}),
  };
  const base = { format: parsed.format, messageId: parsed.messageId, mappings: checked.mappings, warnings: checked.warnings, rejected: checked.rejected };

  if (!options.store) {
    // Check against the person index too (conflicting identifiers), then roll back.
    let result: Awaited<ReturnType<typeof commitDrafts>>;
    try {
      await ctx.db.transaction(async (tx) => {
        throw new Rollback(await commitDrafts(ctx, tx, checked.drafts, requester.agency, provenance, false));
      });
      throw new Error('unreachable');
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      result = err.result;
    }
    if (result.issues.length > 0) throw errorFromIssues('GW_ERR_VALIDATION_FAILED', [...result.issues, ...checked.warnings, ...result.warnings]);
    await auditNow(ctx, scope, { action: 'validate', outcome: 'permit', status: 200, reason: `validated ${parsed.format}; nothing stored`, subjects: [], records: [] });
    return { ...base, warnings: [...base.warnings, ...result.warnings], stored: false, records: result.outcomes };
  }

  let personIds: string[] = [];
  // Written in a transaction shared with the messages arriving alongside (services/ingest-commit.ts);
  // answered only once it, with this message's audit entry, has committed.
  const people = new Map(checked.drafts.filter((d) => d.type === 'Person').map((d) => [d, parsePerson(d, requester.agency, provenance)] as const));
  const job: CommitJob<MessageOutcome> = {
    lockKeys: personLockKeys(checked.drafts),
    index: ctx.index,
    people: [...people.values()].flatMap((p) => (p.success ? [{ person: p.data, ...newIds(p.data, requester.agency) }] : [])),
    write: async (tx, batch) => {
      const result = await commitDrafts(ctx, tx, checked.drafts, requester.agency, provenance, true, { batch, people });
      personIds = result.people;
      if (result.issues.length > 0) throw errorFromIssues('GW_ERR_VALIDATION_FAILED', [...result.issues, ...checked.warnings, ...result.warnings]);
      if (result.outcomes.length === 0 && checked.rejected.length === 0) {
        throw new GatewayError('GW_ERR_VALIDATION_FAILED', 'the message holds no record the gateway can store', { expression: '(message)' });
      }
      // Built once the batch has written everything, when the records' outcomes are known.
      const audit = () =>
        buildEntry(scope, ctx.now(), {
          action: result.outcomes.some((o) => o.outcome === 'created') ? 'create' : 'update',
          outcome: 'permit',
          status: 200,
          reason: `ingested ${parsed.format} (${result.outcomes.length} records)`,
          subjects: result.people,
          records: result.outcomes.filter((o) => o.type !== 'Person').map((o) => o.id),
        });
      return { value: { ...base, warnings: [...base.warnings, ...result.warnings], stored: true, records: result.outcomes }, audit };
    },
  };
  let stored: MessageOutcome;
  try {
    stored = await committerFor(ctx.db).submit(job);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE', 'the change and its audit entry could not be committed; nothing was changed', { cause: err });
  }
  scope.audited = true;
  await sweepAfterIngest(ctx, stored, personIds);
  return stored;
}

/**
 * After a looked-after return commits, evaluates the time-driven alert rules for its
 * children at once rather than at the next sweep. A failure here is logged and left to the
 * next sweep: the message itself is stored and its answer stands.
 */
async function sweepAfterIngest(ctx: GatewayContext, outcome: MessageOutcome, people: readonly string[]): Promise<void> {
  if (outcome.format !== 'ssda903-csv' && outcome.format !== 'ssda903-xml') return;
  if (!outcome.records.some((r) => r.type === 'CaseEvent' && r.outcome !== 'unchanged') || people.length === 0) return;
  try {
    await sweepAlerts(ctx, ctx.now(), { personIds: people });
  } catch (err) {
    const e = err as { name?: string; code?: string } | null;
    ctx.log.warn({ event: 'alert-sweep', errName: e?.name, errCode: e?.code }, 'alert sweep after ingest failed; the next sweep will retry');
  }
}

import { randomUUID } from 'node:crypto';
import { accessNotification, ACCESS_NOTIFICATION } from '../fhir/communication.js';
import type { AccessRecord } from '../model/access-record.js';
import type { Person } from '../model/person.js';
import type { AuditDecision } from '../model/audit-entry.js';
import type { ShownPlan } from '../fhir/plans.js';
import type { PolicyDecision } from '../policy/decide.js';
import { redact } from '../policy/decide.js';
import { auditDecision, decideRelease } from './sharing.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import { ACCESS_HISTORY_LIMIT, recordAccess } from '../store/access-repo.js';
import type { StoredCommunication } from '../store/communications-repo.js';
import { communicationCreated, webhookNotices } from '../store/outbox-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditNow, inGroupCommit, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';
import { agencyOf } from './context.js';

export interface CpisQuery {
  nhsNumber: string;
  /** IsUnscheduledAccessEvent: true notifies the owning LA and enters the access history. */
  unscheduled: boolean;
}

export interface CpisAnswer {
  nhsNumber: string;
  person: Person | null;
  /** The plans released to the requester, with only the fields the sharing decision released. */
  plans: ShownPlan[];
  accesses: AccessRecord[];
  today: string;
}

/** What a CP-IS answer cannot do without: a share that releases less is treated as withholding the plan. */
const CPIS_FIELDS = ['kind', 'period', 'status'];

function cpisRelease(d: PolicyDecision): PolicyDecision {
  if (!d.permit) return d;
  const missing = CPIS_FIELDS.filter((f) => !d.fields.includes(f));
  if (missing.length === 0) return d;
  return { ...d, permit: false, reason: `${d.reason}, but without ${missing.join(', ')}, which a CP-IS answer needs; withheld`, fields: [] };
}

/** CP-IS keeps a child on the register for 12 months after a plan ends. (Worked out once a day.) */
let lastDay = { today: '', before: '' };
function twelveMonthsBefore(today: string): string {
  if (lastDay.today === today) return lastDay.before;
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  lastDay = { today, before: d.toISOString().slice(0, 10) };
  return lastDay.before;
}

/**
 * The CP-IS question: is this person (by NHS number) on a protection plan or looked
 * after? Answers the plans, the access history, and — for an unscheduled access — records
 * the access and notifies each owning local authority, all committed with the audit entry
 * before anything is returned. Every plan passes the sharing rules: a health setting sees
 * plan type, dates and the LA's contacts (the CP-IS agreement), never the category of abuse;
 * a local authority sees its own plans, and others' only where an agreement says so.
 */
export async function queryProtectionPlans(ctx: GatewayContext, scope: AuditScope, requester: Requester, query: CpisQuery): Promise<CpisAnswer> {
  const decision = authorise(requester, query.unscheduled ? 'cpis:query-unscheduled' : 'cpis:query');
  if (!decision.permit) return refuse(ctx, scope, decision);

  const now = ctx.now();
  const today = now.toISOString().slice(0, 10);
  const found = await ctx.cpisIndex.lookup(NHS_NUMBER_SYSTEM, query.nhsNumber);
  // The index's objects are shared and frozen; the request works on its own copy of the
  // person (per-request caches of the sharing engine are keyed by it).
  const person = found ? { ...found.person } : null;
  const endedSince = twelveMonthsBefore(today);
  const onRegister = (found?.plans ?? []).filter((p) => p.period.end === undefined || p.period.end >= endedSince);
  // Each plan goes through the sharing rules: released with the fields an agreement names,
  // or withheld with the reason; both are recorded in the audit entry.
  const plans: ShownPlan[] = [];
  const decisions: AuditDecision[] = [];
  for (const plan of onRegister) {
    const release = cpisRelease(await decideRelease(ctx, ctx.db, requester, { type: 'ProtectionPlan', record: plan, subject: person }));
    decisions.push(auditDecision(plan.id, 'ProtectionPlan', plan.owner, plan.subjectPersonId, release));
    if (release.permit) plans.push(redact(plan, release) as ShownPlan);
  }

  const subjects = person ? [person.id] : [];
  const records = plans.map((p) => p.id);
  const auditOutcome = { outcome: 'permit' as const, status: 200, reason: decision.reason, subjects, records, decisions };

  // No plan, or a silent read: nothing to record but the audit entry. (Without a plan to
  // show, no access history is shown either.)
  if (!person || plans.length === 0 || !query.unscheduled) {
    await auditNow(ctx, scope, auditOutcome);
    return { nhsNumber: query.nhsNumber, person, plans, accesses: plans.length > 0 ? (found?.accesses ?? []) : [], today };
  }

  // The owning LAs' notifications, and the webhook notices that announce them: written with
  // the access, in one statement, and committed with it and the audit entry.
  const at = now.toISOString();
  const accessor = { sub: requester.sub, agency: requester.agency, role: requester.role };
  const accessorAgency = agencyOf(ctx, requester.agency);
  const communications: StoredCommunication[] = [...new Set(plans.map((p) => p.owner))].map((owner) => {
    const id = randomUUID();
    return {
      id,
      recipient: owner,
      category: ACCESS_NOTIFICATION.code,
      createdAt: at,
      personId: person.id,
      resource: accessNotification({ id, at, nhsNumber: query.nhsNumber, planIds: plans.filter((p) => p.owner === owner).map((p) => p.id), owner: agencyOf(ctx, owner), accessor, accessorAgency, purpose: requester.purposeClaim ?? '' }),
    };
  });
  const notices = webhookNotices(ctx.agencies, communications.map(communicationCreated), at);
  // Group commit: A&E departments ask in bursts, and each answer waits for its commit.
  const current = await inGroupCommit(ctx, scope, auditOutcome, (tx) =>
    recordAccess(tx, { id: randomUUID(), personId: person.id, accessor, purpose: requester.purposeClaim ?? '', unscheduled: true, at }, { communications, notices, at }),
  );
  // The history the lookup read, with this access in front when it is listed (not a repeat within 24 h).
  const accesses = (current.listed ? [current, ...(found?.accesses ?? [])] : (found?.accesses ?? [])).slice(0, ACCESS_HISTORY_LIMIT);
  return { nhsNumber: query.nhsNumber, person, plans, accesses, today };
}

import type { PoliceNotification } from '../model/police-notification.js';
import { subjectChildren } from '../model/police-notification.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import type { GatewayContext } from '../services/context.js';
import { insertAlert } from '../store/alerts-repo.js';
import type { Queryable } from '../store/db.js';
import { householdOf } from '../store/households-repo.js';
import type { Firing } from './evaluate.js';
import { evaluateRules } from './evaluate.js';
import type { PlanFact, PoliceProtectionFact, SubjectFacts } from './facts.js';
import type { AlertRule } from './rule-schema.js';

export interface RaisedAlert {
  id: string;
  rule: string;
  recipient: string;
  personId: string | null;
  severity: 'high' | 'medium' | 'low';
  title: string;
}

/** The dedupe key of a firing: the same rule, child and trigger raise one alert, however often evaluated. */
export function dedupeKey(f: Pick<Firing, 'rule' | 'personId' | 'anchor'>): string {
  return `${f.rule.id}|${f.personId}|${f.anchor}`;
}

/**
 * Stores what the rules raised, skipping any already raised (same dedupe key). Logs ids and
 * codes only. Returns the alerts that are new.
 */
export async function storeFirings(ctx: GatewayContext, q: Queryable, firings: readonly { firing: Firing; recipient: string }[]): Promise<RaisedAlert[]> {
  const raised: RaisedAlert[] = [];
  for (const { firing, recipient } of firings) {
    const stored = await insertAlert(q, {
      rule: firing.rule.id,
      ruleVersion: firing.rule.version,
      title: firing.rule.title,
      severity: firing.rule.severity,
      recipient,
      personId: firing.personId,
      householdId: firing.householdId,
      reasons: firing.reasons,
      dedupeKey: dedupeKey(firing),
      raisedAt: ctx.now().toISOString(),
    });
    if (!stored) continue;
    ctx.log.info({ event: 'alert-raised', alertId: stored.id, rule: stored.rule, ruleVersion: stored.ruleVersion, recipient }, 'alert raised');
    raised.push({ id: stored.id, rule: stored.rule, recipient, personId: stored.personId, severity: stored.severity, title: stored.title });
  }
  return raised;
}

/** The plans held against these people, as the rules see them. */
export async function planFacts(q: Queryable, personIds: readonly string[], subject: string): Promise<PlanFact[]> {
  if (personIds.length === 0) return [];
  const rows = await q.query<{ record: ProtectionPlan }>('SELECT record FROM protection_plans WHERE person_id = ANY($1::text[]) ORDER BY start_date DESC, id LIMIT 1000', [personIds]);
  return rows.map(({ record: p }) => ({ id: p.id, kind: p.kind, start: p.period.start, end: p.period.end, status: p.status, holder: p.subjectPersonId === subject ? 'subject-child' : 'household' }));
}

/** The longest look-back any notificationsWithin condition needs, in days (0 when none does). */
function lookBackDays(rules: readonly AlertRule[]): number {
  return Math.max(0, ...rules.flatMap((r) => r.when.map((c) => c.notificationsWithin?.days ?? 0)));
}

/** A notification's police protection actions, as periods (an action without `at` is taken to start when the incident occurred). */
export function notificationProtection(n: Pick<PoliceNotification, 'id' | 'occurredAt' | 'actionsTaken'>): PoliceProtectionFact[] {
  const s46 = n.actionsTaken.find((a) => a.code === 'police-protection-s46');
  return s46 ? [{ source: `PoliceNotification/${n.id}`, precision: 'instant', start: s46.at ?? n.occurredAt, end: s46.endedAt }] : [];
}

/**
 * Evaluates the alert rules that a newly stored notification can trigger, in the
 * notification's transaction, and stores what they raise. `responsible` maps each subject
 * child's person id to its responsible LA: the alert goes there, and a child with no
 * responsible LA raises nothing. Re-evaluating the same notification raises nothing new.
 */
export async function raiseNotificationAlerts(ctx: GatewayContext, tx: Queryable, notification: PoliceNotification, responsible: ReadonlyMap<string, string>): Promise<RaisedAlert[]> {
  const rules = ctx.alertRules.filter((r) => r.on.includes('notification'));
  if (rules.length === 0) return [];
  const days = lookBackDays(rules);
  const firings: { firing: Firing; recipient: string }[] = [];
  const seen = new Set<string>();
  for (const child of subjectChildren(notification)) {
    if (seen.has(child.personId)) continue;
    seen.add(child.personId);
    const recipient = responsible.get(child.personId);
    if (recipient === undefined) continue;
    if (!ctx.agencies.has(recipient)) {
      ctx.log.warn({ event: 'alert-unaddressable', notificationId: notification.id, recipient }, 'responsible agency is not configured; no alert raised for this child');
      continue;
    }
    const household = await householdOf(tx, child.personId);
    const members = household ? [child.personId, ...household.members.filter((m) => m !== child.personId)] : [child.personId];
    const about =
      days === 0
        ? []
        : await tx.query<{ id: string; occurred_at: Date | string }>(
            `SELECT notification_id AS id, occurred_at FROM notification_people
             WHERE person_id = $1 AND occurred_at <= $2::timestamptz AND occurred_at >= $2::timestamptz - make_interval(days => $3::int)`,
            [child.personId, notification.occurredAt, days],
          );
    const facts: SubjectFacts = {
      personId: child.personId,
      now: ctx.now(),
      notification: { id: notification.id, type: notification.type, riskGrade: notification.riskGrade?.grade, occurredAt: notification.occurredAt },
      householdId: household?.id ?? null,
      plans: await planFacts(tx, members, child.personId),
      notificationsAboutChild: about.map((r) => ({ id: r.id, occurredAt: new Date(r.occurred_at).toISOString() })),
      policeProtection: notificationProtection(notification),
    };
    for (const firing of evaluateRules(rules, 'notification', facts)) firings.push({ firing, recipient });
  }
  return storeFirings(ctx, tx, firings);
}

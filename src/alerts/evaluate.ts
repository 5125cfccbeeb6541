import type { AlertReason } from '../model/alert.js';
import type { AlertCondition, AlertRule, RuleTrigger } from './rule-schema.js';
import type { PlanFact, PoliceProtectionFact, SubjectFacts } from './facts.js';

/** What one rule raises for one child: the facts that made it fire and what it is about. */
export interface Firing {
  rule: AlertRule;
  personId: string;
  householdId: string | null;
  /** What the alert is about (the triggering notification, or the police protection period): with rule and person, its dedupe key. */
  anchor: string;
  reasons: AlertReason[];
  /** The agency a police-protection fact names (the episode's LA), if any. */
  owner?: string | undefined;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** Whole days between two YYYY-MM-DD dates. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** How long a police protection period lasted (or has lasted), in hours, with the words that say so. */
export function policeProtectionHours(p: PoliceProtectionFact, now: Date): { hours: number; text: string } {
  if (p.precision === 'day') {
    const to = p.end ?? utcDay(now);
    const days = daysBetween(p.start.slice(0, 10), to);
    const span = p.end ? `from ${p.start} to ${p.end}` : `from ${p.start}, still open on ${to}`;
    return { hours: days * 24, text: `legal status L1 ${span}: ${days} whole days, counted as ${days * 24} hours` };
  }
  const end = p.end ?? now.toISOString();
  const hours = (Date.parse(end) - Date.parse(p.start)) / HOUR;
  const span = p.end ? `from ${p.start} to ${p.end}` : `from ${p.start}, not ended at ${end}`;
  return { hours, text: `police-protection-s46 ${span}: ${Math.floor(hours)} hours` };
}

function isActive(plan: PlanFact, today: string): boolean {
  return plan.status !== 'entered-in-error' && plan.start <= today && (plan.end === undefined || plan.end > today);
}

/** The reasons one (non police-protection) condition holds, or null when it does not. */
function holds(c: AlertCondition, f: SubjectFacts): AlertReason[] | null {
  const n = f.notification;
  const source = n ? `PoliceNotification/${n.id}` : '';
  if (c.notificationType) {
    return n && (c.notificationType as readonly string[]).includes(n.type) ? [{ fact: 'notificationType', value: n.type, source }] : null;
  }
  if (c.riskGrade) {
    return n?.riskGrade !== undefined && (c.riskGrade as readonly string[]).includes(n.riskGrade) ? [{ fact: 'riskGrade', value: n.riskGrade, source }] : null;
  }
  if (c.activeProtectionPlan) {
    const { whose, kinds } = c.activeProtectionPlan;
    const today = utcDay(f.now);
    const plans = f.plans.filter((p) => (kinds as readonly string[]).includes(p.kind) && isActive(p, today) && (whose === 'household' || p.holder === 'subject-child'));
    if (plans.length === 0) return null;
    const reasons: AlertReason[] = plans.map((p) => ({
      fact: p.holder === 'subject-child' ? 'activeProtectionPlan' : 'householdChildActiveProtectionPlan',
      value: `${p.kind} since ${p.start}`,
      source: `ProtectionPlan/${p.id}`,
    }));
    if (plans.some((p) => p.holder === 'household') && f.householdId) reasons.push({ fact: 'sameHousehold', value: 'the plan is held for another child in the subject child\'s household', source: `Household/${f.householdId}` });
    return reasons;
  }
  if (c.notificationsWithin) {
    if (!n) return null;
    const { days, atLeast } = c.notificationsWithin;
    const until = Date.parse(n.occurredAt);
    const from = until - days * DAY;
    const within = f.notificationsAboutChild.filter((x) => x.id === n.id || (Date.parse(x.occurredAt) >= from && Date.parse(x.occurredAt) <= until));
    const ids = new Set(within.map((x) => x.id));
    ids.add(n.id);
    if (ids.size < atLeast) return null;
    const others = within.filter((x) => x.id !== n.id).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    return [
      { fact: 'policeNotificationsWithinDays', value: `${ids.size} in the ${days} days up to ${n.occurredAt.slice(0, 10)}`, source },
      ...others.map((x) => ({ fact: 'earlierPoliceNotification', value: `occurred ${x.occurredAt.slice(0, 10)}`, source: `PoliceNotification/${x.id}` })),
    ];
  }
  return null;
}

/**
 * Evaluates one rule for one child, for the given trigger. All conditions must hold. A
 * rule with policeProtectionOver fires once per police protection period that lasted too
 * long (each its own alert); any other rule fires once, about the notification. Pure: the
 * facts and the clock are given.
 */
export function evaluateRule(rule: AlertRule, trigger: RuleTrigger, f: SubjectFacts): Firing[] {
  if (!rule.on.includes(trigger)) return [];
  const base: AlertReason[] = [];
  let protection: { hours: number } | null = null;
  for (const c of rule.when) {
    if (c.policeProtectionOver) {
      protection = c.policeProtectionOver;
      continue;
    }
    const reasons = holds(c, f);
    if (reasons === null) return [];
    base.push(...reasons);
  }
  const householdId = f.householdId ?? null;
  if (protection === null) {
    if (!f.notification) return [];
    return [{ rule, personId: f.personId, householdId, anchor: `PoliceNotification/${f.notification.id}`, reasons: base }];
  }
  const limit = protection.hours;
  return f.policeProtection.flatMap((p) => {
    const { hours, text } = policeProtectionHours(p, f.now);
    if (!(hours > limit)) return [];
    const reasons: AlertReason[] = [...base, { fact: `policeProtectionOver${limit}Hours`, value: text, source: p.source }];
    return [{ rule, personId: f.personId, householdId, anchor: p.source, reasons, owner: p.owner }];
  });
}

/** Evaluates every rule for one child and trigger. */
export function evaluateRules(rules: readonly AlertRule[], trigger: RuleTrigger, f: SubjectFacts): Firing[] {
  return rules.flatMap((r) => evaluateRule(r, trigger, f));
}

import type { PlanKind } from '../model/protection-plan.js';

/** A plan as the rules see it: enough to say it is in force, and whose it is. */
export interface PlanFact {
  id: string;
  kind: PlanKind;
  start: string;
  end?: string | undefined;
  status: 'recorded' | 'entered-in-error';
  /** The subject child's own plan, or another household member's. */
  holder: 'subject-child' | 'household';
}

/**
 * One period of police protection: an SSDA903 episode (or run of consecutive episodes)
 * with legal status L1, whose dates are days, or a notification's police-protection-s46
 * action, whose times are instants.
 */
export interface PoliceProtectionFact {
  /** The record it was read from, e.g. `CaseEvent/<id>` or `PoliceNotification/<id>`. */
  source: string;
  precision: 'day' | 'instant';
  start: string;
  end?: string | undefined;
  /** The agency to tell (the episode's LA), when the fact itself knows it. */
  owner?: string | undefined;
}

/** A notification as the rules see it: type, grade, when, and police protection actions. */
export interface NotificationFact {
  id: string;
  type: string;
  riskGrade?: string | undefined;
  occurredAt: string;
}

/**
 * Everything the rules may ask about one child at one moment. The caller gathers it
 * (from the notification and the database); evaluation is then a pure function of it.
 */
export interface SubjectFacts {
  personId: string;
  now: Date;
  notification?: NotificationFact | undefined;
  householdId?: string | null | undefined;
  plans: PlanFact[];
  /** Police notifications naming the child, with when they occurred (this one included). */
  notificationsAboutChild: { id: string; occurredAt: string }[];
  policeProtection: PoliceProtectionFact[];
}

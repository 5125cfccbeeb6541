import { z } from 'zod';
import { ALERT_SEVERITIES } from '../model/alert.js';
import { NOTIFICATION_TYPES, RISK_GRADES } from '../model/police-notification.js';
import { PlanKindSchema } from '../model/protection-plan.js';

/**
 * The alert rules' vocabulary (config/alerts.yaml, documented in docs/alerts.md). A rule
 * names when it is evaluated (`on`) and a list of conditions that must all hold (`when`).
 * Each condition is one of a small fixed set of facts the gateway knows how to establish;
 * this is a checklist, not a language.
 */

export const RULE_TRIGGERS = ['notification', 'sweep'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];

const ConditionSchema = z
  .object({
    /** The notification is of one of these types. */
    notificationType: z.array(z.enum(NOTIFICATION_TYPES)).min(1).optional(),
    /** The notification's risk grade is one of these. */
    riskGrade: z.array(z.enum(RISK_GRADES)).min(1).optional(),
    /** The subject child (or, with whose: household, a child in the same household) has a plan of these kinds in force today. */
    activeProtectionPlan: z
      .object({
        whose: z.enum(['subject-child', 'household']).default('subject-child'),
        kinds: z.array(PlanKindSchema).min(1).default(['child-protection-plan']),
      })
      .strict()
      .optional(),
    /** At least `atLeast` police notifications about the child occurred within `days` before this one, counting this one. */
    notificationsWithin: z
      .object({
        days: z.number().int().min(1).max(3650),
        atLeast: z.number().int().min(2).max(100),
      })
      .strict()
      .optional(),
    /** Police protection (SSDA903 legal status L1, or a police-protection-s46 action) lasted longer than `hours`. */
    policeProtectionOver: z
      .object({ hours: z.number().int().min(1).max(8760) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => Object.values(c).filter((v) => v !== undefined).length === 1, {
    message: 'expected exactly one condition per list item: notificationType, riskGrade, activeProtectionPlan, notificationsWithin or policeProtectionOver',
  });
export type AlertCondition = z.infer<typeof ConditionSchema>;

/** Conditions that need a notification in hand, so cannot be evaluated by the sweep. */
const NOTIFICATION_ONLY = ['notificationType', 'riskGrade', 'notificationsWithin', 'activeProtectionPlan'] as const;

export const AlertRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'expected a rule id of lower-case letters, digits and hyphens, e.g. missing-child-on-plan'),
    version: z.number().int().min(1),
    title: z.string().min(5).max(200),
    severity: z.enum(ALERT_SEVERITIES),
    on: z.array(z.enum(RULE_TRIGGERS)).min(1),
    when: z.array(ConditionSchema).min(1),
    /** How the rule counts, in words (shown in docs; e.g. how day-precision dates are measured). */
    explanation: z.string().min(1).max(2000).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (!rule.on.includes('sweep')) return;
    rule.when.forEach((c, i) => {
      const used = NOTIFICATION_ONLY.find((k) => c[k] !== undefined);
      if (used) ctx.addIssue({ code: 'custom', path: ['when', i, used], message: `a rule evaluated on sweep may use only policeProtectionOver; ${used} needs a notification (remove sweep from on, or this condition)` });
    });
    if (!rule.when.some((c) => c.policeProtectionOver !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'a rule evaluated on sweep needs a policeProtectionOver condition: the sweep looks only at police protection periods' });
    }
  });
export type AlertRule = z.infer<typeof AlertRuleSchema>;

/** The whole of config/alerts.yaml. */
export const AlertRulesFileSchema = z
  .object({
    rules: z.array(AlertRuleSchema),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.rules.forEach((r, i) => {
      const earlier = seen.get(r.id);
      if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id '${r.id}' is also used by rules.${earlier}; expected each id once` });
      seen.set(r.id, i);
    });
  });

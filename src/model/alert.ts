import { z } from 'zod';

export const ALERT_SEVERITIES = ['high', 'medium', 'low'] as const;
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * One fact that made a rule fire: what it is, its value, and the record it was read from
 * (`PoliceNotification/<id>`, `ProtectionPlan/<id>`, `CaseEvent/<id>`). Facts only: codes,
 * dates, counts, never names or narratives.
 */
export const AlertReasonSchema = z
  .object({
    fact: z.string().min(1),
    value: z.string(),
    source: z.string().min(1),
  })
  .strict();
export type AlertReason = z.infer<typeof AlertReasonSchema>;

/** An alert as the gateway keeps it and answers it (`GET /alerts/{id}`). */
export const AlertSchema = z.object({
  id: z.string(),
  rule: z.string(),
  ruleVersion: z.number().int().min(1),
  title: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  /** The agency the alert is addressed to: the child's responsible local authority. */
  recipient: z.string(),
  personId: z.string(),
  householdId: z.string().nullable(),
  status: z.enum(ALERT_STATUSES),
  raisedAt: z.string(),
  reasons: z.array(AlertReasonSchema).min(1),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  closeReason: z.string().nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** The body of `POST /alerts/{id}/close`. */
export const CloseAlertBodySchema = z
  .object({
    reason: z.string({ error: 'expected reason: why the alert is closed, at least 5 characters' }).trim().min(5, 'expected reason: why the alert is closed, at least 5 characters').max(2000, 'expected a reason of at most 2000 characters'),
  })
  .strict();

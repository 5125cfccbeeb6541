import { z } from 'zod';
import { AlertSchema } from '../model/alert.js';
import { AttendanceSchema } from '../model/attendance.js';
import { AuditEntrySchema } from '../model/audit-entry.js';
import { CaseEventSchema } from '../model/case-event.js';
import { ConsentSchema } from '../model/consent.js';
import { PersonSchema } from '../model/person.js';
import { NotificationSubmissionSchema, PoliceNotificationSchema } from '../model/police-notification.js';
import { ProtectionPlanSchema } from '../model/protection-plan.js';
import { RelationshipSchema } from '../model/relationship.js';

/**
 * The shape of every error the gateway answers with (DESIGN.md: an OperationOutcome whose
 * issues name the field, the rule and what was expected), as far as a client relies on it.
 */
const OperationOutcomeShape = z.object({
  resourceType: z.literal('OperationOutcome'),
  issue: z
    .array(
      z.object({
        severity: z.enum(['fatal', 'error', 'warning', 'information']),
        code: z.string().min(1),
        diagnostics: z.string().optional(),
        expression: z.array(z.string()).optional(),
        details: z.object({ coding: z.array(z.object({ system: z.string().optional(), code: z.string() })).optional(), text: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});

/**
 * The schemas a pack's `conformsTo` names: the canonical model (the same zod schemas the
 * gateway validates against, and publishes as JSON Schema) and the error shape.
 */
export const CONFORMANCE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  Alert: AlertSchema,
  Attendance: AttendanceSchema,
  AuditEntry: AuditEntrySchema,
  CaseEvent: CaseEventSchema,
  Consent: ConsentSchema,
  OperationOutcome: OperationOutcomeShape,
  Person: PersonSchema,
  PoliceNotification: PoliceNotificationSchema,
  PoliceNotificationSubmission: NotificationSubmissionSchema,
  ProtectionPlan: ProtectionPlanSchema,
  Relationship: RelationshipSchema,
};

/** The first problem of a value against a named schema, or null when it is valid. Throws for an unknown name (a broken pack). */
export function schemaProblem(name: string, value: unknown): string | null {
  const schema = CONFORMANCE_SCHEMAS[name];
  if (!schema) throw new Error(`conformsTo: ${name} is not a known schema (${Object.keys(CONFORMANCE_SCHEMAS).join(', ')})`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

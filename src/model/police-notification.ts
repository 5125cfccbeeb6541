import { z } from 'zod';
import { isIsoCalendarDate } from './dates.js';
import { NhsNumberSchema } from './nhs-number.js';
import { POLICE_FORCE_CODES, POLICE_FORCES } from './police-forces.js';
import { ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

/**
 * A police notification about children, as a force submits it (`POST /notifications`) and
 * as the gateway keeps it. There is no published national schema for these (PPN, Merlin
 * "child coming to notice", Operation Encompass, missing-child reports travel as forms); the
 * fields follow the routes police already use: ../shared/domain/la-police.md §4.
 */

export const NOTIFICATION_TYPES = ['child-concern', 'domestic-abuse', 'encompass', 'missing'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const PERSON_ROLES = ['subject-child', 'victim', 'alleged-perpetrator', 'witness', 'parent-carer', 'household-member'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const RISK_GRADES = ['standard', 'medium', 'high'] as const;

export const ACTION_CODES = ['police-protection-s46', 'referral-to-childrens-social-care', 'strategy-discussion-requested', 'marac-referral', 'arrest', 'missing-person-report', 'return-home-interview-requested', 'other'] as const;

const isoDate = z.string().refine(isIsoCalendarDate, { message: 'expected a calendar date written YYYY-MM-DD (no 30 February, no 0000-00-00)' });
const isoDateTime = z.iso.datetime({ offset: true, message: 'expected a date and time with its UTC offset, e.g. 2026-12-05T22:40:00Z or 2026-12-05T22:40:00+00:00' }).refine((v) => isIsoCalendarDate(v.slice(0, 10)), {
  message: 'expected a real calendar day (no 30 February)',
});
const postcode = z
  .string()
  .regex(/^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, 'expected a UK postcode such as LS1 4AP');
const uprn = z.string().regex(/^\d{1,12}$/, 'expected a UPRN of 1 to 12 digits');
const schoolUrn = z.string().regex(/^\d{6}$/, 'expected a school URN of six digits');

export const ForceCodeSchema = z.string().refine((v) => Object.hasOwn(POLICE_FORCES, v), {
  message: `expected the ONS police force area code of one of the 43 forces of England and Wales (E23000001–E23000039, W15000001–W15000004), e.g. ${POLICE_FORCE_CODES[9]}`,
});

export const NotificationLocationSchema = z
  .object({
    lines: z.array(z.string().min(1).max(200)).max(6).default([]),
    city: z.string().min(1).max(100).optional(),
    postcode: postcode.optional(),
    uprn: uprn.optional(),
    /** Where, when there is no address: "junction of X and Y", "Leeds City railway station". */
    description: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((l) => l.lines.length > 0 || l.postcode !== undefined || l.uprn !== undefined || l.description !== undefined, {
    message: 'expected at least one of lines, postcode, uprn or description',
  });

export const NotificationPersonSchema = z
  .object({
    /** The force's reference for this person within the submission (nominal id or a local key). */
    ref: z.string().min(1).max(64),
    roles: z
      .array(z.enum(PERSON_ROLES))
      .min(1, 'every person needs at least one role: subject-child, victim, alleged-perpetrator, witness, parent-carer or household-member')
      .refine((roles) => new Set(roles).size === roles.length, 'each role at most once: a repeated role says nothing more and was being kept as sent'),
    nhsNumber: NhsNumberSchema.optional(),
    /** The force's nominal id (PNC id, records-system person id): stable across that force's submissions. */
    policePersonId: z.string().min(1).max(64).optional(),
    name: z
      .object({ given: z.array(z.string().min(1).max(100)).max(5).default([]), family: z.string().min(1).max(100).optional() })
      .strict()
      .refine((n) => n.given.length > 0 || n.family !== undefined, { message: 'expected a given or a family name' }),
    birthDate: isoDate.optional(),
    /** An officer's estimate of age in years, when the date of birth is not known. */
    estimatedAge: z.number().int().min(0).max(120).optional(),
    sex: z.enum(['male', 'female', 'other', 'unknown']).optional(),
    address: NotificationLocationSchema.optional(),
    /** Children only: present at the incident, and where. */
    present: z.boolean().optional(),
    presentWhere: z.string().min(1).max(200).optional(),
    /** Children only: the school's URN, for Operation Encompass. */
    school: schoolUrn.optional(),
  })
  .strict();
export type NotificationPerson = z.infer<typeof NotificationPersonSchema>;

export const RiskGradeSchema = z
  .object({
    grade: z.enum(RISK_GRADES),
    /** DASH risk identification checklist: how many of its 27 questions were answered yes. */
    dashYesCount: z.number().int().min(0).max(27).optional(),
  })
  .strict();

export const ActionTakenSchema = z
  .object({
    code: z.enum(ACTION_CODES),
    at: isoDateTime.optional(),
    /** For police protection: when it ended (it may last at most 72 hours). */
    endedAt: isoDateTime.optional(),
    detail: z.string().min(1).max(500).optional(),
  })
  .strict();

/** The body of `POST /notifications` (JSON), and what the XML form maps to. */
export const NotificationSubmissionSchema = z
  .object({
    force: ForceCodeSchema,
    reference: z.string().trim().min(1, 'expected the force reference (occurrence number or URN)').max(64),
    type: z.enum(NOTIFICATION_TYPES),
    occurredAt: isoDateTime,
    location: NotificationLocationSchema,
    persons: z.array(NotificationPersonSchema).min(1).max(50),
    riskGrade: RiskGradeSchema.optional(),
    officer: z
      .object({ collarNumber: z.string().min(1).max(20).optional(), id: z.string().min(1).max(64).optional(), name: z.string().min(1).max(100).optional() })
      .strict()
      .refine((o) => o.collarNumber !== undefined || o.id !== undefined, { message: 'expected the officer collarNumber or id' }),
    /** The officer's account: sensitive, for children's social care only. */
    narrative: z.string().min(1).max(20000).optional(),
    /** What the child said, in their words: sensitive. */
    voiceOfChild: z.string().min(1).max(5000).optional(),
    /** A brief account fit for a school (Operation Encompass): no names of others, no allegations. */
    circumstances: z.string().min(1).max(1000).optional(),
    actionsTaken: z.array(ActionTakenSchema).max(20).default([]),
    familyTold: z.boolean().optional(),
    /** Restricted (R) or very restricted (V); normal (N) by default. */
    securityLabel: SecurityLabelSchema.optional(),
  })
  .strict()
  .superRefine((n, ctx) => {
    const refs = new Set<string>();
    n.persons.forEach((p, i) => {
      if (refs.has(p.ref)) ctx.addIssue({ code: 'custom', path: ['persons', i, 'ref'], message: `ref '${p.ref}' is used by an earlier person; expected each person's ref to be unique` });
      refs.add(p.ref);
      if (p.roles.includes('subject-child') && p.birthDate === undefined && p.estimatedAge === undefined) {
        ctx.addIssue({ code: 'custom', path: ['persons', i, 'birthDate'], message: 'a subject child needs a birthDate or an estimatedAge' });
      }
      if (p.roles.includes('subject-child') && p.estimatedAge !== undefined && p.estimatedAge > 17) {
        ctx.addIssue({ code: 'custom', path: ['persons', i, 'estimatedAge'], message: 'a subject child is under 18; expected an estimatedAge of 0 to 17' });
      }
      if (p.birthDate !== undefined && p.birthDate > n.occurredAt.slice(0, 10)) {
        ctx.addIssue({ code: 'custom', path: ['persons', i, 'birthDate'], message: `birthDate ${p.birthDate} is after occurredAt; expected a date on or before ${n.occurredAt.slice(0, 10)}` });
      }
    });
    const children = n.persons.filter((p) => p.roles.includes('subject-child'));
    if (children.length === 0) ctx.addIssue({ code: 'custom', path: ['persons'], message: 'expected at least one person with the role subject-child' });
    if (n.type === 'domestic-abuse' && n.riskGrade === undefined) {
      ctx.addIssue({ code: 'custom', path: ['riskGrade'], message: 'a domestic-abuse notification needs its risk grade (standard, medium or high, with the DASH yes count)' });
    }
    if (n.type === 'encompass') {
      children.forEach((c) => {
        if (c.school === undefined) ctx.addIssue({ code: 'custom', path: ['persons', n.persons.indexOf(c), 'school'], message: "an encompass notification needs each subject child's school URN" });
        if (c.present === undefined) ctx.addIssue({ code: 'custom', path: ['persons', n.persons.indexOf(c), 'present'], message: 'an encompass notification says whether each subject child was present (true or false)' });
      });
      if (n.circumstances === undefined) ctx.addIssue({ code: 'custom', path: ['circumstances'], message: 'an encompass notification needs brief circumstances for the school' });
    }
  });
export type NotificationSubmission = z.infer<typeof NotificationSubmissionSchema>;

/** A person of a stored notification: as submitted, with the person-index id it resolved to. */
export const StoredNotificationPersonSchema = NotificationPersonSchema.safeExtend({ personId: z.string() });

/** The canonical PoliceNotification the gateway keeps: one per (force, reference), the latest version. */
export const PoliceNotificationSchema = z.object({
  id: z.string(),
  owner: z.string(),
  force: z.string(),
  reference: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  occurredAt: z.string(),
  location: NotificationLocationSchema,
  persons: z.array(StoredNotificationPersonSchema),
  riskGrade: RiskGradeSchema.optional(),
  officer: z.object({ collarNumber: z.string().optional(), id: z.string().optional(), name: z.string().optional() }),
  narrative: z.string().optional(),
  voiceOfChild: z.string().optional(),
  circumstances: z.string().optional(),
  actionsTaken: z.array(ActionTakenSchema),
  familyTold: z.boolean().optional(),
  version: z.number().int().min(1),
  provenance: ProvenanceSchema,
  securityLabel: SecurityLabelSchema.default('N'),
});
export type PoliceNotification = z.infer<typeof PoliceNotificationSchema>;

/** The subject children of a notification. */
export function subjectChildren<P extends { roles: readonly PersonRole[] }>(n: { persons: readonly P[] }): P[] {
  return n.persons.filter((p) => p.roles.includes('subject-child'));
}

import { z } from 'zod';
import { IsoDateSchema, ProvenanceSchema, SecurityLabelSchema } from './provenance.js';
import { IdentifierSchema } from './person.js';
import { LineageSchema } from './lineage.js';

/** The three CP-IS plan kinds and their SNOMED CT codes (England-ChildProtectionPlan value set). */
export const PLAN_KINDS = {
  'child-protection-plan': { code: '342191000000101', display: 'Subject to child protection plan', subjectRole: 'child' },
  'looked-after': { code: '764841000000100', display: 'Looked after child', subjectRole: 'child' },
  'unborn-child-protection-plan': { code: '818901000000100', display: 'Unborn child subject to child protection plan', subjectRole: 'mother' },
} as const;
export type PlanKind = keyof typeof PLAN_KINDS;
export const PlanKindSchema = z.enum(Object.keys(PLAN_KINDS) as [PlanKind, ...PlanKind[]]);

/** Finds the plan kind for a SNOMED code, or undefined. */
export function planKindForCode(code: string): PlanKind | undefined {
  return (Object.keys(PLAN_KINDS) as PlanKind[]).find((k) => PLAN_KINDS[k].code === code);
}

/** Canonical categories of abuse (DfE CIN census NEG, PHY, SAB, EMO, MUL). */
export const ABUSE_CATEGORIES = ['neglect', 'physical-abuse', 'sexual-abuse', 'emotional-abuse', 'multiple'] as const;

/**
 * A child protection plan, looked-after episode or unborn-child plan. An unborn-child
 * plan is held against the mother: its subject is the mother and no child identity is kept.
 */
export const ProtectionPlanSchema = z
  .object({
    id: z.string(),
    subjectPersonId: z.string(),
    kind: PlanKindSchema,
    period: z.object({ start: IsoDateSchema, end: IsoDateSchema.optional() }),
    owner: z.string(),
    status: z.enum(['recorded', 'entered-in-error']),
    /** The latest category of abuse the LA recorded (CIN census). Social-care detail: the CP-IS agreement never releases it to health. */
    categoryOfAbuse: z.enum(ABUSE_CATEGORIES).optional(),
    sourceIdentifiers: z.array(IdentifierSchema).default([]),
    provenance: ProvenanceSchema,
    securityLabel: SecurityLabelSchema.default('N'),
    lineage: LineageSchema.optional(),
  })
  .refine((p) => p.period.end === undefined || p.period.end >= p.period.start, {
    message: 'period.end must not be before period.start',
    path: ['period', 'end'],
  });
export type ProtectionPlan = z.infer<typeof ProtectionPlanSchema>;

/** A plan is active on a day when it has started and has not ended before that day. */
export function isPlanActive(plan: Pick<ProtectionPlan, 'period' | 'status'>, today: string): boolean {
  return plan.status !== 'entered-in-error' && plan.period.start <= today && (plan.period.end === undefined || plan.period.end > today);
}

import { z } from 'zod';
import { LineageSchema } from './lineage.js';
import { IsoDateSchema, ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

/** The local-authority events the CIN census and SSDA903 returns describe. */
export const CASE_EVENT_KINDS = [
  'referral',
  'assessment',
  's47',
  'icpc',
  'cin-plan',
  'cp-plan',
  'cp-review',
  'cla-episode',
  'cla-review',
  'missing',
  'pre-proceedings',
  'closure',
] as const;

/**
 * One event in a child's social-care record. Codes are kept exactly as published by
 * the return they came from (ReferralSource `1A`, LS `C2`, ReasonForClosure `RC8`…),
 * keyed by the element or column name.
 */
export const CaseEventSchema = z
  .object({
    id: z.string(),
    subjectPersonId: z.string(),
    kind: z.enum(CASE_EVENT_KINDS),
    date: IsoDateSchema,
    endDate: IsoDateSchema.optional(),
    codes: z.record(z.string(), z.string()).default({}),
    owner: z.string(),
    provenance: ProvenanceSchema,
    securityLabel: SecurityLabelSchema.default('R'),
    lineage: LineageSchema,
  })
  .refine((e) => e.endDate === undefined || e.endDate >= e.date, { message: 'endDate must not be before date', path: ['endDate'] });
export type CaseEvent = z.infer<typeof CaseEventSchema>;

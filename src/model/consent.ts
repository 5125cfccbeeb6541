import { z } from 'zod';
import { LineageSchema } from './lineage.js';
import { IsoDateSchema, ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

export const CONSENT_STATES = ['given', 'refused', 'withdrawn', 'not-sought'] as const;
export const CONSENT_NOT_SOUGHT_REASONS = ['cannot-be-given', 'cannot-reasonably-obtain', 'would-prejudice-protection'] as const;

/**
 * A consent decision about sharing a person's information (from FHIR Consent). When
 * consent was not sought, the reason is one of the three DPA 2018 Sch 1 para 18 grounds.
 */
export const ConsentSchema = z
  .object({
    id: z.string(),
    subjectPersonId: z.string(),
    state: z.enum(CONSENT_STATES),
    notSoughtReason: z.enum(CONSENT_NOT_SOUGHT_REASONS).optional(),
    scope: z.string().min(1),
    categories: z.array(z.string().min(1)).min(1),
    purposes: z.array(z.string()).default([]),
    /** The subject is an adult at risk (DPA 2018 Sch 1 para 18(2)), so the safeguarding exemption covers them as it covers a child. */
    subjectAtRisk: z.boolean().optional(),
    period: z.object({ start: IsoDateSchema.optional(), end: IsoDateSchema.optional() }).optional(),
    recordedAt: z.iso.datetime({ offset: true }).optional(),
    recordedBy: z.string().optional(),
    owner: z.string(),
    provenance: ProvenanceSchema,
    securityLabel: SecurityLabelSchema.default('N'),
    lineage: LineageSchema,
  })
  .refine((c) => c.state !== 'not-sought' || c.notSoughtReason !== undefined, {
    message: 'a consent that was not sought needs its reason: cannot-be-given, cannot-reasonably-obtain or would-prejudice-protection',
    path: ['notSoughtReason'],
  });
export type Consent = z.infer<typeof ConsentSchema>;

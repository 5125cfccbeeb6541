import { z } from 'zod';

/** Who is acting: the authenticated user, the agency they act for and their role. */
export const ActorSchema = z.object({
  sub: z.string(),
  agency: z.string(),
  role: z.string(),
});
export type Actor = z.infer<typeof ActorSchema>;

/**
 * One CP-IS access by an unscheduled-care setting. `listed` is false when the same user
 * had already looked at the same person within the previous 24 hours (CP-IS lists only the first).
 */
export const AccessRecordSchema = z.object({
  id: z.string(),
  personId: z.string(),
  accessor: ActorSchema,
  purpose: z.string(),
  unscheduled: z.boolean(),
  listed: z.boolean(),
  at: z.iso.datetime({ offset: true }),
});
export type AccessRecord = z.infer<typeof AccessRecordSchema>;

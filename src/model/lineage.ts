import { z } from 'zod';

/**
 * Where one canonical field came from: the mapping (id@version), the rule in it and the
 * path of the source value in the message. Integrators read these to see why a field
 * holds what it holds.
 */
export const FieldLineageSchema = z.object({
  field: z.string(),
  mapping: z.string(),
  rule: z.string(),
  source: z.string(),
});
export type FieldLineage = z.infer<typeof FieldLineageSchema>;

export const LineageSchema = z.array(FieldLineageSchema).default([]);

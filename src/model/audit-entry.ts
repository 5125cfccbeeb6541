import { z } from 'zod';

/**
 * What the audit log records for every request that reads or writes personal data,
 * permitted or not. The chain fields (seq, prevHash, hash) are added by the audit log.
 */
export const AuditEntrySchema = z.object({
  recordedAt: z.iso.datetime({ offset: true }),
  requestId: z.string(),
  actor: z.object({ sub: z.string().nullable(), agency: z.string().nullable(), role: z.string().nullable() }),
  purpose: z.string().nullable(),
  action: z.enum(['search', 'read', 'create', 'update', 'notify', 'validate']),
  resourceType: z.string(),
  query: z.string().nullable(),
  subjects: z.array(z.string()),
  records: z.array(z.string()),
  outcome: z.enum(['permit', 'deny', 'error']),
  status: z.number().int(),
  reason: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface ChainedAuditEntry {
  seq: number;
  entry: AuditEntry;
  prevHash: string;
  hash: string;
}

import { z } from 'zod';

/**
 * One sharing decision taken while answering: a record released (with the fields released,
 * the agreements and the lawful basis relied on) or withheld (with the reason). Decisions not
 * to disclose are recorded as carefully as disclosures.
 */
export const AuditDecisionSchema = z.object({
  record: z.string(),
  type: z.string(),
  owner: z.string(),
  subject: z.string().optional(),
  permit: z.boolean(),
  reason: z.string(),
  agreements: z.array(z.string()).optional(),
  lawfulBasis: z.string().optional(),
  released: z.array(z.string()).optional(),
  withheld: z.array(z.string()).optional(),
  consent: z.string().optional(),
});
export type AuditDecision = z.infer<typeof AuditDecisionSchema>;

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
  /** Per-record sharing decisions, when the answer released or withheld other agencies' records. */
  decisions: z.array(AuditDecisionSchema).optional(),
  /** A consent override: the requester's free-text reason (actor and time are the entry's own). */
  override: z.object({ reason: z.string() }).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface ChainedAuditEntry {
  seq: number;
  entry: AuditEntry;
  prevHash: string;
  hash: string;
}

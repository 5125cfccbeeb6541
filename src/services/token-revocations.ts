import { z } from 'zod';
import { errorFromIssues, GatewayError } from '../errors/gateway-error.js';
import type { Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { Revocation } from '../store/revocations-repo.js';
import { insertRevocation } from '../store/revocations-repo.js';
import type { AuditScope } from './audit-scope.js';
import { auditInTransaction, inAuditedTransaction, refuse } from './audit-scope.js';
import type { GatewayContext } from './context.js';

/** POST /admin/token-revocations: one token by its id, or all of a user's tokens issued up to a time (default now). */
export const RevocationRequestSchema = z
  .object({
    jti: z.string().min(1).max(256).optional(),
    sub: z.string().min(1).max(256).optional(),
    issuedBefore: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time with a time zone, e.g. 2026-11-20T10:00:00Z' }).optional(),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .refine((b) => (b.jti === undefined) !== (b.sub === undefined), { error: 'name exactly one of jti (one token) or sub (all of a user\'s tokens)', path: ['jti'] })
  .refine((b) => b.issuedBefore === undefined || b.sub !== undefined, { error: 'issuedBefore goes with sub only', path: ['issuedBefore'] });
export type RevocationRequest = z.infer<typeof RevocationRequestSchema>;

/** The revocation a request asks for, for `agency`, at `now`. */
export function toRevocation(agency: string, req: RevocationRequest, now: Date): Revocation {
  if (req.jti !== undefined) return { agency, jti: req.jti };
  return { agency, sub: req.sub!, issuedBefore: req.issuedBefore ? new Date(req.issuedBefore) : now };
}

/**
 * Revokes tokens of the admin's own agency (an admin cannot lock another agency's users
 * out). Stored with its audit entry in one transaction; from its commit every gateway
 * process on the database refuses the tokens it names (src/auth/revocations.ts).
 */
export async function revokeTokens(ctx: GatewayContext, scope: AuditScope, requester: Requester, body: unknown): Promise<{ id: number; revocation: Revocation }> {
  const decision = authorise(requester, 'token:revoke');
  if (!decision.permit) return refuse(ctx, scope, decision);
  const parsed = RevocationRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    // Messages only: a zod issue can quote the value it was given.
    throw errorFromIssues('GW_ERR_INVALID_RESOURCE', parsed.error.issues.map((i) => ({ severity: 'error', code: 'invalid', diagnostics: i.message, expression: [i.path.join('.') || 'body'] })));
  }
  const now = ctx.now();
  const revocation = toRevocation(requester.agency, parsed.data, now);
  if ('issuedBefore' in revocation && revocation.issuedBefore.getTime() > now.getTime()) {
    throw new GatewayError('GW_ERR_INVALID_RESOURCE', 'issuedBefore may not be in the future (it would refuse tokens not yet issued)', { expression: 'issuedBefore' });
  }
  const id = await inAuditedTransaction(ctx, scope, async (tx) => {
    const stored = await insertRevocation(tx, { revocation, revokedAt: now, revokedBy: `${requester.agency}/${requester.sub}`, reason: parsed.data.reason ?? null });
    await auditInTransaction(tx, ctx, scope, { outcome: 'permit', status: 201, reason: decision.reason, records: [`TokenRevocation/${stored}`] });
    return stored;
  });
  return { id, revocation };
}

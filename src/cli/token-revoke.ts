import os from 'node:os';
import { loadAgencies } from '../config/agencies.js';
import type { Config } from '../config/env.js';
import { ConfigError } from '../config/env.js';
import { RevocationRequestSchema, toRevocation } from '../services/token-revocations.js';
import { openDatabase } from '../store/open-db.js';
import { insertRevocation } from '../store/revocations-repo.js';

export interface TokenRevokeOptions {
  agency: string;
  jti?: string;
  sub?: string;
  before?: string;
  reason?: string;
}

/**
 * `sgw token revoke`: stores a revocation in the configured database. Every gateway
 * process on that database refuses the token(s) from the moment it commits (NOTIFY, see
 * docs/access-control.md). Bad options stop with a message naming the option.
 */
export async function runTokenRevoke(config: Config, opts: TokenRevokeOptions): Promise<string> {
  const directory = loadAgencies(config.configDir);
  if (!directory.agencies.has(opts.agency)) throw new ConfigError(`--agency: unknown agency '${opts.agency}'; configured agencies: ${[...directory.agencies.keys()].join(', ')}`);
  const parsed = RevocationRequestSchema.safeParse({ jti: opts.jti, sub: opts.sub, issuedBefore: opts.before, reason: opts.reason });
  if (!parsed.success) {
    const option: Record<string, string> = { jti: '--jti', sub: '--sub', issuedBefore: '--before', reason: '--reason' };
    throw new ConfigError(parsed.error.issues.map((i) => `${option[String(i.path[0])] ?? 'options'}: ${i.message}`).join('\n'));
  }
  const now = new Date();
  const revocation = toRevocation(opts.agency, parsed.data, now);
  const db = await openDatabase(config);
  try {
    const id = await insertRevocation(db, { revocation, revokedAt: now, revokedBy: `cli:${os.userInfo().username}`, reason: parsed.data.reason ?? null });
    return 'jti' in revocation
      ? `revoked token ${revocation.jti} of ${revocation.agency} (revocation ${id})`
      : `revoked every token of ${revocation.sub} at ${revocation.agency} issued at or before ${revocation.issuedBefore.toISOString()} (revocation ${id})`;
  } finally {
    await db.close();
  }
}

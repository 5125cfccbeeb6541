import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AgencyDirectory } from '../config/agencies.js';
import { normalisePurpose, knownPurposeClaims } from '../policy/purposes.js';
import { roleProblem } from '../policy/roles.js';
import type { DevKeys } from './dev-keys.js';
import { DEV_ALGORITHM, DEV_ISSUER } from './dev-keys.js';

export interface MintRequest {
  agency: string;
  role: string;
  purpose?: string | undefined;
  sub: string;
  audience: string;
  expiresInSeconds: number;
}

/**
 * Mints a development token signed with the local development key. Refuses an agency
 * that is not configured, a role that is unknown or wrong for that agency, and an unknown purpose.
 */
export async function mintDevToken(keys: DevKeys, directory: AgencyDirectory, req: MintRequest): Promise<string> {
  const agency = directory.agencies.get(req.agency);
  if (!agency) throw new Error(`unknown agency '${req.agency}'; configured agencies: ${[...directory.agencies.keys()].join(', ')}`);
  const problem = roleProblem(req.role, agency.type);
  if (problem) throw new Error(problem);
  if (req.purpose !== undefined && normalisePurpose(req.purpose) === null) {
    throw new Error(`unknown purpose '${req.purpose}'; expected one of ${knownPurposeClaims().join(', ')}`);
  }
  if (!Number.isInteger(req.expiresInSeconds) || req.expiresInSeconds <= 0) throw new Error('expiry must be a positive number of seconds');
  const claims: Record<string, string> = { agency: req.agency, role: req.role };
  if (req.purpose !== undefined) claims.purpose_of_use = req.purpose;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DEV_ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(req.audience)
    .setSubject(req.sub)
    .setIssuedAt()
    // A token id, so that this one token can be revoked (sgw token revoke --jti).
    .setJti(randomUUID())
    .setExpirationTime(`${req.expiresInSeconds}s`)
    .sign(keys.privateKey);
}

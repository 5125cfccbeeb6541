import fs from 'node:fs';
import type { CryptoKey, JWK, JWTPayload, KeyObject } from 'jose';
import { decodeJwt, errors as joseErrors, importJWK, importSPKI, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AgencyDirectory } from '../config/agencies.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Requester } from '../policy/authorise.js';
import { normalisePurpose } from '../policy/purposes.js';
import type { Role } from '../policy/roles.js';
import { roleProblem } from '../policy/roles.js';
import { DEV_ALGORITHM, DEV_ISSUER } from './dev-keys.js';

interface TrustedIssuer {
  issuer: string;
  algorithm: string;
  key: CryptoKey | KeyObject | Uint8Array;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1, 'sub must name the user'),
  agency: z.string().min(1, 'agency claim is required'),
  role: z.string().min(1, 'role claim is required'),
  purpose_of_use: z.string().min(1).optional(),
});

/** Clock skew tolerated between the identity provider and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Tokens whose verdict is remembered (a clinical system sends the same token for every query of a session). */
const VERIFIED_CACHE_SIZE = 10_000;

interface Verified {
  requester: Requester;
  /** Epoch seconds: usable from notBefore to expires (tolerance included). */
  notBefore: number;
  expires: number;
}

/**
 * Verifies bearer tokens against the keys configured for the agency the token claims to
 * come from (and the development key when dev auth is on): signature, algorithm, expiry,
 * issuer and audience, then the agency, role and purpose claims.
 */
export class TokenVerifier {
  /**
   * Tokens verified already, by their whole text (signature included, so a changed token is
   * a different key): the signature is checked once, the time window at every use.
   */
  private readonly verified = new Map<string, Verified>();

  private constructor(
    private readonly directory: AgencyDirectory,
    private readonly audience: string,
    private readonly trust: Map<string, TrustedIssuer[]>,
  ) {}

  static async create(directory: AgencyDirectory, audience: string, devPublicKey: CryptoKey | null): Promise<TokenVerifier> {
    const trust = new Map<string, TrustedIssuer[]>();
    for (const [agencyId, issuers] of directory.issuers) {
      const list: TrustedIssuer[] = [];
      for (const i of issuers) list.push({ issuer: i.issuer, algorithm: i.algorithm, key: await importPublicKey(i.publicKeyPath, i.algorithm) });
      if (devPublicKey) list.push({ issuer: DEV_ISSUER, algorithm: DEV_ALGORITHM, key: devPublicKey });
      trust.set(agencyId, list);
    }
    return new TokenVerifier(directory, audience, trust);
  }

  /** Returns the requester a valid token describes, or throws a 401 GatewayError saying what is wrong. */
  async verify(token: string): Promise<Requester> {
    const known = this.verified.get(token);
    if (known) {
      const now = Date.now() / 1000;
      if (now >= known.notBefore && now < known.expires) return known.requester;
      this.verified.delete(token); // out of its window: verified afresh, which says why it is refused
    }
    const { requester, payload } = await this.verifyAfresh(token);
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      const notBefore = typeof payload.nbf === 'number' ? payload.nbf - CLOCK_TOLERANCE_SECONDS : -Infinity;
      this.verified.set(token, { requester: Object.freeze(requester), notBefore, expires: payload.exp + CLOCK_TOLERANCE_SECONDS });
    }
    return requester;
  }

  private async verifyAfresh(token: string): Promise<{ requester: Requester; payload: JWTPayload }> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw invalid('the bearer token is not a well-formed JWT');
    }
    const agencyId = typeof unverified.agency === 'string' ? unverified.agency : '';
    const candidates = (this.trust.get(agencyId) ?? []).filter((t) => t.issuer === unverified.iss);
    if (!this.directory.agencies.has(agencyId)) throw invalid(`agency '${agencyId}' is not a participating agency`);
    const trusted = candidates[0];
    if (!trusted) throw invalid(`issuer '${String(unverified.iss)}' is not trusted for agency ${agencyId}`);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trusted.key, {
        issuer: trusted.issuer,
        audience: this.audience,
        algorithms: [trusted.algorithm],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (err) {
      throw invalid(describeJoseError(err, this.audience));
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw invalid(claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const agency = this.directory.agencies.get(claims.data.agency);
    if (!agency) throw invalid(`agency '${claims.data.agency}' is not a participating agency`);
    const problem = roleProblem(claims.data.role, agency.type);
    if (problem) throw invalid(problem);
    const purposeClaim = claims.data.purpose_of_use ?? null;
    const purpose = purposeClaim === null ? null : normalisePurpose(purposeClaim);
    if (purposeClaim !== null && purpose === null) throw invalid(`purpose_of_use '${purposeClaim}' is not a known purpose`);
    return { requester: { sub: claims.data.sub, agency: agency.id, role: claims.data.role as Role, purposeClaim, purpose }, payload };
  }
}

function invalid(diagnostics: string): GatewayError {
  return new GatewayError('GW_ERR_AUTH_INVALID', diagnostics, { expression: 'Authorization' });
}

function describeJoseError(err: unknown, audience: string): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return `the token's audience is not this gateway (expected '${audience}')`;
    if (err.claim === 'nbf') return 'the token is not valid yet';
    return `claim '${err.claim}' failed validation: ${err.reason}`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this agency does not use';
  if (err instanceof joseErrors.JOSEError) return `the token was refused (${err.code})`;
  return 'the token could not be verified';
}

async function importPublicKey(file: string, algorithm: string): Promise<CryptoKey | KeyObject | Uint8Array> {
  const text = fs.readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const { d: _d, ...jwk } = JSON.parse(text) as JWK;
    return importJWK(jwk, algorithm);
  }
  return importSPKI(text, algorithm);
}

import fs from 'node:fs';
import type { CryptoKey, JWK, JWTPayload, KeyObject, ProtectedHeaderParameters } from 'jose';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, importSPKI, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AgencyDirectory } from '../config/agencies.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Requester } from '../policy/authorise.js';
import { normalisePurpose } from '../policy/purposes.js';
import type { Role } from '../policy/roles.js';
import { roleProblem } from '../policy/roles.js';
import type { DevKeys } from './dev-keys.js';
import { DEV_ALGORITHM, DEV_ISSUER } from './dev-keys.js';
import type { RevocationList, TokenIdentity } from './revocations.js';

interface TrustedIssuer {
  issuer: string;
  /** The one algorithm this key signs with: a token naming another (`none`, HS256, …) is refused. */
  algorithm: string;
  key: CryptoKey | KeyObject | Uint8Array;
  /** The key's id, when known: a token whose `kid` names another key is refused. */
  kid: string | undefined;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1, 'sub must name the user'),
  agency: z.string().min(1, 'agency claim is required'),
  role: z.string().min(1, 'role claim is required'),
  purpose_of_use: z.string().min(1).optional(),
});

/**
 * Clock skew tolerated between the identity provider and the gateway, both ways: a token
 * is accepted up to 30 s after its `exp` and from 30 s before its `nbf`. NTP keeps servers
 * within a second; 30 s covers a badly kept one without stretching a short token's life much.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Tokens whose verdict is remembered (a clinical system sends the same token for every query of a session). */
const VERIFIED_CACHE_SIZE = 10_000;

interface Verified {
  requester: Requester;
  /** What a revocation is checked against, at every use (a revocation outlives no cached verdict). */
  identity: TokenIdentity;
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
    private readonly revocations: RevocationList | null,
  ) {}

  /**
   * `dev`: the development key pair's public half and id (SGW_DEV_AUTH=on), or null.
   * `revocations`: the list every token is checked against at every use, or null (tests of signatures alone).
   */
  static async create(directory: AgencyDirectory, audience: string, dev: Pick<DevKeys, 'publicKey' | 'kid'> | null, revocations: RevocationList | null = null): Promise<TokenVerifier> {
    const trust = new Map<string, TrustedIssuer[]>();
    for (const [agencyId, issuers] of directory.issuers) {
      const list: TrustedIssuer[] = [];
      for (const i of issuers) {
        const { key, kid } = await importPublicKey(i.publicKeyPath, i.algorithm);
        list.push({ issuer: i.issuer, algorithm: i.algorithm, key, kid: i.keyId ?? kid });
      }
      if (dev) list.push({ issuer: DEV_ISSUER, algorithm: DEV_ALGORITHM, key: dev.publicKey, kid: dev.kid });
      trust.set(agencyId, list);
    }
    return new TokenVerifier(directory, audience, trust, revocations);
  }

  /** Returns the requester a valid token describes, or throws a 401 GatewayError saying what is wrong. */
  async verify(token: string): Promise<Requester> {
    let verified = this.verified.get(token);
    if (verified) {
      const now = Date.now() / 1000;
      if (now < verified.notBefore || now >= verified.expires) {
        this.verified.delete(token); // out of its window: verified afresh, which says why it is refused
        verified = undefined;
      }
    }
    if (!verified) {
      const { requester, payload } = await this.verifyAfresh(token);
      verified = {
        requester: Object.freeze(requester),
        identity: { agency: requester.agency, sub: requester.sub, jti: typeof payload.jti === 'string' ? payload.jti : null, iat: typeof payload.iat === 'number' ? payload.iat : null },
        notBefore: typeof payload.nbf === 'number' ? payload.nbf - CLOCK_TOLERANCE_SECONDS : -Infinity,
        expires: (payload.exp as number) + CLOCK_TOLERANCE_SECONDS,
      };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, verified);
    }
    if (this.revocations) {
      const checked = this.revocations.check(verified.identity);
      const revoked = typeof checked === 'string' || checked === null ? checked : await checked;
      if (revoked !== null) throw invalid(revoked);
    }
    return verified.requester;
  }

  private async verifyAfresh(token: string): Promise<{ requester: Requester; payload: JWTPayload }> {
    let unverified: JWTPayload;
    let header: ProtectedHeaderParameters;
    try {
      unverified = decodeJwt(token);
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid('the bearer token is not a well-formed JWT');
    }
    // Refused by name before anything else: an unsigned token, or one whose signature
    // algorithm is not an asymmetric one the gateway trusts (HS256 made with a public key as
    // its secret is the classic confusion; jose refuses it too, since each key is pinned to one algorithm).
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') throw invalid('unsigned tokens (alg "none") are refused');
    if (/^HS/i.test(header.alg)) throw invalid(`the token is signed with ${header.alg}, a shared-secret algorithm; the gateway accepts only the public-key algorithm each issuer is configured with`);
    const agencyId = typeof unverified.agency === 'string' ? unverified.agency : '';
    const candidates = (this.trust.get(agencyId) ?? []).filter((t) => t.issuer === unverified.iss);
    if (!this.directory.agencies.has(agencyId)) throw invalid(`agency '${agencyId}' is not a participating agency`);
    if (candidates.length === 0) throw invalid(`issuer '${String(unverified.iss)}' is not trusted for agency ${agencyId}`);
    // A token that names its key is verified with that key only; one that names none, with the issuer's first.
    const trusted = typeof header.kid === 'string' ? candidates.find((t) => t.kid === header.kid) ?? candidates.find((t) => t.kid === undefined) : candidates[0];
    if (!trusted) throw invalid(`key '${header.kid}' is not a key of issuer '${String(unverified.iss)}' trusted by the gateway`);

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

async function importPublicKey(file: string, algorithm: string): Promise<{ key: CryptoKey | KeyObject | Uint8Array; kid: string | undefined }> {
  const text = fs.readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('{')) {
    const { d: _d, ...jwk } = JSON.parse(text) as JWK;
    // A symmetric JWK ('oct') would turn the issuer's "public key" into a shared secret.
    if (jwk.kty === 'oct') throw new Error(`${file}: a shared-secret (oct) key cannot be an issuer's public key`);
    return { key: await importJWK(jwk, algorithm), kid: jwk.kid };
  }
  return { key: await importSPKI(text, algorithm), kid: undefined };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgencyDirectory } from '../../src/config/agencies.js';
import { loadAgencies } from '../../src/config/agencies.js';
import type { DevKeys } from '../../src/auth/dev-keys.js';
import { DEV_ISSUER, loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { TokenVerifier } from '../../src/auth/verify-token.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const AUD = 'safeguarding-gateway';
let keys: DevKeys;
let directory: AgencyDirectory;
let verifier: TokenVerifier;

async function refusal(token: string, v = verifier): Promise<string> {
  try {
    await v.verify(token);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('GW_ERR_AUTH_INVALID');
    expect((err as GatewayError).status).toBe(401);
    return (err as GatewayError).message;
  }
  throw new Error('the token was accepted');
}

function signed(claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: string | number; key?: DevKeys['privateKey'] | Uint8Array; alg?: string; kid?: string } = {}) {
  const jwt = new SignJWT({ agency: 'ods:RR8', role: 'unscheduled-care', purpose_of_use: 'TREAT', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', ...(opts.kid ? { kid: opts.kid } : {}) })
    .setIssuer(opts.iss ?? DEV_ISSUER)
    .setAudience(opts.aud ?? AUD)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h');
  return jwt.sign(opts.key ?? keys.privateKey);
}

beforeAll(async () => {
  keys = await loadOrCreateDevKeys(fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-keys-')));
  directory = loadAgencies(path.join(PACKAGE_ROOT, 'config'));
  verifier = await TokenVerifier.create(directory, AUD, keys);
});

describe('token verification', () => {
  it('accepts a token minted by sgw token and reads who, where, role and purpose', async () => {
    const token = await mintDevToken(keys, directory, { agency: 'ods:RR8', role: 'unscheduled-care', purpose: 'TREAT', sub: 'dr-a', audience: AUD, expiresInSeconds: 60 });
    expect(await verifier.verify(token)).toEqual({ sub: 'dr-a', agency: 'ods:RR8', role: 'unscheduled-care', purposeClaim: 'TREAT', purpose: 'direct-care' });
  });

  it('refuses a tampered token (payload changed after signing)', async () => {
    const token = await signed({});
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.role = 'scheduled-care';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await refusal(forged)).toMatch(/signature/);
  });

  describe('a token verified once (its signature is not checked again at every request)', () => {
    afterEach(() => vi.useRealTimers());

    it('is refused once it expires, though it was accepted before, and not before it is valid', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const now = Math.floor(Date.now() / 1000);
      const token = await signed({ nbf: now }, { exp: now + 60 });
      expect((await verifier.verify(token)).sub).toBe('user-1');
      vi.setSystemTime((now + 60 + 29) * 1000); // within the 30 s clock tolerance
      expect((await verifier.verify(token)).sub).toBe('user-1');
      vi.setSystemTime((now + 60 + 31) * 1000);
      expect(await refusal(token)).toMatch(/expired/);
      vi.setSystemTime((now - 31) * 1000);
      expect(await refusal(token)).toMatch(/not valid yet/);
    });

    it('still refuses the same token with its signature or payload changed', async () => {
      const token = await signed({});
      expect((await verifier.verify(token)).role).toBe('unscheduled-care');
      const [h, p, s] = token.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
      payload.role = 'scheduled-care';
      expect(await refusal(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`)).toMatch(/signature/);
      const flipped = `${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(await refusal(`${h}.${p}.${flipped}`)).toMatch(/signature/);
    });
  });

  it('refuses an expired token', async () => {
    expect(await refusal(await signed({}, { exp: Math.floor(Date.now() / 1000) - 3600 }))).toMatch(/expired/);
  });

  it('refuses a token for another audience', async () => {
    expect(await refusal(await signed({}, { aud: 'some-other-service' }))).toMatch(/audience/);
  });

  it('refuses a token from an untrusted issuer', async () => {
    expect(await refusal(await signed({}, { iss: 'https://evil.example' }))).toMatch(/issuer/);
  });

  it('refuses a token signed by a key the gateway does not trust', async () => {
    const other = await generateKeyPair('ES256');
    expect(await refusal(await signed({}, { key: other.privateKey }))).toMatch(/signature/);
  });

  it('refuses alg none, whatever its case, with or without a signature part', async () => {
    const body = Buffer.from(JSON.stringify({ iss: DEV_ISSUER, aud: AUD, sub: 'x', agency: 'ods:RR8', role: 'unscheduled-care', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    for (const alg of ['none', 'None', 'NONE']) {
      const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      expect(await refusal(`${header}.${body}.`)).toMatch(/alg "none"/);
      expect(await refusal(`${header}.${body}.c2ln`)).toMatch(/alg "none"/);
    }
  });

  it('refuses a token not valid yet (nbf beyond the 30 s clock skew) and accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await signed({ nbf: now + 120 }))).toMatch(/not valid yet/);
    expect(await refusal(await signed({ nbf: now + 45 }))).toMatch(/not valid yet/);
    expect((await verifier.verify(await signed({ nbf: now + 20 }))).sub).toBe('user-1');
  });

  it('refuses a token whose kid names a key the gateway does not trust, and checks the one it names', async () => {
    // Signed with the trusted key, but naming another: the gateway does not guess.
    expect(await refusal(await signed({}, { kid: 'some-other-key' }))).toMatch(/key 'some-other-key' is not a key of issuer/);
    // Signed with an untrusted key that claims the trusted key's id: the signature decides.
    const other = await generateKeyPair('ES256');
    expect(await refusal(await signed({}, { kid: keys.kid, key: other.privateKey }))).toMatch(/signature/);
    // The trusted key under its own id is accepted.
    expect((await verifier.verify(await signed({}, { kid: keys.kid }))).agency).toBe('ods:RR8');
  });

  describe('HS/RS confusion: HS256 with the public key as the HMAC secret', () => {
    async function rsIssuer(format: 'pem' | 'jwk') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-idp-'));
      const idp = await generateKeyPair('RS256', { extractable: true });
      const publicText = format === 'pem' ? await exportSPKI(idp.publicKey) : JSON.stringify({ ...(await exportJWK(idp.publicKey)), kid: 'rs-1' });
      fs.writeFileSync(path.join(dir, `rr8.${format}`), publicText);
      fs.writeFileSync(
        path.join(dir, 'agencies.yaml'),
        `agencies:\n  - id: ods:RR8\n    name: Leeds Teaching Hospitals\n    issuers:\n      - issuer: https://login.rr8.example\n        publicKeyFile: rr8.${format}\n        algorithm: RS256\n`,
      );
      return { verifier: await TokenVerifier.create(loadAgencies(dir), AUD, null), idp, publicText };
    }

    for (const format of ['pem', 'jwk'] as const) {
      it(`is refused when the issuer's key is configured as ${format.toUpperCase()} (and the RS256 token itself passes)`, async () => {
        const { verifier: rs, idp, publicText } = await rsIssuer(format);
        const iss = 'https://login.rr8.example';
        expect((await rs.verify(await signed({}, { iss, alg: 'RS256', key: idp.privateKey, ...(format === 'jwk' ? { kid: 'rs-1' } : {}) }))).agency).toBe('ods:RR8');
        for (const secret of [publicText, publicText.trim(), `${publicText.trim()}\n`]) {
          for (const alg of ['HS256', 'HS384', 'HS512']) {
            const forged = await signed({}, { iss, alg, key: new TextEncoder().encode(secret) });
            expect(await refusal(forged, rs)).toMatch(/shared-secret algorithm/);
          }
        }
      });
    }

    it('a shared-secret (oct) JWK is refused as an issuer key at start-up', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-idp-'));
      fs.writeFileSync(path.join(dir, 'k.jwk'), JSON.stringify({ kty: 'oct', k: Buffer.from('a-secret-that-anyone-with-the-file-could-use').toString('base64url') }));
      fs.writeFileSync(path.join(dir, 'agencies.yaml'), 'agencies:\n  - id: ods:RR8\n    name: Leeds\n    issuers:\n      - issuer: https://x.example\n        publicKeyFile: k.jwk\n        algorithm: RS256\n');
      await expect(TokenVerifier.create(loadAgencies(dir), AUD, null)).rejects.toThrow(/shared-secret \(oct\) key/);
    });
  });

  it('refuses garbage', async () => {
    expect(await refusal('not-a-jwt')).toMatch(/well-formed/);
  });

  it('refuses an agency that is not configured', async () => {
    expect(await refusal(await signed({ agency: 'ods:ZZZ' }))).toMatch(/not a participating agency/);
  });

  it('refuses a role that the agency cannot hold, and an unknown role', async () => {
    expect(await refusal(await signed({ role: 'la-social-worker' }))).toMatch(/local-authority/);
    expect(await refusal(await signed({ role: 'superuser' }))).toMatch(/not one of/);
  });

  it('refuses an unknown purpose but lets a missing purpose through for the policy to deny', async () => {
    expect(await refusal(await signed({ purpose_of_use: 'CURIOSITY' }))).toMatch(/purpose/);
    const r = await verifier.verify(await signed({ purpose_of_use: undefined }));
    expect(r.purpose).toBeNull();
  });

  it('trusts an issuer configured for an agency with its public key file, and only for that agency', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-idp-'));
    const idp = await generateKeyPair('ES256', { extractable: true });
    fs.writeFileSync(path.join(dir, 'leeds.pem'), await exportSPKI(idp.publicKey));
    fs.writeFileSync(
      path.join(dir, 'agencies.yaml'),
      'agencies:\n  - id: la:383\n    name: Leeds\n    issuers:\n      - issuer: https://login.leeds.example\n        publicKeyFile: leeds.pem\n  - id: la:201\n    name: City of London\n',
    );
    const prod = await TokenVerifier.create(loadAgencies(dir), AUD, null);
    const good = await signed({ agency: 'la:383', role: 'la-social-worker', purpose_of_use: 'safeguarding-s47' }, { iss: 'https://login.leeds.example', key: idp.privateKey });
    expect((await prod.verify(good)).agency).toBe('la:383');
    const elsewhere = await signed({ agency: 'la:201', role: 'la-social-worker' }, { iss: 'https://login.leeds.example', key: idp.privateKey });
    expect(await refusal(elsewhere, prod)).toMatch(/not trusted for agency la:201/);
    // With dev auth off, the development issuer is not trusted at all.
    expect(await refusal(await signed({ agency: 'la:383', role: 'la-social-worker' }), prod)).toMatch(/not trusted/);
  });
});

describe('sgw token (minting)', () => {
  it('refuses an unknown agency, a role the agency cannot hold, and an unknown purpose', async () => {
    const base = { sub: 'u', audience: AUD, expiresInSeconds: 60 };
    await expect(mintDevToken(keys, directory, { ...base, agency: 'ods:RYX', role: 'unscheduled-care' })).rejects.toThrow(/unknown agency/);
    await expect(mintDevToken(keys, directory, { ...base, agency: 'ods:RR8', role: 'la-social-worker' })).rejects.toThrow(/local-authority/);
    await expect(mintDevToken(keys, directory, { ...base, agency: 'ods:RR8', role: 'nurse' })).rejects.toThrow(/not one of/);
    await expect(mintDevToken(keys, directory, { ...base, agency: 'ods:RR8', role: 'unscheduled-care', purpose: 'FUN' })).rejects.toThrow(/unknown purpose/);
  });

  it('keeps the key pair across restarts (same data directory, same key)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-keys-'));
    const a = await loadOrCreateDevKeys(dir);
    const b = await loadOrCreateDevKeys(dir);
    expect(b.kid).toBe(a.kid);
    const mode = fs.statSync(path.join(dir, 'keys', 'dev-signing-key.jwk.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

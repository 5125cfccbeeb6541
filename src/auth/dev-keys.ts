import fs from 'node:fs';
import path from 'node:path';
import type { CryptoKey, JWK } from 'jose';
import { exportJWK, generateKeyPair, importJWK } from 'jose';

/** Issuer of development tokens minted by `sgw token`; trusted only while SGW_DEV_AUTH=on. */
export const DEV_ISSUER = 'urn:sgw:dev-issuer';
export const DEV_ALGORITHM = 'ES256';

export interface DevKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  kid: string;
}

function keyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'dev-signing-key.jwk.json');
}

/** The development key pair in the data directory, or null when none has been generated (the conformance runner never creates one). */
export async function loadDevKeysIfPresent(dataDir: string): Promise<DevKeys | null> {
  return fs.existsSync(keyFile(dataDir)) ? loadOrCreateDevKeys(dataDir) : null;
}

/**
 * Loads the development signing key pair from the data directory, generating it on first
 * use. The private key file is readable by its owner only.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<DevKeys> {
  const file = keyFile(dataDir);
  let jwk: JWK;
  if (fs.existsSync(file)) {
    jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } else {
    const pair = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
    jwk = { ...(await exportJWK(pair.privateKey)), alg: DEV_ALGORITHM, kid: `dev-${Date.now().toString(36)}` };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (gateway or `sgw token`) created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    }
  }
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, DEV_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, DEV_ALGORITHM)) as CryptoKey,
    kid: jwk.kid ?? 'dev',
  };
}

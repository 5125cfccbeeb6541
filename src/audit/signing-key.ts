/**
 * The audit signing key: an Ed25519 key that signs tree heads. It comes from configuration
 * (SGW_AUDIT_SIGNING_KEY_FILE, a PKCS#8 PEM private key), never from the database, so
 * someone who can rewrite the database cannot sign a head for a rewritten log. With
 * development auth on and no key configured, a development key is generated once under
 * the data directory. The key id is the public key's RFC 7638 JWK thumbprint, so a new
 * key (rotation) gets a new id with nothing to configure.
 */
import crypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import type { Config } from '../config/env.js';
import { ConfigError } from '../config/env.js';

/** A public key a verifier trusts for tree heads, under its key id. */
export interface AuditPublicKey {
  kid: string;
  key: KeyObject;
}

export interface AuditSigningKey extends AuditPublicKey {
  privateKey: KeyObject;
  /** The public key as a JWK with its kid (what GET /audit/head publishes). */
  publicJwk: JWK;
  /** True for the generated development key: for demos and synthetic data only. */
  dev: boolean;
}

export const TREE_HEAD_ALGORITHM = 'EdDSA';

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key: its key id. */
export function ed25519KeyId(publicKey: KeyObject): string {
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  // The required members in lexicographic order, no whitespace (RFC 7638 §3.2).
  return crypto.createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}

function publicJwkOf(publicKey: KeyObject, kid: string): JWK {
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  return { kty, crv, x, kid, alg: TREE_HEAD_ALGORITHM, use: 'sig' };
}

function signingKey(privateKey: KeyObject, dev: boolean): AuditSigningKey {
  const key = crypto.createPublicKey(privateKey);
  const kid = ed25519KeyId(key);
  return { privateKey, key, kid, publicJwk: publicJwkOf(key, kid), dev };
}

/** The signing key in a PKCS#8 PEM text; `where` names the variable and file for errors. */
export function signingKeyFromPem(pem: string, where: string, dev = false): AuditSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new ConfigError(`${where}: not a PEM private key (${(err as Error).message}); expected a PKCS#8 Ed25519 key, e.g. from: openssl genpkey -algorithm ed25519 -out audit-signing-key.pem`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`${where}: the key is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}; expected an Ed25519 private key (PKCS#8 PEM), e.g. from: openssl genpkey -algorithm ed25519`);
  }
  return signingKey(privateKey, dev);
}

/** Loads SGW_AUDIT_SIGNING_KEY_FILE; a missing, unreadable or wrong key stops start-up naming the variable. */
export function loadAuditSigningKeyFile(file: string): AuditSigningKey {
  const where = `SGW_AUDIT_SIGNING_KEY_FILE=${file}`;
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return signingKeyFromPem(pem, where);
}

function devKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-signing-key.pem');
}

/** The development signing key under the data directory, if one was generated. */
export function readDevAuditKey(dataDir: string): AuditSigningKey | undefined {
  const file = devKeyFile(dataDir);
  if (!fs.existsSync(file)) return undefined;
  return signingKeyFromPem(fs.readFileSync(file, 'utf8'), file, true);
}

/**
 * Loads the development signing key from the data directory, generating it on first use
 * (readable by its owner only). Only for SGW_DEV_AUTH=on.
 */
export function loadOrCreateDevAuditKey(dataDir: string): AuditSigningKey {
  const existing = readDevAuditKey(dataDir);
  if (existing) return existing;
  const file = devKeyFile(dataDir);
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readDevAuditKey(dataDir)!;
  }
  return signingKey(privateKey, true);
}

/**
 * The public keys in a file a verifier was given: a PEM public key (or private key, whose
 * public half is taken), a JWK, or a JWK Set. A JWK keeps its own kid; others get their
 * thumbprint. Throws naming the file when it holds no Ed25519 key.
 */
export function publicKeysFromFile(file: string): AuditPublicKey[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--public-key ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const fromKey = (key: KeyObject, kid?: string): AuditPublicKey => {
    if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`--public-key ${file}: the key is ${key.asymmetricKeyType ?? 'not asymmetric'}; tree heads are signed with Ed25519`);
    return { kid: kid ?? ed25519KeyId(key), key };
  };
  try {
    if (text.includes('-----BEGIN')) return [fromKey(crypto.createPublicKey({ key: text, format: 'pem' }))];
    const doc = JSON.parse(text) as { keys?: unknown };
    const jwks = Array.isArray(doc.keys) ? (doc.keys as JWK[]) : [doc as JWK];
    return jwks.map((jwk) => {
      const { kty, crv, x, kid } = jwk;
      return fromKey(crypto.createPublicKey({ key: { kty, crv, x } as crypto.JsonWebKey, format: 'jwk' }), typeof kid === 'string' ? kid : undefined);
    });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`--public-key ${file}: expected a PEM public key, a JWK or a JWK Set of Ed25519 keys (${(err as Error).message})`);
  }
}

/**
 * The key the gateway signs tree heads with: the configured one, else (development auth
 * only) the development key under the data directory. With development auth off and no
 * key configured, start-up stops naming the variable.
 */
export function auditSigningKeyFor(config: Pick<Config, 'auditSigningKey' | 'devAuth' | 'dataDir'>): AuditSigningKey {
  if (config.auditSigningKey) return config.auditSigningKey;
  if (config.devAuth) return loadOrCreateDevAuditKey(config.dataDir);
  throw new ConfigError(
    'SGW_AUDIT_SIGNING_KEY_FILE is not set: with SGW_DEV_AUTH=off the gateway needs the key that signs audit tree heads, a PKCS#8 PEM Ed25519 private key held outside the database (openssl genpkey -algorithm ed25519 -out audit-signing-key.pem)',
  );
}

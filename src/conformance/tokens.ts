import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CryptoKey } from 'jose';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { DevKeys } from '../auth/dev-keys.js';
import { DEV_ALGORITHM } from '../auth/dev-keys.js';
import { mintDevToken } from '../auth/mint-token.js';
import type { AgencyDirectory } from '../config/agencies.js';
import type { TokenVariant } from './pack.js';
import { TOKEN_VARIANTS } from './pack.js';

/** A token a test step asks for. */
export interface TokenRequest {
  agency: string;
  role: string;
  purpose?: string | undefined;
  /** The user (sub) the token should name. */
  user: string;
  variant: TokenVariant;
}

/**
 * Where the runner's tokens come from. Resolves to null when the source cannot give that
 * token (the test is skipped, not failed); rejects when the source itself is broken.
 */
export type TokenSource = (req: TokenRequest) => Promise<string | null>;

/** How a step's token is described in reports: never the token itself. */
export function describeToken(req: TokenRequest | null): string {
  if (!req) return 'none';
  return [req.agency, req.role, req.purpose ?? '(no purpose)', req.variant === 'valid' ? '' : `[${req.variant}]`].filter(Boolean).join(' ');
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The variants the runner makes from a valid token without any key: `alg-none` (the same
 * claims, unsigned, header alg none) and `tampered` (the role claim changed after signing,
 * the signature kept). A gateway must refuse both.
 */
export function deriveVariant(valid: string, variant: 'alg-none' | 'tampered'): string {
  const [header, payload, signature] = valid.split('.');
  if (!header || !payload || signature === undefined) throw new Error('the token source gave a token that is not a JWS compact serialisation');
  const claims = decodeJwt(valid);
  if (variant === 'alg-none') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
  return `${header}.${b64url({ ...claims, role: 'auditor', purpose_of_use: 'audit' })}.${signature}`;
}

/** Source wrapper: derives `alg-none` and `tampered` from the valid token of the same request. */
export function withDerivedVariants(source: TokenSource): TokenSource {
  return async (req) => {
    if (req.variant !== 'alg-none' && req.variant !== 'tampered') return source(req);
    const valid = await source({ ...req, variant: 'valid' });
    return valid === null ? null : deriveVariant(valid, req.variant);
  };
}

/** Source wrapper: one token per distinct request for the whole run. */
export function cachedTokens(source: TokenSource): TokenSource {
  const cache = new Map<string, Promise<string | null>>();
  return (req) => {
    const key = JSON.stringify([req.agency, req.role, req.purpose ?? null, req.user, req.variant]);
    let hit = cache.get(key);
    if (!hit) {
      hit = source(req);
      cache.set(key, hit);
    }
    return hit;
  };
}

/**
 * Tokens signed with this deployment's development key (the key `sgw token` uses), for a
 * gateway on the same machine: the README's, or one started by a test. Every variant can
 * be made: an expired or not-yet-valid token, another audience or issuer, and a token
 * signed by a key the gateway has never seen.
 */
export function devKeyTokenSource(keys: DevKeys, directory: AgencyDirectory, audience: string): TokenSource {
  let stranger: Promise<CryptoKey> | null = null;
  return withDerivedVariants(async (req) => {
    const valid = await mintDevToken(keys, directory, { agency: req.agency, role: req.role, purpose: req.purpose, sub: req.user, audience, expiresInSeconds: 3600 });
    if (req.variant === 'valid') return valid;
    const claims = decodeJwt(valid);
    const now = Math.floor(Date.now() / 1000);
    const edited = { ...claims };
    let key: CryptoKey = keys.privateKey;
    let kid = decodeProtectedHeader(valid).kid ?? keys.kid;
    switch (req.variant) {
      case 'expired':
        Object.assign(edited, { iat: now - 7200, exp: now - 3600 });
        break;
      case 'not-yet-valid':
        Object.assign(edited, { nbf: now + 3600, exp: now + 7200 });
        break;
      case 'wrong-audience':
        edited.aud = `${audience}-elsewhere`;
        break;
      case 'wrong-issuer':
        edited.iss = 'urn:sgw:conformance:unknown-issuer';
        break;
      case 'unknown-key':
        stranger ??= generateKeyPair(DEV_ALGORITHM).then((p) => p.privateKey);
        key = await stranger;
        kid = `${kid}-stranger`;
        break;
    }
    return new SignJWT(edited).setProtectedHeader({ alg: DEV_ALGORITHM, kid, typ: 'JWT' }).sign(key);
  });
}

const TokensFileSchema = z
  .object({
    tokens: z.array(
      z
        .object({
          agency: z.string().min(1),
          role: z.string().min(1),
          purpose: z.string().min(1).optional(),
          variant: z.enum(TOKEN_VARIANTS).default('valid'),
          token: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict();

/**
 * Tokens listed in a YAML or JSON file (`tokens: [{ agency, role, purpose, variant, token }]`),
 * for a deployment whose identity provider issues them out of band. A token the file does
 * not list skips the tests that need it. The user is whatever the token names.
 */
export function fileTokenSource(file: string): TokenSource {
  const parsed = TokensFileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const tokens = parsed.data.tokens;
  return (req) =>
    Promise.resolve(tokens.find((t) => t.agency === req.agency && t.role === req.role && (t.purpose ?? null) === (req.purpose ?? null) && t.variant === req.variant)?.token ?? null);
}

/** Exit status by which a token command says it cannot make this token (the test is skipped). */
export const TOKEN_COMMAND_CANNOT = 3;

/**
 * Tokens printed by a command of the integrator's (run through the shell), told what is
 * wanted in SGW_TOKEN_AGENCY, SGW_TOKEN_ROLE, SGW_TOKEN_PURPOSE (empty for none),
 * SGW_TOKEN_USER and SGW_TOKEN_VARIANT. The token is its standard output, trimmed. Exit
 * status 3, or nothing printed, means it cannot make that token; any other failure stops
 * the run with the command's standard error.
 */
export function commandTokenSource(command: string): TokenSource {
  return (req) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, {
        shell: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SGW_TOKEN_AGENCY: req.agency, SGW_TOKEN_ROLE: req.role, SGW_TOKEN_PURPOSE: req.purpose ?? '', SGW_TOKEN_USER: req.user, SGW_TOKEN_VARIANT: req.variant },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        const token = out.trim();
        if (code === TOKEN_COMMAND_CANNOT || (code === 0 && token === '')) resolve(null);
        else if (code === 0) resolve(token);
        else reject(new Error(`--token-command exited ${String(code)} for ${describeToken(req)}: ${err.trim().slice(0, 500)}`));
      });
    });
}

/** The user a token names (its sub), for finding its requests in the audit trail; null when it is not a JWT. */
export function tokenUser(token: string): string | null {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

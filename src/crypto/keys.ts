/**
 * The deployment's secret keys, held outside the database: the linkage secret (from which
 * every pseudonym and Bloom-filter encoding key is derived) and one or more 32-byte data
 * keys per agency (which seal that agency's sensitive payloads). In production they come
 * from the environment or from files a secrets manager mounts; the database only ever
 * holds what these keys produced (pseudonyms, envelopes) and key ids.
 *
 *   SGW_LINKAGE_KEY        base64 of at least 32 random bytes, or
 *   SGW_LINKAGE_KEY_FILE   a file holding that base64 text
 *   SGW_DATA_KEYS_FILE     JSON or YAML: agency id → base64 key, or
 *                          agency id → { active: kid, keys: { kid: base64, … } } (rotation)
 *
 * A development key set, derived from a fixed published seed, exists for demos and tests:
 * it is labelled as such (`dev: true`, key ids 'dev-not-for-production') and is only used
 * when the caller asks for it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/env.js';

/** Bytes of an AES-256 data key. */
export const DATA_KEY_BYTES = 32;
/** Minimum bytes of the linkage secret (HMAC-SHA-256 and HKDF-SHA-256 gain nothing beyond the hash size, but lose below it). */
export const MIN_LINKAGE_SECRET_BYTES = 32;

const KID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

export interface DataKey {
  agency: string;
  /** Key id, stored in every envelope sealed with this key, so a rotated-out key still opens old envelopes. */
  kid: string;
  key: Buffer;
}

/** An agency's data keys: the active one seals, any of them opens what it sealed. */
export interface DataKeyRing {
  /** The key that seals new payloads of this agency; throws a ConfigError when the agency has none. */
  active(agency: string): DataKey;
  /** The key with this id, or undefined (unknown agency or key id). */
  find(agency: string, kid: string): DataKey | undefined;
  /** Agencies with at least one key (empty for the development ring, which derives a key for any agency). */
  agencies(): string[];
}

export interface KeySet {
  linkageSecret: Buffer;
  dataKeys: DataKeyRing;
  /** True for the development key set: never for production data. */
  dev: boolean;
}

/**
 * Decodes base64 (standard or URL-safe, padding optional) strictly: Buffer.from silently
 * skips characters it does not know, so a truncated or mangled key would load as a
 * different, shorter key. `where` names the variable, file or field for the error.
 */
export function decodeKey(text: unknown, where: string, bytes: { exactly?: number; atLeast?: number }): Buffer {
  if (typeof text !== 'string' || text.trim() === '') throw new ConfigError(`${where}: expected a base64 key, got ${text === undefined ? 'nothing' : typeof text === 'string' ? 'an empty string' : typeof text}`);
  const t = text.trim();
  const standard = BASE64_RE.test(t.length % 4 === 0 ? t : t + '='.repeat((4 - (t.length % 4)) % 4));
  if (!standard && !BASE64URL_RE.test(t)) throw new ConfigError(`${where}: not base64 (only A–Z, a–z, 0–9, +, / or -, _ and = padding are allowed)`);
  const key = Buffer.from(t, standard ? 'base64' : 'base64url');
  if (bytes.exactly !== undefined && key.length !== bytes.exactly) {
    throw new ConfigError(`${where}: the key is ${key.length} bytes; expected exactly ${bytes.exactly} (generate one with: node -e "console.log(require('crypto').randomBytes(${bytes.exactly}).toString('base64'))")`);
  }
  if (bytes.atLeast !== undefined && key.length < bytes.atLeast) {
    throw new ConfigError(`${where}: the key is ${key.length} bytes; expected at least ${bytes.atLeast} random bytes`);
  }
  return key;
}

/** A fresh random key as base64, for operators creating a key file. */
export function generateKeyBase64(bytes = DATA_KEY_BYTES): string {
  return crypto.randomBytes(bytes).toString('base64');
}

/** The linkage secret from SGW_LINKAGE_KEY or SGW_LINKAGE_KEY_FILE (exactly one of them), or undefined when neither is set. */
export function loadLinkageSecret(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const inline = env.SGW_LINKAGE_KEY;
  const file = env.SGW_LINKAGE_KEY_FILE;
  if (inline && file) throw new ConfigError('SGW_LINKAGE_KEY and SGW_LINKAGE_KEY_FILE are both set: set one of them');
  if (inline) return decodeKey(inline, 'SGW_LINKAGE_KEY', { atLeast: MIN_LINKAGE_SECRET_BYTES });
  if (file) return decodeKey(readFile(file, 'SGW_LINKAGE_KEY_FILE'), `SGW_LINKAGE_KEY_FILE=${file}`, { atLeast: MIN_LINKAGE_SECRET_BYTES });
  return undefined;
}

function readFile(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${variable}=${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * Parses a data-keys document (already read from JSON or YAML). `where` names its source
 * in errors, which point at the field ('la:383.keys.k2').
 */
export function parseDataKeys(doc: unknown, where: string): DataKeyRing {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${where}: expected a mapping of agency id to a base64 key or to { active, keys }`);
  const byAgency = new Map<string, { active: string; keys: Map<string, DataKey> }>();
  for (const [agency, value] of Object.entries(doc as Record<string, unknown>)) {
    const field = `${where}: ${agency}`;
    const keys = new Map<string, DataKey>();
    let active: string;
    if (typeof value === 'string') {
      active = 'k1';
      keys.set(active, { agency, kid: active, key: decodeKey(value, field, { exactly: DATA_KEY_BYTES }) });
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as { active?: unknown; keys?: unknown };
      if (v.keys === null || typeof v.keys !== 'object' || Array.isArray(v.keys)) throw new ConfigError(`${field}.keys: expected a mapping of key id to base64 key`);
      for (const [kid, text] of Object.entries(v.keys as Record<string, unknown>)) {
        if (!KID_RE.test(kid)) throw new ConfigError(`${field}.keys.${kid}: a key id is 1–64 letters, digits, '.', '_', ':' or '-'`);
        keys.set(kid, { agency, kid, key: decodeKey(text, `${field}.keys.${kid}`, { exactly: DATA_KEY_BYTES }) });
      }
      if (typeof v.active !== 'string') throw new ConfigError(`${field}.active: expected the id of the key that seals new payloads`);
      if (!keys.has(v.active)) throw new ConfigError(`${field}.active: '${v.active}' is not one of its keys (${[...keys.keys()].join(', ') || 'none'})`);
      active = v.active;
    } else {
      throw new ConfigError(`${field}: expected a base64 key or { active, keys }`);
    }
    byAgency.set(agency, { active, keys });
  }
  return {
    active(agency) {
      const a = byAgency.get(agency);
      if (!a) throw new ConfigError(`${where}: no data key for agency ${agency}`);
      return a.keys.get(a.active)!;
    },
    find: (agency, kid) => byAgency.get(agency)?.keys.get(kid),
    agencies: () => [...byAgency.keys()],
  };
}

/** The data keys from SGW_DATA_KEYS_FILE (JSON or YAML), or undefined when it is not set. */
export function loadDataKeys(env: NodeJS.ProcessEnv = process.env): DataKeyRing | undefined {
  const file = env.SGW_DATA_KEYS_FILE;
  if (!file) return undefined;
  const text = readFile(file, 'SGW_DATA_KEYS_FILE');
  let doc: unknown;
  try {
    doc = parseYaml(text) as unknown; // YAML is a superset of JSON
  } catch (err) {
    throw new ConfigError(`SGW_DATA_KEYS_FILE=${file}: not valid JSON or YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return parseDataKeys(doc, `SGW_DATA_KEYS_FILE=${file}`);
}

/**
 * The development key set. Its seed is in this source file, so anything it protects is
 * protected from no one: for demos, tests and synthetic data only.
 */
export const DEV_KID = 'dev-not-for-production';
const DEV_SEED = Buffer.from('safeguarding-gateway development keys: NOT FOR PRODUCTION, synthetic data only');

function devDerive(info: string, bytes: number): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', DEV_SEED, 'sgw-dev-keys', info, bytes));
}

export function devKeySet(): KeySet {
  const cache = new Map<string, DataKey>();
  const key = (agency: string): DataKey => {
    let k = cache.get(agency);
    if (!k) cache.set(agency, (k = { agency, kid: DEV_KID, key: devDerive(`data-key:${agency}`, DATA_KEY_BYTES) }));
    return k;
  };
  return {
    linkageSecret: devDerive('linkage-secret', 32),
    dataKeys: { active: key, find: (agency, kid) => (kid === DEV_KID ? key(agency) : undefined), agencies: () => [] },
    dev: true,
  };
}

/**
 * The deployment's key set from the environment. With neither the linkage key nor the
 * data keys file set, `allowDev` gives the development key set (for the embedded demo);
 * otherwise both must be present, and a ConfigError names what is missing or malformed.
 */
export function loadKeySet(env: NodeJS.ProcessEnv = process.env, options: { allowDev?: boolean } = {}): KeySet {
  const linkageSecret = loadLinkageSecret(env);
  const dataKeys = loadDataKeys(env);
  if (linkageSecret === undefined && dataKeys === undefined && options.allowDev) return devKeySet();
  if (linkageSecret === undefined) throw new ConfigError('SGW_LINKAGE_KEY (or SGW_LINKAGE_KEY_FILE) is not set: the linkage secret, base64 of at least 32 random bytes');
  if (dataKeys === undefined) throw new ConfigError('SGW_DATA_KEYS_FILE is not set: a JSON or YAML file of agency id → base64 32-byte data key');
  return { linkageSecret, dataKeys, dev: false };
}

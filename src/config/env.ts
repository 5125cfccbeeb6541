import path from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../paths.js';
import type { AuditSigningKey } from '../audit/signing-key.js';
import { loadAuditSigningKeyFile } from '../audit/signing-key.js';
import type { KeySet } from '../crypto/keys.js';
import type { RateLimitSettings } from '../api/rate-limit.js';
import { loadKeySet } from '../crypto/keys.js';
import type { PgTimeouts } from '../store/pg-db.js';

/** Start-up configuration problem: names the variable or file and what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const onOff = z.enum(['on', 'off']).transform((v) => v === 'on');
const wholeMs = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number of milliseconds' })
    .int('expected a whole number of milliseconds')
    .min(min, `expected at least ${min} ms`)
    .max(max, `expected at most ${max} ms`);

const perMinute = z.coerce.number({ error: 'expected a number of requests a minute' }).int('expected a whole number of requests a minute').min(1, 'expected at least 1 request a minute');
const burst = z.coerce.number({ error: 'expected a number of requests' }).int('expected a whole number of requests').min(1, 'expected at least 1 request');

const EnvSchema = z.object({
  PORT: z.coerce.number({ error: 'expected a port number from 0 to 65535' }).int('expected a whole port number').min(0).max(65535).default(8080),
  SGW_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  SGW_DB_CONNECT_TIMEOUT_MS: wholeMs(100, 600_000).default(5_000),
  SGW_DB_STATEMENT_TIMEOUT_MS: wholeMs(100, 3_600_000).default(30_000),
  SGW_DATA_DIR: z.string().min(1).default('./data'),
  SGW_CONFIG_DIR: z.string().min(1).default(path.join(PACKAGE_ROOT, 'config')),
  SGW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SGW_TOKEN_AUDIENCE: z.string().min(1).default('safeguarding-gateway'),
  SGW_DEV_AUTH: onOff.default(true),
  SGW_MAX_BODY_BYTES: z.coerce.number({ error: 'expected a number of bytes' }).int().min(1024).max(512 * 1024 * 1024).default(10 * 1024 * 1024),
  SGW_CPIS_INDEX_SIZE: z.coerce.number({ error: 'expected a number of NHS numbers' }).int('expected a whole number').min(0).max(10_000_000).default(50_000),
  SGW_PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SGW_MATCHING_MODE: z.enum(['clear', 'pseudonymised']).default('clear'),
  SGW_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  SGW_AUDIT_HEAD_INTERVAL_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int('expected a whole number of seconds')
    .min(1, 'expected at least 1 second')
    .max(86_400, 'expected at most 86400 seconds (a day)')
    .default(60),
  SGW_AUDIT_HEADS_FILE: z.string().min(1).optional(),
  SGW_ALERT_SWEEP_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int('expected a whole number of seconds')
    .min(1, 'expected at least 1 second')
    .max(86_400, 'expected at most 86400 seconds (a day)')
    .default(300),
  SGW_RATE_LIMIT: onOff.default(true),
  SGW_RATE_LIMIT_PER_MINUTE: perMinute.default(600_000),
  SGW_RATE_LIMIT_BURST: burst.default(20_000),
  SGW_RATE_LIMIT_ANONYMOUS_PER_MINUTE: perMinute.default(6_000),
  SGW_RATE_LIMIT_ANONYMOUS_BURST: burst.default(1_000),
  SGW_TRUST_PROXY: z.coerce.number({ error: 'expected the number of proxies in front of the gateway' }).int('expected a whole number of proxies').min(0).max(10).default(0),
  SGW_WEBHOOKS: onOff.default(true),
  SGW_WEBHOOK_POLL_INTERVAL_MS: wholeMs(50, 3_600_000).default(1000),
  SGW_WEBHOOK_MAX_ATTEMPTS: z.coerce.number({ error: 'expected a whole number of attempts' }).int('expected a whole number of attempts').min(1, 'expected at least 1 attempt').max(100, 'expected at most 100 attempts').default(12),
  SGW_WEBHOOK_BACKOFF_BASE_MS: wholeMs(10, 86_400_000).default(10_000),
  SGW_WEBHOOK_TIMEOUT_MS: wholeMs(100, 120_000).default(10_000),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** Bounds on every wait for a PostgreSQL server (docs/database-outage.md); PGlite ignores them. */
  dbTimeouts: PgTimeouts;
  dataDir: string;
  configDir: string;
  logLevel: z.infer<typeof EnvSchema>['SGW_LOG_LEVEL'];
  tokenAudience: string;
  devAuth: boolean;
  maxBodyBytes: number;
  /** NHS numbers the CP-IS in-memory index keeps (least recently asked dropped first); 0 turns it off. */
  cpisIndexSize: number;
  /** How the person index matches: on clear demographics, or only on pseudonyms (keys from SGW_LINKAGE_KEY and SGW_DATA_KEYS_FILE). */
  matchingMode: 'clear' | 'pseudonymised';
  /** The linkage secret and agencies' data keys, loaded when matching is pseudonymised. */
  keys: KeySet | undefined;
  publicBaseUrl: string;
  /** The key that signs audit tree heads (SGW_AUDIT_SIGNING_KEY_FILE), when one is configured. */
  auditSigningKey: AuditSigningKey | undefined;
  /** How often the gateway signs a tree head when the audit log grew. */
  auditHeadIntervalSeconds: number;
  /** Where each signed tree head is appended as a JSON line (outside the database). */
  auditHeadsFile: string;
  /** How often the time-driven alert rules are evaluated over stored data (SGW_ALERT_SWEEP_SECONDS). */
  alertSweepSeconds: number;
  /** Webhook delivery (docs/webhooks.md): whether this process runs the worker, and its schedule. */
  webhooks: WebhookSettings;
  /** Per-agency and per-address rate limits, per process (docs/access-control.md). */
  rateLimits: RateLimitSettings;
  /** How many proxies' X-Forwarded-For to believe for the client address (0: none). */
  trustProxyHops: number;
}

export interface WebhookSettings {
  /** SGW_WEBHOOKS=off: this process delivers nothing (another process, or none, does). */
  enabled: boolean;
  pollIntervalMs: number;
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** The wait after the first failed attempt; each later one doubles it (plus jitter). */
  backoffBaseMs: number;
  /** How long one POST may take before it counts as failed. */
  timeoutMs: number;
}

/**
 * Reads and validates the gateway's configuration from environment variables. Any
 * wrong value stops start-up with a message naming the variable and what was expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const result = EnvSchema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = result.data;
  const dataDir = path.resolve(e.SGW_DATA_DIR);
  return {
    port: e.PORT,
    host: e.SGW_HOST,
    databaseUrl: e.DATABASE_URL,
    dbTimeouts: { connectTimeoutMs: e.SGW_DB_CONNECT_TIMEOUT_MS, statementTimeoutMs: e.SGW_DB_STATEMENT_TIMEOUT_MS },
    dataDir,
    configDir: path.resolve(e.SGW_CONFIG_DIR),
    logLevel: e.SGW_LOG_LEVEL,
    tokenAudience: e.SGW_TOKEN_AUDIENCE,
    devAuth: e.SGW_DEV_AUTH,
    maxBodyBytes: e.SGW_MAX_BODY_BYTES,
    cpisIndexSize: e.SGW_CPIS_INDEX_SIZE,
    matchingMode: e.SGW_MATCHING_MODE,
    // Development keys only with development auth (the embedded demo); otherwise both must be set.
    keys: e.SGW_MATCHING_MODE === 'pseudonymised' ? loadKeySet(env, { allowDev: e.SGW_DEV_AUTH }) : undefined,
    publicBaseUrl: (e.SGW_PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    auditSigningKey: e.SGW_AUDIT_SIGNING_KEY_FILE ? loadAuditSigningKeyFile(e.SGW_AUDIT_SIGNING_KEY_FILE) : undefined,
    auditHeadIntervalSeconds: e.SGW_AUDIT_HEAD_INTERVAL_SECONDS,
    auditHeadsFile: path.resolve(e.SGW_AUDIT_HEADS_FILE ?? path.join(dataDir, 'audit-heads.jsonl')),
    alertSweepSeconds: e.SGW_ALERT_SWEEP_SECONDS,
    rateLimits: {
      enabled: e.SGW_RATE_LIMIT,
      perMinute: e.SGW_RATE_LIMIT_PER_MINUTE,
      burst: e.SGW_RATE_LIMIT_BURST,
      anonymousPerMinute: e.SGW_RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      anonymousBurst: e.SGW_RATE_LIMIT_ANONYMOUS_BURST,
    },
    trustProxyHops: e.SGW_TRUST_PROXY,
    webhooks: {
      enabled: e.SGW_WEBHOOKS,
      pollIntervalMs: e.SGW_WEBHOOK_POLL_INTERVAL_MS,
      maxAttempts: e.SGW_WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: e.SGW_WEBHOOK_BACKOFF_BASE_MS,
      timeoutMs: e.SGW_WEBHOOK_TIMEOUT_MS,
    },
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import type { DevKeys } from '../../src/auth/dev-keys.js';
import './log-scan.global.js';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadConfig } from '../../src/config/env.js';
import type { Gateway } from '../../src/gateway.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import type { TestDb } from './test-db.js';
import { createTestDb } from './test-db.js';

export interface TestGateway {
  gateway: Gateway;
  testDb: TestDb;
  clock: { now: Date; advance(ms: number): void };
  /** Every log line the gateway wrote, for tests that check what logs contain. */
  logLines: string[];
  keys: DevKeys;
  token(agency: string, role: string, purpose?: string, sub?: string): Promise<string>;
  dispose(): Promise<void>;
}

export const HOUR = 3_600_000;

/** A gateway on a fresh test database, with the demo agencies, a dev key in a temp dir and a clock tests move. */
export async function createTestGateway(start = new Date('2026-11-20T10:00:00Z'), env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-test-'));
  // No timer-signed tree head in the middle of a test: tests sign heads when they mean to.
  const config = loadConfig({ SGW_DATA_DIR: dataDir, SGW_LOG_LEVEL: 'info', SGW_AUDIT_HEAD_INTERVAL_SECONDS: '86400', ...env });
  const testDb = await createTestDb();
  const clock = {
    now: new Date(start),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const logLines: string[] = [];
  // Every line also goes to the run's log file, which is scanned for personal data when the run ends (log-scan.global.ts).
  const runLog = inject('gatewayLogFile');
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      logLines.push(...text.split('\n').filter(Boolean));
      if (runLog) fs.appendFileSync(runLog, text.endsWith('\n') ? text : `${text}\n`);
      cb();
    },
  });
  // SGW_LOG_LEVEL in env sets the level (info unless told: debug for the log hygiene tests).
  const gateway = await createGateway(config, { db: testDb.db, now: () => clock.now, log: createLogger(config.logLevel, sink) });
  const keys = await loadOrCreateDevKeys(dataDir);
  return {
    gateway,
    testDb,
    clock,
    logLines,
    keys,
    token: (agency, role, purpose, sub = 'user-1') =>
      mintDevToken(keys, gateway.directory, { agency, role, purpose, sub, audience: config.tokenAudience, expiresInSeconds: 3600 }),
    async dispose() {
      await gateway.close();
      await testDb.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

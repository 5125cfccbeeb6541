import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { loadConfig } from '../../src/config/env.js';
import type { Gateway } from '../../src/gateway.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { careTeam, NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Two gateways on one database, as two processes behind a load balancer: what one records,
// the other's in-memory CP-IS index must not hide. On a PostgreSQL server the second has its
// own pool (another process's connections); PGlite has one connection, which both share.
let a: TestGateway;
let b: Gateway;
let bDb: Db;
let bDir: string;
let bLa: string;
let aClinician: string;

beforeAll(async () => {
  a = await createTestGateway();
  const url = process.env.SGW_TEST_DATABASE_URL;
  if (url) {
    const [row] = await a.testDb.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    bDb = openPostgres(url, { schema: row!.schema, max: 2 });
  } else {
    bDb = a.testDb.db;
  }
  bDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-test-b-'));
  const config = loadConfig({ SGW_DATA_DIR: bDir, SGW_LOG_LEVEL: 'silent', SGW_AUDIT_HEAD_INTERVAL_SECONDS: '86400' });
  b = await createGateway(config, { db: bDb, now: () => a.clock.now, log: createLogger('silent') });
  const keys = await loadOrCreateDevKeys(bDir);
  bLa = await mintDevToken(keys, b.directory, { agency: 'la:383', role: 'la-social-worker', purpose: 'safeguarding-s47', sub: 'sw-b', audience: config.tokenAudience, expiresInSeconds: 3600 });
  aClinician = await a.token('ods:RYJ', 'scheduled-care', 'TREAT');
});

afterAll(async () => {
  await b.close();
  if (bDb !== a.testDb.db) await bDb.close();
  await a.dispose();
  fs.rmSync(bDir, { recursive: true, force: true });
});

const askA = (nhs: string) =>
  request(a.gateway.app).get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`).set('Authorization', `Bearer ${aClinician}`).set('IsUnscheduledAccessEvent', 'false');

async function plansSeenByA(nhs: string): Promise<number> {
  const res = await askA(nhs);
  expect(res.status).toBe(200);
  return (res.body.entry ?? []).filter((e: { search?: { mode?: string } }) => e.search?.mode === 'match').length;
}

describe('the CP-IS answer with two gateways on one database', () => {
  it('shows a plan recorded through the other gateway, though this one had just answered that there was none', async () => {
    const nhs = testNhsNumber(7100);
    expect(await plansSeenByA(nhs)).toBe(0);
    expect(await plansSeenByA(nhs)).toBe(0); // now answered from A's index
    const recorded = await request(b.app).post('/fhir/CareTeam').set('Authorization', `Bearer ${bLa}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(careTeam(nhs)));
    expect(recorded.status).toBe(201);
    // The other gateway's notice arrives after its commit, not with it: within moments.
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      seen = await plansSeenByA(nhs);
      if (seen === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(1);
  });
});

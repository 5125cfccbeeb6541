import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/env.js';
import { TokenBuckets } from '../../src/api/rate-limit.js';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Per-agency limits (from the token) and per-address limits for requests without a valid
// token: 429, Retry-After in seconds, an OperationOutcome, and recovery once tokens refill.

let t: TestGateway;
let ed: string;
let edOther: string;
let la: string;
const CPIS = `/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${testNhsNumber(4300)}`;

const ask = (token: string) => request(t.gateway.app).get(CPIS).set('Authorization', `Bearer ${token}`).set('IsUnscheduledAccessEvent', 'false');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // 600 a minute is one every 100 ms: a test waits for recovery without waiting a minute.
  t = await createTestGateway(new Date(), {
    SGW_RATE_LIMIT_PER_MINUTE: '600',
    SGW_RATE_LIMIT_BURST: '5',
    SGW_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '60',
    SGW_RATE_LIMIT_ANONYMOUS_BURST: '3',
  });
  ed = await t.token('ods:RR8', 'scheduled-care', 'TREAT', 'gp-1');
  edOther = await t.token('ods:RR8', 'scheduled-care', 'TREAT', 'gp-2');
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
});
afterAll(async () => t.dispose());

function expectThrottled(res: request.Response) {
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0].code).toBe('throttled');
  expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_RATE_LIMITED');
}

describe('per-agency rate limit', () => {
  it('over the limit an agency gets 429 with Retry-After; another agency is unaffected; it recovers as the bucket refills', async () => {
    let last: request.Response;
    let answered = 0;
    // Two users of one agency share its limit (bounded: a slow machine refills a little meanwhile).
    while ((last = await ask(answered % 2 === 0 ? ed : edOther)).status === 200 && answered < 200) answered++;
    expect(answered).toBeGreaterThanOrEqual(5); // the burst
    expectThrottled(last);
    expect(last.body.issue[0].diagnostics).toMatch(/ods:RR8/);
    // The local authority has its own bucket.
    expect((await ask(la)).status).toBe(200);
    // Retry-After is whole seconds; one request's worth refills in 100 ms.
    await sleep(Number(last.headers['retry-after']) * 1000);
    expect((await ask(ed)).status).toBe(200);
  });

  it('a throttled request to an audited endpoint is audited as a denial against the agency', async () => {
    let res = await ask(ed);
    for (let i = 0; i < 200 && res.status !== 429; i++) res = await ask(ed);
    const [row] = await t.testDb.db.query<{ entry: { outcome: string; status: number; actor: { agency: string } } }>("SELECT entry FROM audit_log WHERE entry->>'requestId' = $1", [res.headers['x-request-id']]);
    expect(row?.entry).toMatchObject({ outcome: 'deny', status: 429, actor: { agency: 'ods:RR8' } });
    await sleep(1000);
  });
});

describe('per-address limit for requests without a valid token', () => {
  it('no credentials and refused tokens share the address limit; a valid token from the same address is not held to it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(t.gateway.app).get('/health/live')).status);
    const forged = await request(t.gateway.app).get(CPIS).set('Authorization', 'Bearer not.a.token');
    expectThrottled(forged);
    expect(statuses).toEqual([200, 200, 200]);
    expectThrottled(await request(t.gateway.app).get('/fhir/metadata'));
    // Same address (supertest's loopback), valid token: the agency's limit applies, not the address's.
    expect((await ask(la)).status).toBe(200);
    await sleep(1000);
    expect((await request(t.gateway.app).get('/health/live')).status).toBe(200);
  });
});

describe('token buckets', () => {
  it('allow a burst, then one request per refill interval, and say how long to wait', () => {
    let now = 0;
    const b = new TokenBuckets(60, 2, () => now); // one a second, two at once
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 1]);
    now = 500;
    expect(b.take('a')).toBe(1);
    now = 1000;
    expect(b.take('a')).toBe(0);
    expect(b.take('b')).toBe(0); // another key, its own bucket
    now = 1_000_000;
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 1]); // refilled to the burst, no further
  });

  it('say a wait of whole seconds, rounded up, at slow rates too', () => {
    const b = new TokenBuckets(1, 1, () => 0); // one a minute
    expect(b.take('x')).toBe(0);
    expect(b.take('x')).toBe(60);
  });
});

describe('configuration', () => {
  it('defaults leave the CP-IS benchmark (about 5,000 requests a second from one agency) unthrottled', () => {
    const c = loadConfig({});
    expect(c.rateLimits.enabled).toBe(true);
    expect(c.rateLimits.perMinute / 60).toBeGreaterThanOrEqual(5_000 * 1.5);
    expect(loadConfig({ SGW_RATE_LIMIT: 'off' }).rateLimits.enabled).toBe(false);
  });

  it('a bad value names the variable and what was expected', () => {
    expect(() => loadConfig({ SGW_RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ SGW_RATE_LIMIT_BURST: '0' })).toThrow(/SGW_RATE_LIMIT_BURST="0": expected at least 1 request/);
  });
});

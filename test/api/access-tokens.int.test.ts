import type { CryptoKey } from 'jose';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ISSUER } from '../../src/auth/dev-keys.js';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

// Every kind of bad token, over HTTP: 401 with WWW-Authenticate invalid_token, an
// OperationOutcome naming the Authorization header, nothing answered, and the refusal audited.

let t: TestGateway;
const AUD = 'safeguarding-gateway';
const CPIS = `/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${testNhsNumber(4100)}`;
const now = () => Math.floor(Date.now() / 1000);

interface Forge {
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  alg?: string;
  kid?: string;
  jti?: string;
  sub?: string;
  key?: CryptoKey | Uint8Array;
  claims?: Record<string, unknown>;
}

/** A token like an A&E clinician's, signed with the development key unless told otherwise. */
function token(f: Forge = {}): Promise<string> {
  const jwt = new SignJWT({ agency: 'ods:RR8', role: 'unscheduled-care', purpose_of_use: 'TREAT', ...f.claims })
    .setProtectedHeader({ alg: f.alg ?? 'ES256', kid: f.kid ?? t.keys.kid })
    .setIssuer(f.iss ?? DEV_ISSUER)
    .setAudience(f.aud ?? AUD)
    .setSubject(f.sub ?? 'dr-tokens')
    .setIssuedAt(f.iat ?? now())
    .setExpirationTime(f.exp ?? now() + 3600);
  if (f.nbf !== undefined) jwt.setNotBefore(f.nbf);
  if (f.jti !== undefined) jwt.setJti(f.jti);
  return jwt.sign(f.key ?? t.keys.privateKey);
}

function ask(bearer: string) {
  return request(t.gateway.app).get(CPIS).set('Authorization', `Bearer ${bearer}`).set('IsUnscheduledAccessEvent', 'true');
}

/** The audit entry of one request, by the request id the gateway answered with. */
async function auditOf(requestId: string) {
  const rows = await t.testDb.db.query<{ entry: { outcome: string; status: number; reason: string; actor: { agency: string | null } } }>("SELECT entry FROM audit_log WHERE entry->>'requestId' = $1", [requestId]);
  return rows.map((r) => r.entry);
}

/** Asserts what a caller and an auditor see of a refused token; returns the diagnostics. */
async function refused(bearer: string): Promise<string> {
  const res = await ask(bearer);
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer realm="safeguarding-gateway", error="invalid_token"');
  expect(res.body.resourceType).toBe('OperationOutcome');
  const issue = res.body.issue[0];
  expect(issue.code).toBe('login');
  expect(issue.expression).toEqual(['Authorization']);
  expect(issue.details.coding[0].code).toBe('GW_ERR_AUTH_INVALID');
  expect(JSON.stringify(res.body)).not.toContain('CareTeam"');
  const audit = await auditOf(res.headers['x-request-id']!);
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ outcome: 'deny', status: 401 });
  expect(audit[0]!.reason).toContain('GW_ERR_AUTH_INVALID');
  return issue.diagnostics as string;
}

beforeAll(async () => {
  // The gateway's clock is the real one here: tokens are judged by it, and so is a revocation's time.
  t = await createTestGateway(new Date());
});
afterAll(async () => t.dispose());

describe('bad tokens over HTTP', () => {
  it('a good token is answered (the baseline the cases below differ from by one thing)', async () => {
    const res = await ask(await token());
    expect(res.status).toBe(200);
  });

  it('expired (beyond the 30 s clock skew)', async () => {
    expect(await refused(await token({ iat: now() - 7200, exp: now() - 60 }))).toMatch(/expired/);
  });

  it('not yet valid (nbf beyond the 30 s clock skew)', async () => {
    expect(await refused(await token({ nbf: now() + 90 }))).toMatch(/not valid yet/);
  });

  it('wrong issuer', async () => {
    expect(await refused(await token({ iss: 'https://login.attacker.example' }))).toMatch(/issuer .* is not trusted/);
  });

  it('wrong audience', async () => {
    expect(await refused(await token({ aud: 'https://another-service.example' }))).toMatch(/audience/);
  });

  it('unknown key: a kid the gateway does not trust, and an untrusted key under the trusted kid', async () => {
    expect(await refused(await token({ kid: 'stolen-or-made-up' }))).toMatch(/is not a key of issuer/);
    const rogue = await generateKeyPair('ES256');
    expect(await refused(await token({ key: rogue.privateKey }))).toMatch(/signature/);
  });

  it('alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iss: DEV_ISSUER, aud: AUD, sub: 'x', agency: 'ods:RR8', role: 'unscheduled-care', purpose_of_use: 'TREAT', iat: now(), exp: now() + 600 })).toString('base64url');
    expect(await refused(`${header}.${body}.`)).toMatch(/alg "none"/);
  });

  it('HS/RS confusion: HS256 keyed with the public key (JWK and PEM text)', async () => {
    const jwk = JSON.stringify(await exportJWK(t.keys.publicKey));
    const pem = await exportSPKI(t.keys.publicKey);
    for (const secret of [jwk, pem]) expect(await refused(await token({ alg: 'HS256', key: new TextEncoder().encode(secret) }))).toMatch(/shared-secret/);
  });

  it('a malformed Authorization header and a token that is not a JWT', async () => {
    expect(await refused('not-a-jwt')).toMatch(/well-formed/);
  });
});

describe('replayed after revocation', () => {
  let admin: string;

  beforeAll(async () => {
    admin = await t.token('ods:RR8', 'admin', 'audit', 'rr8-admin');
  });

  const revoke = (body: object, bearer = admin) => request(t.gateway.app).post('/admin/token-revocations').set('Authorization', `Bearer ${bearer}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

  it('a token accepted (and so cached) before is refused once an admin revokes its jti; other tokens of the user go on', async () => {
    const stolen = await token({ jti: 'tok-stolen-1' });
    const other = await token({ jti: 'tok-other-1' });
    expect((await ask(stolen)).status).toBe(200);
    expect((await ask(stolen)).status).toBe(200);
    const res = await revoke({ jti: 'tok-stolen-1', reason: 'device lost' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ agency: 'ods:RR8', jti: 'tok-stolen-1' });
    expect(await refused(stolen)).toMatch(/revoked/);
    expect((await ask(other)).status).toBe(200);
    // The revocation itself is audited, with the admin as actor.
    const [entry] = await auditOf(res.headers['x-request-id']!);
    expect(entry).toMatchObject({ outcome: 'permit', status: 201, actor: { agency: 'ods:RR8' } });
  });

  it("revoking a user refuses every token it was issued up to then, and a token issued afterwards works", async () => {
    const old = await token({ sub: 'dr-leaver', iat: now() - 600 });
    expect((await ask(old)).status).toBe(200);
    const at = new Date((now() - 60) * 1000).toISOString();
    expect((await revoke({ sub: 'dr-leaver', issuedBefore: at })).status).toBe(201);
    expect(await refused(old)).toMatch(/revocation/);
    expect((await ask(await token({ sub: 'dr-leaver', iat: now() }))).status).toBe(200);
    // Without issuedBefore: every token issued up to now.
    const current = await token({ sub: 'dr-leaver-2' });
    expect((await ask(current)).status).toBe(200);
    t.clock.now = new Date(Date.now() + 1000); // the test clock stands still unless moved
    expect((await revoke({ sub: 'dr-leaver-2' })).body.issuedBefore).toBeDefined();
    expect(await refused(current)).toMatch(/revocation/);
  });

  it("an admin revokes only its own agency's tokens: the same jti at another agency still works", async () => {
    const laAdmin = await t.token('la:383', 'admin', 'audit', 'la-admin');
    expect((await revoke({ jti: 'tok-shared-id' }, laAdmin)).status).toBe(201);
    expect((await ask(await token({ jti: 'tok-shared-id' }))).status).toBe(200);
  });

  it('only an admin may revoke, and a bad request says which field and changes nothing', async () => {
    const clinician = await token();
    const denied = await revoke({ jti: 'x' }, clinician);
    expect(denied.status).toBe(403);
    expect(denied.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_ROLE');
    const before = (await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM token_revocations'))[0]!.n;
    for (const [body, field] of [
      [{}, 'jti'],
      [{ jti: 'a', sub: 'b' }, 'jti'],
      [{ jti: 'a', issuedBefore: '2026-01-01T00:00:00Z' }, 'issuedBefore'],
      [{ sub: 'b', issuedBefore: 'yesterday' }, 'issuedBefore'],
      [{ sub: 'b', issuedBefore: new Date(Date.now() + 86_400_000).toISOString() }, 'issuedBefore'],
      [{ jti: 'a', colour: 'red' }, 'body'],
    ] as const) {
      const res = await revoke(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.issue.map((i: { expression?: string[] }) => i.expression?.[0]), JSON.stringify(body)).toContain(field);
    }
    expect((await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM token_revocations'))[0]!.n).toBe(before);
  });
});

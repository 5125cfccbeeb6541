import crypto from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries } from '../../src/audit/audit-log.js';
import { canonicalJson } from '../../src/audit/chain.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify.js';
import { verifySignedTreeHead } from '../../src/audit/tree-head.js';
import { auditEntry, storedEntries } from '../helpers/audit-log.js';
import { EDGE_SIZES, hex, mth } from '../helpers/rfc6962-reference.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

let t: TestGateway;
let auditor: string;

const get = (url: string, token: string | null = auditor) => {
  const r = request(t.gateway.app).get(url);
  return token ? r.set('Authorization', `Bearer ${token}`) : r;
};
const auditRows = async () => ((await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'))[0]!.n);
const append = (from: number, count: number) => t.testDb.db.transaction((tx) => appendAuditEntries(tx, Array.from({ length: count }, (_, i) => auditEntry(from + i))));
const roots = async () => {
  const leaves = (await storedEntries(t.testDb.db)).map((e) => Buffer.from(canonicalJson(e)));
  return (n: number) => hex(mth(leaves.slice(0, n)));
};

beforeAll(async () => {
  t = await createTestGateway();
  auditor = await t.token('la:383', 'auditor', 'audit', 'auditor-1');
});
afterAll(async () => t.dispose());

describe('the audit log tamper-evidence API', () => {
  it('has no head to give before the log holds an entry, nor any entry to prove', async () => {
    const res = await get('/audit/head');
    expect(res.status).toBe(404);
    expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_NOT_FOUND');
    expect(res.body.issue[0].diagnostics).toMatch(/no tree head has been signed yet/);
    const proof = await get('/audit/proof/inclusion?entry=1');
    expect(proof.status).toBe(400);
    expect(proof.body.issue[0]).toMatchObject({ expression: ['entry'], diagnostics: 'entry 1 is beyond the tree: the audit log holds no entries yet' });
  });

  it('gives the latest signed head with its public key as a JWK; the signature verifies with it', async () => {
    await append(1, 33);
    await t.gateway.ctx.treeHeads!.publishIfGrown();
    const res = await get('/audit/head');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(Object.keys(res.body).sort()).toEqual(['jws', 'keyId', 'publicKey', 'rootHash', 'timestamp', 'treeSize']);
    expect(res.body).toMatchObject({ treeSize: 33, timestamp: '2026-11-20T10:00:00.000Z', rootHash: (await roots())(33) });
    expect(res.body.publicKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: res.body.keyId });
    const key = crypto.createPublicKey({ key: res.body.publicKey, format: 'jwk' });
    const checked = await verifySignedTreeHead(res.body.jws, [{ kid: res.body.publicKey.kid, key }]);
    expect(checked).toMatchObject({ ok: true, head: { treeSize: 33, rootHash: res.body.rootHash } });
  });

  it('proves every entry is in the signed head (its size by default), and any entry in any size', async () => {
    const head = (await get('/audit/head')).body;
    for (let entry = 1; entry <= 33; entry++) {
      const res = await get(`/audit/proof/inclusion?entry=${entry}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ entry, leafIndex: entry - 1, treeSize: 33 });
      expect(verifyInclusion(res.body, head.rootHash), `entry ${entry}`).toBe(true);
    }
    await append(34, 7); // 40 entries, the head still at 33
    const rootOf = await roots();
    for (const size of [...EDGE_SIZES, 39, 40]) {
      for (const entry of new Set([1, Math.ceil(size / 2), size])) {
        const res = await get(`/audit/proof/inclusion?entry=${entry}&treeSize=${size}`);
        expect(res.body.rootHash).toBe(rootOf(size));
        expect(verifyInclusion(res.body, rootOf(size)), `entry ${entry} in ${size}`).toBe(true);
      }
    }
  });

  it('proves each tree extends the earlier ones, from the signed head to the next', async () => {
    const first = (await get('/audit/head')).body;
    t.clock.advance(60_000);
    await t.gateway.ctx.treeHeads!.publishIfGrown();
    const second = (await get('/audit/head')).body;
    expect(second.treeSize).toBe(40);
    const res = await get(`/audit/proof/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ firstSize: 33, secondSize: 40, firstRootHash: first.rootHash, secondRootHash: second.rootHash });
    expect(verifyConsistency(res.body, first.rootHash, second.rootHash)).toBe(true);
    const rootOf = await roots();
    for (const [from, to] of [[1, 1], [1, 2], [3, 4], [4, 8], [7, 9], [15, 16], [16, 17], [17, 32], [31, 33], [1, 40], [39, 40], [40, 40]] as const) {
      const r = await get(`/audit/proof/consistency?from=${from}&to=${to}`);
      expect(verifyConsistency(r.body, rootOf(from), rootOf(to)), `${from} → ${to}`).toBe(true);
    }
  });

  it('writes no audit entry of its own (hashes only, no personal data)', async () => {
    const before = await auditRows();
    await get('/audit/head');
    await get('/audit/proof/inclusion?entry=1');
    await get('/audit/proof/consistency?from=1&to=2');
    expect(await auditRows()).toBe(before);
  });

  it.each([
    ['/audit/proof/inclusion', 'GW_ERR_MISSING_PARAMETER', 'entry', /parameter entry is required: the sequence number of an audit entry/],
    ['/audit/proof/inclusion?entry=abc', 'GW_ERR_INVALID_PARAMETER', 'entry', /entry must be a whole number of at least 1 .*received 'abc'/],
    ['/audit/proof/inclusion?entry=0', 'GW_ERR_INVALID_PARAMETER', 'entry', /entry must be a whole number of at least 1/],
    ['/audit/proof/inclusion?entry=-3', 'GW_ERR_INVALID_PARAMETER', 'entry', /received '-3'/],
    ['/audit/proof/inclusion?entry=2.5', 'GW_ERR_INVALID_PARAMETER', 'entry', /received '2.5'/],
    ['/audit/proof/inclusion?entry=1&entry=2', 'GW_ERR_INVALID_PARAMETER', 'entry', /give 'entry' once/],
    ['/audit/proof/inclusion?entry=41', 'GW_ERR_INVALID_PARAMETER', 'entry', /entry 41 is beyond the tree of the latest signed head, 40 entries; expected an entry from 1 to 40/],
    ['/audit/proof/inclusion?entry=30&treeSize=20', 'GW_ERR_INVALID_PARAMETER', 'entry', /entry 30 is beyond the tree of treeSize 20 entries; expected an entry from 1 to 20/],
    ['/audit/proof/inclusion?entry=1&treeSize=41', 'GW_ERR_INVALID_PARAMETER', 'treeSize', /treeSize 41 is beyond the tree: the audit log holds 40 entries; expected a size from 1 to 40/],
    ['/audit/proof/inclusion?entry=1&treeSize=0', 'GW_ERR_INVALID_PARAMETER', 'treeSize', /treeSize must be a whole number of at least 1/],
    ['/audit/proof/inclusion?entry=1&size=4', 'GW_ERR_UNSUPPORTED_PARAMETER', 'size', /'size' is not supported here; supported: entry, treeSize/],
    ['/audit/proof/consistency?to=4', 'GW_ERR_MISSING_PARAMETER', 'from', /parameter from is required/],
    ['/audit/proof/consistency?from=4', 'GW_ERR_MISSING_PARAMETER', 'to', /parameter to is required/],
    ['/audit/proof/consistency?from=9&to=4', 'GW_ERR_INVALID_PARAMETER', 'from', /from \(9\) must not be greater than to \(4\)/],
    ['/audit/proof/consistency?from=0&to=4', 'GW_ERR_INVALID_PARAMETER', 'from', /from must be a whole number of at least 1/],
    ['/audit/proof/consistency?from=4&to=99', 'GW_ERR_INVALID_PARAMETER', 'to', /to 99 is beyond the tree: the audit log holds 40 entries; expected a size from 4 to 40/],
    ['/audit/head?treeSize=3', 'GW_ERR_UNSUPPORTED_PARAMETER', 'treeSize', /not supported here/],
  ])('GET %s → 400 %s naming %s', async (url, code, parameter, diagnostics) => {
    const res = await get(url);
    expect(res.status).toBe(400);
    const [issue] = res.body.issue;
    expect(issue.details.coding[0].code).toBe(code);
    expect(issue.expression).toEqual([parameter]);
    expect(issue.diagnostics).toMatch(diagnostics);
  });

  describe('only auditors and admins, for the audit purpose', () => {
    const urls = ['/audit/head', '/audit/proof/inclusion?entry=1', '/audit/proof/consistency?from=1&to=2'];

    it.each(urls)('GET %s: admin may', async (url) => {
      expect((await get(url, await t.token('ods:RR8', 'admin', 'audit'))).status).toBe(200);
    });

    it.each(urls)('GET %s: a social worker, a clinician and a school get 403 naming the roles allowed', async (url) => {
      for (const token of [await t.token('la:383', 'la-social-worker', 'safeguarding-s47'), await t.token('ods:RR8', 'unscheduled-care', 'TREAT'), await t.token('school:100000', 'school-dsl', 'safeguarding-s47')]) {
        const res = await get(url, token);
        expect(res.status).toBe(403);
        expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_ROLE');
        expect(res.body.issue[0].diagnostics).toMatch(/allowed roles: auditor, admin/);
      }
    });

    it.each(urls)('GET %s: an auditor for another purpose gets 403, without a token 401', async (url) => {
      const res = await get(url, await t.token('la:383', 'auditor', 'TREAT'));
      expect(res.status).toBe(403);
      expect(res.body.issue[0].details.coding[0].code).toBe('GW_ERR_FORBIDDEN_PURPOSE');
      expect((await get(url, null)).status).toBe(401);
    });
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, CompactSign } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { appendHeadLine, checkHeadsFileWritable, readTrustedHeads } from '../../src/audit/heads-file.js';
import { auditSigningKeyFor, loadAuditSigningKeyFile, loadOrCreateDevAuditKey, publicKeysFromFile, signingKeyFromPem } from '../../src/audit/signing-key.js';
import { signTreeHead, verifySignedTreeHead } from '../../src/audit/tree-head.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-heads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pem = () => crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const ROOT = 'ab'.repeat(32);

describe('signed tree heads', () => {
  const key = signingKeyFromPem(pem(), 'test');
  const trusted = [{ kid: key.kid, key: key.key }];

  it('names the key by its RFC 7638 thumbprint and publishes it as a JWK', async () => {
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk));
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA' });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('signs { treeSize, rootHash, timestamp, keyId } and verifies with the trusted key', async () => {
    const head = await signTreeHead(key, { treeSize: 7, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z' });
    expect(head).toMatchObject({ treeSize: 7, rootHash: ROOT, keyId: key.kid });
    expect(await verifySignedTreeHead(head.jws, trusted)).toEqual({ ok: true, head });
  });

  it('rejects a head signed by an unknown key, altered, in another algorithm, or naming another key', async () => {
    const stranger = signingKeyFromPem(pem(), 'stranger');
    const foreign = await signTreeHead(stranger, { treeSize: 7, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z' });
    expect(await verifySignedTreeHead(foreign.jws, trusted)).toEqual({ ok: false, problem: expect.stringMatching(`signed by key ${stranger.kid}, which is not among the trusted public keys \\(${key.kid}\\)`) });

    const head = await signTreeHead(key, { treeSize: 7, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z' });
    const [h, , s] = head.jws.split('.');
    const bigger = Buffer.from(JSON.stringify({ treeSize: 8, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z', keyId: key.kid })).toString('base64url');
    expect(await verifySignedTreeHead(`${h}.${bigger}.${s}`, trusted)).toMatchObject({ ok: false, problem: expect.stringMatching(/signature does not verify/) });
    expect(await verifySignedTreeHead('not.a.jws', trusted)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a compact JWS/) });

    const hs = await new CompactSign(Buffer.from('{}')).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new Uint8Array(32));
    expect(await verifySignedTreeHead(hs, trusted)).toMatchObject({ ok: false, problem: expect.stringMatching(/signed with HS256/) });

    const lying = await new CompactSign(Buffer.from(JSON.stringify({ treeSize: 7, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z', keyId: 'someone-else' })))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
      .sign(key.privateKey);
    expect(await verifySignedTreeHead(lying, trusted)).toMatchObject({ ok: false, problem: expect.stringMatching(/payload names key someone-else/) });

    const notAHead = await new CompactSign(Buffer.from(JSON.stringify({ treeSize: -1 }))).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).sign(key.privateKey);
    expect(await verifySignedTreeHead(notAHead, trusted)).toMatchObject({ ok: false, problem: expect.stringMatching(/payload is not a tree head \(treeSize/) });
  });

  it('after a rotation, heads of the retired key still verify when its public key is trusted too', async () => {
    const next = signingKeyFromPem(pem(), 'next');
    const old = await signTreeHead(key, { treeSize: 7, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z' });
    const fresh = await signTreeHead(next, { treeSize: 9, rootHash: ROOT, timestamp: '2026-11-21T10:00:00.000Z' });
    const both = [...trusted, { kid: next.kid, key: next.key }];
    expect((await verifySignedTreeHead(old.jws, both)).ok).toBe(true);
    expect((await verifySignedTreeHead(fresh.jws, both)).ok).toBe(true);
    expect((await verifySignedTreeHead(fresh.jws, trusted)).ok).toBe(false);
  });
});

describe('audit signing and public keys from files', () => {
  it('loads SGW_AUDIT_SIGNING_KEY_FILE, and stops naming the variable for a missing, non-PEM or non-Ed25519 key', () => {
    const good = write('good.pem', pem());
    expect(loadConfig({ SGW_AUDIT_SIGNING_KEY_FILE: good }).auditSigningKey?.kid).toBe(loadAuditSigningKeyFile(good).kid);
    const rsa = write('rsa.pem', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    for (const [file, message] of [
      [path.join(dir, 'absent.pem'), /cannot read the file \(ENOENT\)/],
      [write('junk.pem', 'hello'), /not a PEM private key/],
      [rsa, /the key is rsa; expected an Ed25519 private key/],
    ] as const) {
      expect(() => loadConfig({ SGW_AUDIT_SIGNING_KEY_FILE: file })).toThrow(ConfigError);
      expect(() => loadConfig({ SGW_AUDIT_SIGNING_KEY_FILE: file })).toThrow(new RegExp(`SGW_AUDIT_SIGNING_KEY_FILE=${file}: .*${message.source}`));
    }
  });

  it('generates a development key once under the data directory, only with development auth', () => {
    const dataDir = path.join(dir, 'data');
    const first = loadOrCreateDevAuditKey(dataDir);
    expect(loadOrCreateDevAuditKey(dataDir).kid).toBe(first.kid);
    expect(first.dev).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'keys', 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(auditSigningKeyFor(loadConfig({ SGW_DATA_DIR: dataDir })).kid).toBe(first.kid);
    const off = loadConfig({ SGW_DATA_DIR: dataDir, SGW_DEV_AUTH: 'off' });
    expect(() => auditSigningKeyFor(off)).toThrow(/SGW_AUDIT_SIGNING_KEY_FILE is not set: with SGW_DEV_AUTH=off/);
    const configured = write('configured.pem', pem());
    expect(auditSigningKeyFor(loadConfig({ SGW_DEV_AUTH: 'off', SGW_AUDIT_SIGNING_KEY_FILE: configured })).dev).toBe(false);
  });

  it('reads trusted public keys as PEM, JWK or JWK Set, keeping a JWK kid', () => {
    const k = signingKeyFromPem(pem(), 'k');
    const spki = write('pub.pem', k.key.export({ format: 'pem', type: 'spki' }).toString());
    expect(publicKeysFromFile(spki).map((p) => p.kid)).toEqual([k.kid]);
    expect(publicKeysFromFile(write('pub.jwk', JSON.stringify(k.publicJwk))).map((p) => p.kid)).toEqual([k.kid]);
    expect(publicKeysFromFile(write('named.jwk', JSON.stringify({ ...k.publicJwk, kid: 'key-2026' }))).map((p) => p.kid)).toEqual(['key-2026']);
    expect(publicKeysFromFile(write('set.json', JSON.stringify({ keys: [k.publicJwk, { ...k.publicJwk, kid: 'again' }] }))).map((p) => p.kid)).toEqual([k.kid, 'again']);
    expect(() => publicKeysFromFile(write('bad.json', '{"kty":"EC"}'))).toThrow(/--public-key .*bad.json: expected a PEM public key, a JWK or a JWK Set/);
    const ec = write('ec.pem', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString());
    expect(() => publicKeysFromFile(ec)).toThrow(/the key is ec; tree heads are signed with Ed25519/);
  });
});

describe('heads files', () => {
  it('appends one JSON line a head and reads back every head of a heads file, or one head, or a bare JWS', async () => {
    const key = signingKeyFromPem(pem(), 'k');
    const file = path.join(dir, 'sub', 'audit-heads.jsonl');
    const a = await signTreeHead(key, { treeSize: 1, rootHash: ROOT, timestamp: '2026-11-20T10:00:00.000Z' });
    const b = await signTreeHead(key, { treeSize: 2, rootHash: ROOT, timestamp: '2026-11-20T10:01:00.000Z' });
    appendHeadLine(file, a);
    appendHeadLine(file, b);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([a, b]);
    expect(readTrustedHeads(file)).toEqual([
      { jws: a.jws, source: `${file}:1` },
      { jws: b.jws, source: `${file}:2` },
    ]);
    expect(readTrustedHeads(write('head.json', JSON.stringify({ ...b, publicKey: key.publicJwk }, null, 2)))).toEqual([{ jws: b.jws, source: path.join(dir, 'head.json') }]);
    expect(readTrustedHeads(write('head.jws', `${a.jws}\n`))).toHaveLength(1);
    expect(() => readTrustedHeads(write('empty.jsonl', '\n'))).toThrow(/holds no signed head/);
    expect(() => readTrustedHeads(write('broken.jsonl', `${JSON.stringify(a)}\n{"jws":\n`))).toThrow(/broken.jsonl:2: the line is not JSON/);
    expect(() => readTrustedHeads(write('other.json', '{"hello":1}'))).toThrow(/expected a signed tree head/);
  });
});

describe('configuration of tree heads', () => {
  it('stops at start-up when the heads file cannot be appended to, naming the variable', () => {
    const file = path.join(dir, 'made', 'here', 'audit-heads.jsonl');
    checkHeadsFileWritable(file);
    expect(fs.existsSync(file)).toBe(true);
    const blocker = write('a-file', 'not a folder');
    expect(() => checkHeadsFileWritable(path.join(blocker, 'audit-heads.jsonl'))).toThrow(`SGW_AUDIT_HEADS_FILE=${blocker}/audit-heads.jsonl: cannot append to the file (`);
  });


  it('defaults to a head a minute into <SGW_DATA_DIR>/audit-heads.jsonl', () => {
    const c = loadConfig({ SGW_DATA_DIR: dir });
    expect(c.auditHeadIntervalSeconds).toBe(60);
    expect(c.auditHeadsFile).toBe(path.join(dir, 'audit-heads.jsonl'));
    expect(loadConfig({ SGW_AUDIT_HEADS_FILE: '/var/lib/sgw/heads.jsonl', SGW_AUDIT_HEAD_INTERVAL_SECONDS: '300' })).toMatchObject({ auditHeadsFile: '/var/lib/sgw/heads.jsonl', auditHeadIntervalSeconds: 300 });
  });

  it.each([
    ['0', 'at least 1 second'],
    ['1.5', 'whole number of seconds'],
    ['soon', 'whole number of seconds'],
    ['100000', 'at most 86400'],
  ])('stops on SGW_AUDIT_HEAD_INTERVAL_SECONDS=%s naming the variable', (value, expected) => {
    expect(() => loadConfig({ SGW_AUDIT_HEAD_INTERVAL_SECONDS: value })).toThrow(new RegExp(`SGW_AUDIT_HEAD_INTERVAL_SECONDS="${value.replace('.', '\\.')}": .*${expected}`));
  });
});

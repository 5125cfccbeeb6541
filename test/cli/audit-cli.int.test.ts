import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { rewriteLogConsistently, restoreAudit, snapshotAudit } from '../helpers/audit-log.js';
import type { AuditSnapshot } from '../helpers/audit-log.js';
import { careTeam, NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { processDb } from '../helpers/process-db.js';
import { sgw, startGateway } from '../helpers/sgw-process.js';

const pgUrl = process.env.SGW_TEST_DATABASE_URL;
const pdb = processDb('audit-cli');
const { dataDir, env } = pdb;
const headsFile = path.join(dataDir, 'audit-heads.jsonl');
const file = (name: string) => path.join(dataDir, name);

/** Does something to the database as the attacker, then closes it (PGlite has one user at a time). */
async function asAttacker<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await pdb.openDirect();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

let entries = 0;
let pristine: AuditSnapshot;

beforeAll(async () => {
  await pdb.create();
  // A local authority records a plan, A&E asks three times; the gateway signs a head as it stops.
  const la = sgw(['token', '--agency', 'la:383', '--role', 'la-social-worker', '--purpose', 'safeguarding-s47'], env).stdout.trim();
  const ed = sgw(['token', '--agency', 'ods:RR8', '--role', 'unscheduled-care', '--purpose', 'TREAT'], env).stdout.trim();
  const gw = await startGateway(env);
  const nhs = testNhsNumber(7100);
  const created = await fetch(`${gw.baseUrl}/fhir/CareTeam`, { method: 'POST', headers: { Authorization: `Bearer ${la}`, 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(careTeam(nhs)) });
  expect(created.status).toBe(201);
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${gw.baseUrl}/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`, { headers: { Authorization: `Bearer ${ed}`, IsUnscheduledAccessEvent: 'true' } });
    expect(r.status).toBe(200);
  }
  expect(await gw.stop()).toBe(0);
  entries = 4;
  pristine = await asAttacker(snapshotAudit);
}, 120_000);

afterAll(() => pdb.dispose());

describe(`sgw audit with signed tree heads (${pgUrl ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  it('the gateway published a signed head in the heads file as it stopped; verify --head holds', () => {
    const lines = fs.readFileSync(headsFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ treeSize: entries, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(fs.readFileSync(headsFile, 'utf8')).not.toContain(testNhsNumber(7100));
    const r = sgw(['audit', 'verify', '--head', headsFile], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`audit log verified: ${entries} entries, head [0-9a-f]{64}, tree root ${JSON.parse(lines[0]!).rootHash}; 2 signed tree heads hold`));
    expect(r.status).toBe(0);
  });

  it('exports the log and verifies the export offline against the head', () => {
    const exported = sgw(['audit', 'export', '--out', file('export.jsonl')], env);
    expect(exported.stdout).toMatch(`exported ${entries} audit entries`);
    expect(fs.readFileSync(file('export.jsonl'), 'utf8').trim().split('\n')).toHaveLength(entries);
    const r = sgw(['audit', 'verify', '--file', file('export.jsonl'), '--head', headsFile], env);
    expect(r.stdout).toMatch(`audit export verified: ${entries} entries`);
    expect(r.status).toBe(0);
  });

  it('checks heads against the public keys given: the deployment key as PEM passes, a stranger key does not', () => {
    const devKey = crypto.createPublicKey(fs.readFileSync(path.join(dataDir, 'keys', 'audit-signing-key.pem'), 'utf8'));
    fs.writeFileSync(file('ours.pem'), devKey.export({ format: 'pem', type: 'spki' }));
    fs.writeFileSync(file('stranger.pem'), crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }));
    expect(sgw(['audit', 'verify', '--head', headsFile, '--public-key', file('stranger.pem'), '--public-key', file('ours.pem')], env).status).toBe(0);
    const r = sgw(['audit', 'verify', '--head', headsFile, '--public-key', file('stranger.pem')], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/audit log FAILED verification: the signed tree head in .*audit-heads.jsonl:1 is not valid: it is signed by key \S+, which is not among the trusted public keys/);
  });

  it('catches the attacker who rewrites an entry and recomputes chain, tree and head row: with --head, and in an export', async () => {
    await asAttacker((db) => rewriteLogConsistently(db, (e) => e.map((x, i) => (i === 1 ? { ...x, reason: 'nothing to see' } : x))));
    const blind = sgw(['audit', 'verify'], env);
    expect(blind.status).toBe(0); // the database agrees with itself
    const r = sgw(['audit', 'verify', '--head', headsFile], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`audit log FAILED verification: the first ${entries} entries do not hash to the root of the signed head in .*audit-heads.jsonl:1`));
    expect(sgw(['audit', 'export', '--out', file('forged.jsonl')], env).status).toBe(0);
    const offline = sgw(['audit', 'verify', '--file', file('forged.jsonl'), '--head', headsFile], env);
    expect(offline.status).toBe(1);
    expect(offline.stderr).toMatch(/audit export FAILED verification: the first 4 entries do not hash to the root/);
    await asAttacker((db) => restoreAudit(db, pristine));
  });

  it('catches entries cut from the end with the head row and tree rewritten to match', async () => {
    await asAttacker((db) => rewriteLogConsistently(db, (e) => e.slice(0, 2)));
    const r = sgw(['audit', 'verify', '--head', headsFile], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAILED verification at entry 3: the log holds 2 entries but the signed head .* covers 4: entries were removed from the end/);
    await asAttacker((db) => restoreAudit(db, pristine));
    expect(sgw(['audit', 'verify', '--head', headsFile], env).status).toBe(0);
  });

  it('names a tampered export line', () => {
    const lines = fs.readFileSync(file('export.jsonl'), 'utf8').trim().split('\n');
    const row = JSON.parse(lines[2]!);
    row.entry.outcome = 'deny';
    lines[2] = JSON.stringify(row);
    fs.writeFileSync(file('edited.jsonl'), `${lines.join('\n')}\n`);
    const r = sgw(['audit', 'verify', '--file', file('edited.jsonl')], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/audit export FAILED verification at entry 3: entry 3 was altered/);
  });

  it('will not serve without a signing key when development auth is off, naming the variable', () => {
    const r = sgw(['serve'], { ...env, SGW_DEV_AUTH: 'off' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SGW_AUDIT_SIGNING_KEY_FILE is not set/);
    const bad = sgw(['serve'], { ...env, SGW_AUDIT_HEAD_INTERVAL_SECONDS: 'often' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/SGW_AUDIT_HEAD_INTERVAL_SECONDS="often"/);
  });
});

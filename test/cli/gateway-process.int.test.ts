import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam, NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { processDb } from '../helpers/process-db.js';
import { sgw, startAndStopAtOnce, startGateway } from '../helpers/sgw-process.js';

const pgUrl = process.env.SGW_TEST_DATABASE_URL;
const pdb = processDb('proc');
const { env } = pdb;
/** Opens the gateway's database directly, as an attacker with database access would. */
const openDirect = pdb.openDirect;

beforeAll(() => pdb.create());
afterAll(() => pdb.dispose());

describe(`the gateway as a process (${pgUrl ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  const nhs = testNhsNumber(9000);

  it('sgw token refuses an unknown agency or role, and prints a token otherwise', () => {
    const bad = sgw(['token', '--agency', 'ods:NOPE', '--role', 'unscheduled-care'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown agency 'ods:NOPE'/);
    const badRole = sgw(['token', '--agency', 'ods:RR8', '--role', 'surgeon'], env);
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toMatch(/role 'surgeon'/);
    const good = sgw(['token', '--agency', 'ods:RR8', '--role', 'unscheduled-care', '--purpose', 'TREAT'], env);
    expect(good.status).toBe(0);
    expect(good.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('stops at start-up on a bad setting, naming the variable', () => {
    const r = sgw(['serve'], { ...env, SGW_MAX_BODY_BYTES: 'lots' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SGW_MAX_BODY_BYTES="lots"/);
  });

  it('shuts down gracefully even when SIGTERM comes the moment it says it is listening', async () => {
    // Handlers were once installed after the banner: about one such stop in three died by the
    // signal (exit null, SIGTERM) instead of closing cleanly.
    for (let i = 0; i < 10; i++) expect(await startAndStopAtOnce(env)).toEqual({ code: 0, signal: null });
  }, 120_000); // ten process starts under tsx; a busy CI machine needs more than the default

  it('says so when the port is taken, and leaves the database free for the next start', async () => {
    const first = await startGateway(env);
    const port = new URL(first.baseUrl).port;
    await first.stop();
    const blocker = (await import('node:net')).createServer().listen(Number(port), '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const r = sgw(['serve'], { ...env, PORT: port });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
    }
    const again = await startGateway(env); // no stale lock, no half-open database
    expect(await again.stop()).toBe(0);
  });

  it('serves, keeps what it was given across a SIGTERM restart, and its audit verifies', async () => {
    const la = sgw(['token', '--agency', 'la:383', '--role', 'la-social-worker', '--purpose', 'safeguarding-s47'], env).stdout.trim();
    const ed = sgw(['token', '--agency', 'ods:RR8', '--role', 'unscheduled-care', '--purpose', 'TREAT'], env).stdout.trim();

    let gw = await startGateway(env);
    expect(gw.output()).toMatch(/sgw token --agency/); // tells the user how to get a token
    expect((await fetch(`${gw.baseUrl}/fhir/metadata`)).status).toBe(200);
    const created = await fetch(`${gw.baseUrl}/fhir/CareTeam`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${la}`, 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify(careTeam(nhs)),
    });
    expect(created.status).toBe(201);
    expect(await gw.stop()).toBe(0);

    gw = await startGateway(env);
    const res = await fetch(`${gw.baseUrl}/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${nhs}`, { headers: { Authorization: `Bearer ${ed}`, IsUnscheduledAccessEvent: 'true' } });
    const body = (await res.json()) as { total: number };
    expect(body.total).toBe(1);
    expect(gw.output()).not.toContain(nhs); // no NHS number in the logs
    expect(await gw.stop()).toBe(0);

    const verified = sgw(['audit', 'verify'], env);
    expect(verified.stdout).toMatch(/audit log verified: 2 entries/);
    expect(verified.status).toBe(0);
  });

  it('sgw audit verify fails and names the entry after someone edits the log', async () => {
    const db = await openDirect();
    await db.query(`UPDATE audit_log SET entry = jsonb_set(entry, '{reason}', '"nothing to see"') WHERE seq = 2`);
    await db.close();
    const r = sgw(['audit', 'verify'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAILED verification at entry 2: entry 2 was altered/);
  });
});

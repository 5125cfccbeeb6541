import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RevocationList } from '../../src/auth/revocations.js';
import { TokenVerifier } from '../../src/auth/verify-token.js';
import { main } from '../../src/cli/sgw.js';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys.js';
import { mintDevToken } from '../../src/auth/mint-token.js';
import { runTokenRevoke } from '../../src/cli/token-revoke.js';
import { loadAgencies } from '../../src/config/agencies.js';
import { loadConfig } from '../../src/config/env.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { NHS_SYSTEM, testNhsNumber } from '../helpers/fixtures.js';
import { processDb } from '../helpers/process-db.js';
import type { RunningGateway } from '../helpers/sgw-process.js';
import { sgw, startGateway } from '../helpers/sgw-process.js';

// `sgw token revoke` from another process: on a PostgreSQL server the running gateway hears
// of it at once (NOTIFY); PGlite is one process's files, so there the gateway is restarted.

const pgUrl = process.env.SGW_TEST_DATABASE_URL;
const pdb = processDb('revoke');
const { env } = pdb;

beforeAll(() => pdb.create());
afterAll(() => pdb.dispose());

async function ask(gw: RunningGateway, token: string): Promise<{ status: number; wwwAuthenticate: string | null; diagnostics?: string }> {
  const res = await fetch(`${gw.baseUrl}/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${testNhsNumber(4200)}`, { headers: { Authorization: `Bearer ${token}`, IsUnscheduledAccessEvent: 'false' } });
  const body = (await res.json()) as { issue?: { diagnostics: string }[] };
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), ...(body.issue ? { diagnostics: body.issue[0]!.diagnostics } : {}) };
}

describe(`sgw token revoke (${pgUrl ? 'PostgreSQL server: live' : 'embedded PGlite: after a restart'})`, () => {
  it('names a bad option before it opens the database', async () => {
    const config = loadConfig(env);
    await expect(runTokenRevoke(config, { agency: 'ods:RR8' })).rejects.toThrow(/--jti: name exactly one of jti/);
    await expect(runTokenRevoke(config, { agency: 'ods:NOPE', jti: 'x' })).rejects.toThrow(/--agency: unknown agency 'ods:NOPE'/);
    await expect(runTokenRevoke(config, { agency: 'ods:RR8', sub: 'u', before: 'last week' })).rejects.toThrow(/--before: expected an ISO 8601 date-time/);
    await expect(runTokenRevoke(config, { agency: 'ods:RR8', jti: 'x', before: '2026-01-01T00:00:00Z' })).rejects.toThrow(/--before: issuedBefore goes with sub only/);
  });

  it('the revoked token is refused by the gateway; another token of the same user is not', { timeout: 120_000 }, async () => {
    // Minted as `sgw token` does, with the data directory's development key.
    const keys = await loadOrCreateDevKeys(pdb.dataDir);
    const directory = loadAgencies(path.join(PACKAGE_ROOT, 'config'));
    const mint = () => mintDevToken(keys, directory, { agency: 'ods:RR8', role: 'scheduled-care', purpose: 'TREAT', sub: 'gp-1', audience: 'safeguarding-gateway', expiresInSeconds: 600 });
    const stolen = await mint();
    const kept = await mint();
    const { jti } = decodeJwt(stolen);
    expect(typeof jti).toBe('string');

    if (pgUrl) {
      // Live: the gateway runs on the server; the revocation comes from another process.
      const gw = await startGateway(env);
      try {
        expect((await ask(gw, stolen)).status).toBe(200);
        const revoked = sgw(['token', 'revoke', '--agency', 'ods:RR8', '--jti', jti!, '--reason', 'laptop stolen'], env);
        expect(revoked.stderr).toBe('');
        expect(revoked.stdout).toMatch(new RegExp(`revoked token ${jti} of ods:RR8`));
        // The notice reaches the gateway within milliseconds of the commit.
        let answer = await ask(gw, stolen);
        for (let i = 0; i < 50 && answer.status === 200; i++) {
          await new Promise((r) => setTimeout(r, 20));
          answer = await ask(gw, stolen);
        }
        expect(answer).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer realm="safeguarding-gateway", error="invalid_token"' });
        expect(answer.diagnostics).toMatch(/revoked/);
        expect((await ask(gw, kept)).status).toBe(200);
      } finally {
        await gw.stop();
      }
      return;
    }
    // PGlite: the data directory is one process's at a time, so the command runs in this
    // process (the same commander wiring), and a gateway's verifier opened afterwards refuses the token.
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      await main(['node', 'sgw', 'token', 'revoke', '--agency', 'ods:RR8', '--jti', jti!, '--reason', 'laptop stolen']);
    } finally {
      log.mockRestore();
      process.env = saved;
    }
    expect(printed.join('\n')).toMatch(new RegExp(`revoked token ${jti} of ods:RR8`));
    const db = await pdb.openDirect();
    const revocations = new RevocationList();
    try {
      await revocations.open(db);
      const verifier = await TokenVerifier.create(directory, 'safeguarding-gateway', keys, revocations);
      await expect(verifier.verify(stolen)).rejects.toThrow(/revoked/);
      expect((await verifier.verify(kept)).sub).toBe('gp-1');
    } finally {
      await revocations.close();
      await db.close();
    }
  });
});

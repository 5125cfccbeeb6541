import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import type { RunResult } from '../../src/conformance/result.js';
import { listPacks, runPacks } from '../../src/conformance/runner.js';
import { devKeyTokenSource } from '../../src/conformance/tokens.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';

/**
 * Every shipped pack, run by the real runner over HTTP against an in-process gateway on
 * PGlite with the demo configuration: what `sgw conformance run` does against the README's
 * gateway. Each test must pass (none skipped: the development key can mint every token).
 */
const PACKS = join(PACKAGE_ROOT, 'conformance');

describe('the shipped conformance packs against an in-process gateway', () => {
  let tg: TestGateway;
  let server: Server;
  let run: RunResult;

  beforeAll(async () => {
    tg = await createTestGateway(new Date());
    server = tg.gateway.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const audience = loadConfig({}).tokenAudience;
    run = await runPacks({ target: `http://127.0.0.1:${port}`, packsDir: PACKS, tokens: devKeyTokenSource(tg.keys, tg.gateway.directory, audience), tool: { name: 'sgw', version: 'test' } });
  }, 300_000);

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await tg.dispose();
  });

  it('ran every pack', () => {
    expect(run.packs.map((p) => p.id)).toEqual(listPacks(PACKS));
  });

  it.each(listPacks(PACKS))('%s: every test passes', (id) => {
    const pack = run.packs.find((p) => p.id === id)!;
    const notPassed = pack.tests.filter((t) => t.outcome !== 'pass').map((t) => `${t.id}: ${t.outcome}: ${t.message}`);
    expect(notPassed).toEqual([]);
    expect(pack.requirements.every((r) => r.outcome === 'pass')).toBe(true);
  });
});

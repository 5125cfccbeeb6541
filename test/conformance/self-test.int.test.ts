import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { htmlReport, junitXml } from '../../src/conformance/reports/index.js';
import type { CheckResult, RunResult, TestResult } from '../../src/conformance/result.js';
import { listPacks, runPacks } from '../../src/conformance/runner.js';
import { devKeyTokenSource } from '../../src/conformance/tokens.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import { startNonConformingServer } from './non-conforming-server.js';

/**
 * Every shipped pack, run by the real runner over HTTP against an in-process gateway on
 * PGlite with the demo configuration — what `sgw conformance run` does against the README's
 * gateway — must pass, none skipped (the development key can mint every token). Then the
 * same packs run against a non-conforming server (the same gateway behind a proxy that
 * plants faults), and the runner must report each fault as a failure, with what was
 * expected and what was received: a runner that cannot fail proves nothing.
 */
const PACKS = join(PACKAGE_ROOT, 'conformance');
const tool = { name: 'sgw conformance', version: 'test' };

describe('the conformance runner and the shipped packs', () => {
  let tg: TestGateway;
  let server: Server;
  let good: RunResult;
  let bad: RunResult;

  beforeAll(async () => {
    tg = await createTestGateway(new Date());
    server = tg.gateway.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokens = devKeyTokenSource(tg.keys, tg.gateway.directory, loadConfig({}).tokenAudience);
    good = await runPacks({ target, packsDir: PACKS, tokens, tool });
    const fake = await startNonConformingServer(target);
    try {
      bad = await runPacks({ target: fake.url, packsDir: PACKS, tokens, tool });
    } finally {
      await fake.close();
    }
  }, 600_000);

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await tg.dispose();
  });

  describe('against the gateway', () => {
    it('ran every pack', () => {
      expect(good.packs.map((p) => p.id)).toEqual(listPacks(PACKS));
    });

    it.each(listPacks(PACKS))('%s: every test passes and every requirement is met', (id) => {
      const pack = good.packs.find((p) => p.id === id)!;
      const notPassed = pack.tests.filter((t) => t.outcome !== 'pass').map((t) => `${t.id}: ${t.outcome}: ${t.message}`);
      expect(notPassed).toEqual([]);
      expect(pack.requirements.filter((r) => r.outcome !== 'pass').map((r) => r.id)).toEqual([]);
    });
  });

  describe('against the non-conforming server', () => {
    const failedChecks = (run: RunResult): { test: TestResult; check: CheckResult }[] =>
      run.packs.flatMap((p) => p.tests.flatMap((test) => test.steps.flatMap((s) => s.checks.filter((c) => c.outcome === 'fail').map((check) => ({ test, check })))));

    it('fails the run', () => {
      expect(bad.outcome).toBe('fail');
      expect(bad.counts.fail).toBeGreaterThan(0);
    });

    it('reports a refused notification answered 200 as a failed status check: expected 422, received 200', () => {
      expect(failedChecks(bad).some(({ check }) => check.description === 'status' && check.expected?.includes('422') && check.received === '200')).toBe(true);
    });

    it('reports a request without a token answered 200: expected 401, received 200', () => {
      expect(failedChecks(bad).some(({ check }) => check.description === 'status' && check.expected?.includes('401') && check.received === '200')).toBe(true);
    });

    it('reports a searchset sent as a collection: expected searchset, received collection', () => {
      expect(failedChecks(bad).some(({ check }) => check.expected?.includes('searchset') && check.received?.includes('collection'))).toBe(true);
    });

    it('reports an empty audit trail as a failed audit check', () => {
      expect(failedChecks(bad).some(({ check }) => check.description.startsWith('audit gained') && check.received === '0')).toBe(true);
    });

    it('puts expected and received in the JUnit and HTML reports', async () => {
      const junit = (await parseStringPromise(junitXml(bad))) as { testsuites: { testsuite: { $: { failures: string } }[] } };
      expect(junit.testsuites.testsuite.reduce((n, s) => n + Number(s.$.failures), 0)).toBe(bad.counts.fail);
      const xml = junitXml(bad);
      expect(xml).toMatch(/expected[^<]*422[\s\S]*received[^<]*200/);
      expect(htmlReport(bad)).toMatch(/422[\s\S]*200/);
    });
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { parseStringPromise } from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { processDb } from '../helpers/process-db.js';
import type { RunningGateway } from '../helpers/sgw-process.js';
import { sgw, startGateway } from '../helpers/sgw-process.js';

const pdb = processDb('conformance', { dataDirInside: true });
const { dir, env } = pdb;
let gw: RunningGateway;

beforeAll(async () => {
  await pdb.create();
  gw = await startGateway(env);
}, 60_000);
afterAll(async () => {
  await gw.stop();
  await pdb.dispose();
});

describe('sgw conformance run', () => {
  it('runs a pack against a running gateway with tokens from its development key, prints the summary and writes every report', async () => {
    const out = path.join(dir, 'reports');
    const r = sgw(['conformance', 'run', '--target', gw.baseUrl, '--pack', 'police-notifications', '--out-dir', out], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+submit-receipt/);
    expect(r.stdout).toMatch(/conformance: 10 passed, 0 failed, 0 skipped, 0 omitted, 0 errors \(1 pack, /);
    expect(fs.readdirSync(out).sort()).toEqual(['conformance.json', 'coverage.csv', 'junit.xml', 'report.html', 'testreport.json']);
    const junit = (await parseStringPromise(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8'))) as { testsuites: { testsuite: { $: Record<string, string> }[] } };
    expect(junit.testsuites.testsuite[0]!.$).toMatchObject({ name: expect.stringContaining('police-notifications'), tests: '10', failures: '0', errors: '0' });
    const csv = fs.readFileSync(path.join(out, 'coverage.csv'), 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('pack,requirement,text,source,tests,outcome');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(Array.from({ length: 15 }, (_, i) => `PN-${String(i + 1).padStart(2, '0')}`));
    expect(csv.slice(1).every((l) => l.endsWith(',pass'))).toBe(true);
    const bundle = JSON.parse(fs.readFileSync(path.join(out, 'testreport.json'), 'utf8')) as fhir4.Bundle;
    expect(bundle.entry?.map((e) => [e.resource?.resourceType, (e.resource as fhir4.TestReport).result])).toEqual([['TestReport', 'pass']]);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<html lang="en">[\s\S]*A valid domestic-abuse notification is accepted/);
  }, 120_000);

  it('is re-runnable against the same deployment: a second run passes too', () => {
    const r = sgw(['conformance', 'run', '--target', gw.baseUrl, '--pack', 'police-notifications'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10 passed, 0 failed/);
  }, 120_000);

  it('skips the tests whose tokens a --token-command cannot make, and does not fail the run for it', () => {
    // A command that can only make police tokens, and only valid ones: it prints them with sgw token.
    const cmd = `[ "$SGW_TOKEN_AGENCY" = police:E23000010 ] && [ "$SGW_TOKEN_VARIANT" = valid ] || exit 3; ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(path.join(PACKAGE_ROOT, 'test/helpers/sgw-entry.ts'))} token --agency "$SGW_TOKEN_AGENCY" --role "$SGW_TOKEN_ROLE" --purpose "$SGW_TOKEN_PURPOSE" --sub "$SGW_TOKEN_USER"`;
    const r = sgw(['conformance', 'run', '--target', gw.baseUrl, '--pack', 'police-notifications', '--token-command', cmd, '--json', path.join(dir, 'cmd.json')], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'cmd.json'), 'utf8')) as { counts: Record<string, number>; packs: { tests: { id: string; outcome: string; message?: string }[] }[] };
    const tests = Object.fromEntries(run.packs[0]!.tests.map((t) => [t.id, t]));
    expect(tests['submit-receipt']!.outcome).toBe('pass');
    expect(tests['la-inbox']!.outcome).toBe('skip');
    expect(tests['la-inbox']!.message).toMatch(/no token for la:383 /);
    expect(run.counts.fail).toBe(0);
  }, 120_000);

  it('reports every test as an error, and exits 1, when the target cannot be reached', () => {
    const r = sgw(['conformance', 'run', '--target', 'http://127.0.0.1:9', '--pack', 'police-notifications'], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/ERROR\s+submit-receipt/);
    expect(r.stdout).toMatch(/the request could not be made/);
    expect(r.stdout).toMatch(/0 passed, 0 failed, 0 skipped, 0 omitted, 10 errors/);
  });

  it('refuses a target that is not a URL, an unknown pack, and a run with no way to get tokens, saying what to give', () => {
    const notUrl = sgw(['conformance', 'run', '--target', 'localhost-8080'], env);
    expect(notUrl.status).toBe(1);
    expect(notUrl.stderr).toMatch(/--target localhost-8080: expected the gateway's base URL/);
    const unknown = sgw(['conformance', 'run', '--target', gw.baseUrl, '--pack', 'no-such-pack'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no pack no-such-pack in .*\(packs: .*police-notifications/);
    const noKey = sgw(['conformance', 'run', '--target', gw.baseUrl], { ...env, SGW_DATA_DIR: path.join(dir, 'empty') });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/no development key in .*give --token-command CMD or --tokens FILE/);
  });
});

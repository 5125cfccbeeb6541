import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { TEST_WEBHOOK_KEY, TEST_WEBHOOK_SECRET } from '../helpers/webhooks.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function config(webhook: string, secret: string | null = TEST_WEBHOOK_SECRET): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-webhook-cfg-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'agencies.yaml'), `agencies:\n  - id: la:201\n    name: Other\n  - id: la:383\n    name: Leeds\n    webhook:\n${webhook}`);
  if (secret !== null) {
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.writeFileSync(path.join(dir, 'secrets', 'la-383'), secret);
  }
  return dir;
}
const hook = (url: string, secretFile = 'secrets/la-383') => `      url: ${url}\n      secretFile: ${secretFile}\n`;

describe('agency webhook configuration', () => {
  it('loads the URL and reads the secret relative to the config directory, keeping it out of the agency', () => {
    const { agencies, webhooks } = loadAgencies(config(hook('https://hooks.example-la.gov.uk/sgw')));
    expect(webhooks.get('la:383')).toEqual({ url: 'https://hooks.example-la.gov.uk/sgw', secret: TEST_WEBHOOK_KEY });
    expect(webhooks.has('la:201')).toBe(false);
    expect(agencies.get('la:383')?.webhook).toEqual({ url: 'https://hooks.example-la.gov.uk/sgw', secretFile: 'secrets/la-383' });
    expect(JSON.stringify(agencies.get('la:383'))).not.toContain(TEST_WEBHOOK_SECRET.slice(6));
  });

  it('accepts a plain-text secret of at least 32 bytes, and http only to this machine', () => {
    const raw = 'x'.repeat(32);
    expect(loadAgencies(config(hook('http://127.0.0.1:9999/h'), `${raw}\n`)).webhooks.get('la:383')?.secret).toEqual(Buffer.from(raw));
    expect(loadAgencies(config(hook('http://localhost/h'))).webhooks.get('la:383')?.url).toBe('http://localhost/h');
  });

  it.each([
    ['plain http to another host', hook('http://hooks.example-la.gov.uk/sgw'), /agencies\.1\.webhook\.url: expected an https:\/\/ URL/],
    ['not a URL', hook('hooks.example'), /agencies\.1\.webhook\.url/],
    ['another scheme', hook('ftp://hooks.example/x'), /agencies\.1\.webhook\.url/],
    ['credentials in the URL', hook('https://user:pw@hooks.example/x'), /agencies\.1\.webhook\.url: expected no credentials/],
    ['no secret file named', '      url: https://hooks.example/x\n', /agencies\.1\.webhook\.secretFile/],
    ['an unknown field', `${hook('https://hooks.example/x')}      retries: 3\n`, /retries/],
  ])('stops start-up on %s, naming the field', (_what, webhook, message) => {
    expect(() => loadAgencies(config(webhook))).toThrow(ConfigError);
    expect(() => loadAgencies(config(webhook))).toThrow(message);
  });

  it('stops start-up on a missing or short secret, naming the field and the file', () => {
    expect(() => loadAgencies(config(hook('https://hooks.example/x'), null))).toThrow(/agencies\.1\.webhook\.secretFile \(la:383\): cannot read the webhook secret file .*la-383: ENOENT/);
    expect(() => loadAgencies(config(hook('https://hooks.example/x'), 'too-short'))).toThrow(/agencies\.1\.webhook\.secretFile \(la:383\): the webhook secret .* is 9 bytes; at least 32/);
    expect(() => loadAgencies(config(hook('https://hooks.example/x'), `whsec_${Buffer.alloc(16).toString('base64')}`))).toThrow(/is 16 bytes/);
  });

  it('reads the delivery schedule from the environment, refusing nonsense', () => {
    expect(loadConfig({}).webhooks).toEqual({ enabled: true, pollIntervalMs: 1000, maxAttempts: 12, backoffBaseMs: 10_000, timeoutMs: 10_000 });
    expect(loadConfig({ SGW_WEBHOOKS: 'off', SGW_WEBHOOK_MAX_ATTEMPTS: '3' }).webhooks).toMatchObject({ enabled: false, maxAttempts: 3 });
    expect(() => loadConfig({ SGW_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/SGW_WEBHOOK_MAX_ATTEMPTS="0": expected at least 1 attempt/);
    expect(() => loadConfig({ SGW_WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(/SGW_WEBHOOK_TIMEOUT_MS="soon"/);
  });
});

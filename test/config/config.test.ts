import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

describe('configuration from the environment', () => {
  it('has working defaults: port 8080, embedded database under ./data, dev tokens on', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.devAuth).toBe(true);
    expect(c.publicBaseUrl).toBe('http://localhost:8080');
  });

  it.each([
    ['PORT', 'abc', 'port number'],
    ['PORT', '70000', 'PORT'],
    ['DATABASE_URL', 'mysql://x', 'postgres://'],
    ['SGW_LOG_LEVEL', 'loud', 'SGW_LOG_LEVEL'],
    ['SGW_DEV_AUTH', 'yes', 'SGW_DEV_AUTH'],
    ['SGW_PUBLIC_BASE_URL', 'ftp://x', 'SGW_PUBLIC_BASE_URL'],
    ['SGW_DB_CONNECT_TIMEOUT_MS', '5s', 'whole number of milliseconds'],
    ['SGW_DB_STATEMENT_TIMEOUT_MS', '0', 'at least 100 ms'],
  ])('stops on %s=%s with a message naming the variable', (name, value, expected) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=.*${expected}|${expected}`));
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      expect((err as Error).message).toContain(name);
    }
  });

  it('bounds the waits on a PostgreSQL server: 5 s to connect, 30 s a statement, unless told', () => {
    expect(loadConfig({}).dbTimeouts).toEqual({ connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 });
    expect(loadConfig({ SGW_DB_CONNECT_TIMEOUT_MS: '2000', SGW_DB_STATEMENT_TIMEOUT_MS: '10000' }).dbTimeouts).toEqual({ connectTimeoutMs: 2_000, statementTimeoutMs: 10_000 });
  });

  it('reads a PostgreSQL URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
  });
});

describe('agency configuration', () => {
  it('ships the demo agencies with names and contact numbers', () => {
    const { agencies } = loadAgencies(path.join(PACKAGE_ROOT, 'config'));
    for (const id of ['la:383', 'la:201', 'ods:RR8', 'police:E23000010', 'school:100000']) expect(agencies.has(id)).toBe(true);
    expect(agencies.get('la:383')).toMatchObject({ name: 'Leeds City Council', type: 'local-authority', code: '383' });
    expect(agencies.get('la:383')?.contacts.outOfHours).toBeTruthy();
    expect(agencies.get('police:E23000010')?.type).toBe('police');
  });

  function withFile(content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-cfg-'));
    fs.writeFileSync(path.join(dir, 'agencies.yaml'), content);
    return dir;
  }

  it('stops on a bad file, naming the file and the field', () => {
    const dir = withFile('agencies:\n  - id: la:38x\n    name: Broken\n');
    expect(() => loadAgencies(dir)).toThrow(/agencies\.yaml.*\n.*agencies\.0\.id/);
  });

  it('stops on an unknown field rather than ignoring it', () => {
    const dir = withFile('agencies:\n  - id: la:383\n    name: Leeds\n    phone: 0113\n');
    expect(() => loadAgencies(dir)).toThrow(/phone/);
  });

  it('stops on a duplicated agency', () => {
    const dir = withFile('agencies:\n  - id: la:383\n    name: A\n  - id: la:383\n    name: B\n');
    expect(() => loadAgencies(dir)).toThrow(/la:383 is listed twice/);
  });

  it('stops on YAML that does not parse', () => {
    const dir = withFile('agencies: [\n');
    expect(() => loadAgencies(dir)).toThrow(/cannot be read as YAML/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/env.js';
import { DEV_KID, decodeKey, devKeySet, generateKeyBase64, loadKeySet, parseDataKeys } from '../../src/crypto/keys.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-keys-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const key32 = () => generateKeyBase64(32);

describe('loading the deployment keys', () => {
  it('loads the linkage key from the environment and the agencies’ data keys from a YAML file', () => {
    const keys = loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: file('keys.yaml', `la:383: ${key32()}\nods:RR8: ${key32()}\n`) });
    expect(keys.dev).toBe(false);
    expect(keys.linkageSecret).toHaveLength(32);
    expect(keys.dataKeys.agencies().sort()).toEqual(['la:383', 'ods:RR8']);
    expect(keys.dataKeys.active('la:383').key).toHaveLength(32);
  });

  it('reads a JSON file with rotated keys: the active one seals, the old one is still found', () => {
    const doc = { 'la:383': { active: 'k2', keys: { k1: key32(), k2: key32() } } };
    const keys = loadKeySet({ SGW_LINKAGE_KEY_FILE: file('linkage.b64', `${key32()}\n`), SGW_DATA_KEYS_FILE: file('keys.json', JSON.stringify(doc)) });
    expect(keys.dataKeys.active('la:383').kid).toBe('k2');
    expect(keys.dataKeys.find('la:383', 'k1')?.key.toString('base64')).toBe(doc['la:383'].keys.k1);
    expect(keys.dataKeys.find('la:383', 'k9')).toBeUndefined();
  });

  it('names the missing variable', () => {
    expect(() => loadKeySet({})).toThrow(/SGW_LINKAGE_KEY/);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32() })).toThrow(/SGW_DATA_KEYS_FILE is not set/);
    expect(() => loadKeySet({ SGW_DATA_KEYS_FILE: file('k.yaml', `la:383: ${key32()}`) })).toThrow(/SGW_LINKAGE_KEY/);
  });

  it('names the variable when the linkage key is not base64 or too short', () => {
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: 'not a key!' })).toThrow(/SGW_LINKAGE_KEY: not base64/);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: Buffer.alloc(16, 1).toString('base64') })).toThrow(/SGW_LINKAGE_KEY: the key is 16 bytes; expected at least 32/);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_LINKAGE_KEY_FILE: '/x' })).toThrow(/both set/);
  });

  it('names the file, the agency and the key id of a malformed data key', () => {
    const short = file('short.yaml', `la:383: ${Buffer.alloc(31).toString('base64')}\n`);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: short })).toThrow(`SGW_DATA_KEYS_FILE=${short}: la:383: the key is 31 bytes; expected exactly 32`);
    const bad = file('bad.yaml', `la:383:\n  active: k1\n  keys:\n    k1: "%%%not-base64%%%"\n`);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: bad })).toThrow(/la:383\.keys\.k1: not base64/);
    const noActive = file('noactive.yaml', `la:383:\n  active: k2\n  keys:\n    k1: ${key32()}\n`);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: noActive })).toThrow(/la:383\.active: 'k2' is not one of its keys \(k1\)/);
    const notYaml = file('broken.yaml', 'la:383: [unclosed\n');
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: notYaml })).toThrow(/not valid JSON or YAML/);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32(), SGW_DATA_KEYS_FILE: path.join(dir, 'absent.yaml') })).toThrow(/SGW_DATA_KEYS_FILE=.*absent\.yaml: cannot read the file \(ENOENT\)/);
  });

  it('throws ConfigError, the error start-up reports as a configuration problem', () => {
    expect(() => loadKeySet({})).toThrow(ConfigError);
    expect(() => parseDataKeys(['x'], 'test')).toThrow(ConfigError);
  });

  it('refuses a data key for an agency it does not have, naming the agency', () => {
    const ring = parseDataKeys({ 'la:383': key32() }, 'keys.yaml');
    expect(() => ring.active('la:201')).toThrow('keys.yaml: no data key for agency la:201');
  });

  it('accepts URL-safe base64 and unpadded keys, and rejects a key that base64 decoding would silently shorten', () => {
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    expect(decodeKey(raw.toString('base64url'), 'X', { exactly: 32 })).toEqual(raw);
    expect(decodeKey(raw.toString('base64').replace(/=+$/, ''), 'X', { exactly: 32 })).toEqual(raw);
    expect(() => decodeKey(`${raw.toString('base64')}*`, 'X', { exactly: 32 })).toThrow(/X: not base64/);
  });
});

describe('the development key set', () => {
  it('is used only when asked for and nothing is configured, and is labelled as not for production', () => {
    const dev = loadKeySet({}, { allowDev: true });
    expect(dev.dev).toBe(true);
    expect(dev.dataKeys.active('la:383').kid).toBe(DEV_KID);
    expect(DEV_KID).toMatch(/not-for-production/);
    expect(() => loadKeySet({ SGW_LINKAGE_KEY: key32() }, { allowDev: true })).toThrow(/SGW_DATA_KEYS_FILE/);
  });

  it('is deterministic and gives each agency its own key', () => {
    const a = devKeySet();
    const b = devKeySet();
    expect(a.linkageSecret).toEqual(b.linkageSecret);
    expect(a.dataKeys.active('la:383').key).toEqual(b.dataKeys.active('la:383').key);
    expect(a.dataKeys.active('la:383').key).not.toEqual(a.dataKeys.active('ods:RR8').key);
  });
});

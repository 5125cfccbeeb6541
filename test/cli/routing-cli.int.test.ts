import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { processDb } from '../helpers/process-db.js';
import { sgw } from '../helpers/sgw-process.js';

const pdb = processDb('routing-cli', { dataDirInside: true });
const { dir, env } = pdb;
const ONSPD = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'routing', 'onspd-sample.csv');

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function routeCount(): Promise<number> {
  const db = await pdb.openDirect();
  try {
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM postcode_routes');
    return row?.n ?? 0;
  } finally {
    await db.close();
  }
}

// Each `sgw` run starts a process under tsx and opens the database: allow for a busy machine.
const SLOW = 240_000;

beforeAll(async () => {
  await pdb.create();
});
afterAll(() => pdb.dispose());

describe('sgw routing', () => {
  it('loads the ONSPD, prints a summary, and lookup names the LA and the file', async () => {
    const r = sgw(['routing', 'load', ONSPD], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/loaded onspd-sample\.csv \(ONS Postcode Directory\) in [\d.]+ s/);
    expect(r.stdout).toMatch(/rows read\s+6/);
    expect(r.stdout).toMatch(/routes loaded\s+3/);
    expect(r.stdout).toMatch(/skipped, terminated\s+1/);
    expect(r.stdout).toMatch(/skipped, outside England\s+1/);
    expect(r.stdout).toMatch(/skipped, unknown ONS code 1 \(E07999999 ×1; add them to config\/routing\/la-codes\.csv\)/);
    expect(r.stdout).toMatch(/note: 1 routed LA is not a configured agency \(la:936\)/);
    expect(await routeCount()).toBe(3);
    const hit = sgw(['routing', 'lookup', 'gu19zz'], env);
    expect(hit.status).toBe(0);
    expect(hit.stdout).toMatch(/gu19zz → la:936 by postcode GU1 9ZZ, from onspd-sample\.csv loaded \d{4}-/);
    expect(sgw(['routing', 'lookup', 'LS6 1ZZ'], env).status).toBe(1);
  }, SLOW);

  it('a bad file exits 1 naming the file, line and column, and changes nothing', async () => {
    const before = await routeCount();
    const bad = write('bad.csv', 'postcode,la\nLS2,383\nLS7 XYZ,383\nLS9,999\n');
    const r = sgw(['routing', 'load', '--replace', bad], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`sgw routing load: ${bad}: nothing was loaded`);
    expect(r.stderr).toMatch(/bad\.csv line 3, column postcode: "LS7 XYZ" is not a postcode, sector or district; expected e\.g\. LS1 1AA/);
    expect(r.stderr).toMatch(/bad\.csv line 4, column la: LA 999 is not a known local authority/);
    expect(await routeCount()).toBe(before);
    const missing = sgw(['routing', 'load', path.join(dir, 'nope.csv')], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv is not a file/);
  }, SLOW);

  it('--replace makes the file the whole table; --json prints the summary', async () => {
    const r = sgw(['routing', 'load', '--replace', '--json', write('simple.csv', 'postcode,la,note\nLS1,la:383,x\n')], env);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ form: 'simple', rowsRead: 1, loaded: 1, removedEarlier: 3, ignoredColumns: ['note'], notConfigured: [] });
    expect(await routeCount()).toBe(1);
  }, SLOW);
});

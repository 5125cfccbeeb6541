import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LaCodes } from '../../src/config/la-codes.js';
import { loadLaCodes } from '../../src/config/la-codes.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { ensureDemoRoutes } from '../../src/services/routing-demo.js';
import { loadRoutingFile } from '../../src/services/routing-load.js';
import { laForPostcode, routeForPostcode } from '../../src/store/routing-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'routing');
const CONFIG = path.join(PACKAGE_ROOT, 'config');
let t: TestDb;
let laCodes: LaCodes;
let tmp: string;

function write(name: string, content: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

async function table() {
  const routes = await t.db.query<{ key: string; la_number: string; load_id: number }>('SELECT key, la_number, load_id FROM postcode_routes ORDER BY key');
  const [loads] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM routing_loads');
  return { routes, loads: loads?.n };
}

async function refused(file: string): Promise<GatewayError> {
  const err = await loadRoutingFile(t.db, file, laCodes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  expect((err as GatewayError).code).toBe('GW_ERR_ROUTING_FILE_INVALID');
  return err as GatewayError;
}

beforeAll(async () => {
  t = await createTestDb();
  laCodes = await loadLaCodes(CONFIG);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-routing-'));
});
afterAll(async () => {
  await t.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.db.query('DELETE FROM postcode_routes');
  await t.db.query('DELETE FROM routing_loads');
});

describe(`postcode routing on ${process.env.SGW_TEST_DATABASE_URL ? 'PostgreSQL server' : 'PGlite'}`, () => {
  it('ships the ONS → DfE codes the demo needs', () => {
    expect(laCodes.byOnsCode.get('E08000035')?.dfe_la_number).toBe('383');
    expect(laCodes.byOnsCode.get('E09000001')?.dfe_la_number).toBe('201');
  });

  it('loads the ONSPD: county in two-tier areas, terminated and non-English rows skipped, unknown codes counted', async () => {
    const s = await loadRoutingFile(t.db, path.join(FIXTURES, 'onspd-sample.csv'), laCodes);
    expect(s).toMatchObject({ form: 'onspd', rowsRead: 6, loaded: 3, skippedTerminated: 1, skippedOutsideEngland: 1, skippedUnknownCode: 1, unknownCodes: { E07999999: 1 } });
    expect(await laForPostcode(t.db, 'ls14ap')).toBe('la:383');
    expect(await laForPostcode(t.db, 'EC2Y 8AA')).toBe('la:201');
    // Guildford is a district of Surrey: the county (936) runs children's services
    expect(await laForPostcode(t.db, 'GU1 9ZZ')).toBe('la:936');
    expect(await laForPostcode(t.db, 'LS6 1ZZ')).toBeNull(); // terminated
    expect(await laForPostcode(t.db, 'ZZ9 9ZZ')).toBeNull(); // unknown code
    expect(await laForPostcode(t.db, 'CF10 9ZZ')).toBeNull(); // Wales
  });

  it('loads the simple form and falls back from postcode to sector to district; each row says where it came from', async () => {
    const s = await loadRoutingFile(t.db, path.join(FIXTURES, 'simple-sample.csv'), laCodes, { now: () => new Date('2026-12-01T09:00:00Z') });
    expect(s).toMatchObject({ form: 'simple', rowsRead: 4, loaded: 4 });
    expect(await laForPostcode(t.db, 'LS1 4AP')).toBe('la:383'); // district LS1
    expect(await laForPostcode(t.db, 'LS1 9ZZ')).toBe('la:201'); // its own row beats the district
    expect(await laForPostcode(t.db, 'LS6 2AB')).toBe('la:201'); // sector LS6 2
    expect(await laForPostcode(t.db, 'LS6 3AB')).toBeNull(); // no LS6 district row
    expect(await laForPostcode(t.db, 'LS11 1AA')).toBeNull(); // LS11 is not LS1
    expect(await laForPostcode(t.db, 'not a postcode')).toBeNull();
    expect(await routeForPostcode(t.db, 'ec2y 5ab')).toEqual({ key: 'EC2Y', granularity: 'district', laNumber: '201', fileName: 'simple-sample.csv', loadedAt: '2026-12-01T09:00:00.000Z', demo: false });
  });

  it('a later load overrides the rows it names; --replace drops the rest', async () => {
    await loadRoutingFile(t.db, path.join(FIXTURES, 'simple-sample.csv'), laCodes);
    const update = write('update.csv', 'postcode,la\nLS1,201\n');
    await loadRoutingFile(t.db, update, laCodes);
    expect(await laForPostcode(t.db, 'LS1 4AP')).toBe('la:201');
    expect(await laForPostcode(t.db, 'EC2Y 5AB')).toBe('la:201');
    const s = await loadRoutingFile(t.db, write('only.csv', 'postcode,la\nLS2,383\n'), laCodes, { replace: true });
    expect(s.removedEarlier).toBe(4);
    expect((await table()).routes.map((r) => r.key)).toEqual(['LS2']);
  });

  it('loads in batches', async () => {
    const rows = Array.from({ length: 23 }, (_, i) => `LS${i + 1},383`);
    const s = await loadRoutingFile(t.db, write('many.csv', `postcode,la\n${rows.join('\n')}\n`), laCodes, { batchSize: 5 });
    expect(s.loaded).toBe(23);
  });

  describe('a bad file changes nothing and names the line, the column and what was expected', () => {
    beforeEach(async () => {
      await loadRoutingFile(t.db, path.join(FIXTURES, 'simple-sample.csv'), laCodes);
    });

    it('missing column', async () => {
      const before = await table();
      const err = await refused(write('no-la.csv', 'postcode,authority\nLS1,383\n'));
      expect(err.issues[0]).toMatchObject({ expression: ['line 1', 'column la'] });
      expect(err.message).toMatch(/no-la\.csv line 1, column la: .*expected the simple form postcode,la/);
      const onspd = await refused(write('onspd-no-doterm.csv', 'pcds,oslaua,oscty\nLS1 4AP,E08000035,E99999999\n'));
      expect(onspd.issues[0]?.expression).toEqual(['line 1', 'column doterm']);
      await refused(write('neither.csv', 'a,b\n1,2\n'));
      expect(await table()).toEqual(before);
    });

    it('bad postcode, after good rows and a full batch were written', async () => {
      const before = await table();
      const err = await loadRoutingFile(t.db, write('bad-postcode.csv', 'postcode,la\nLS2,383\nLS7,383\nLS9,383\nQQ,383\n'), laCodes, { batchSize: 2 }).catch((e: unknown) => e as GatewayError);
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).issues).toEqual([
        expect.objectContaining({ expression: ['line 5', 'column postcode'], diagnostics: expect.stringMatching(/"QQ" is not a postcode.*expected e\.g\. LS1 1AA/) as unknown }),
      ]);
      expect(await table()).toEqual(before);
      const onspd = await refused(write('onspd-bad.csv', 'pcds,oslaua,oscty,doterm\nLS1 4AP,E08000035,E99999999,\nLS1 4A,E08000035,E99999999,\n'));
      expect(onspd.issues[0]).toMatchObject({ expression: ['line 3', 'column pcds'] });
      expect(await table()).toEqual(before);
    });

    it('unknown LA, and every problem is listed', async () => {
      const before = await table();
      const err = await refused(write('unknown-la.csv', 'postcode,la\nLS2,999\nLS7,38\nLS7,383\nLS7,383\n'));
      expect(err.issues.map((i) => [i.expression?.join(' '), i.diagnostics])).toEqual([
        ['line 2 column la', expect.stringMatching(/LA 999 is not a known local authority/) as unknown],
        ['line 3 column la', expect.stringMatching(/"38" is not a DfE LA number; expected three digits/) as unknown],
        ['line 5 column postcode', 'LS7 is also on line 4; expected each postcode once'],
      ]);
      expect(await table()).toEqual(before);
    });

    it('a row with the wrong number of cells, a postcode repeated across batches', async () => {
      const before = await table();
      const short = await refused(write('short.csv', 'postcode,la\nLS2,383\nLS7\n'));
      expect(short.issues[0]).toMatchObject({ expression: ['line 3'], diagnostics: expect.stringMatching(/1 cells; expected 2/) as unknown });
      const err = await loadRoutingFile(t.db, write('repeat.csv', 'postcode,la\nLS2,383\nLS7,383\nLS2,201\n'), laCodes, { batchSize: 2 }).catch((e: unknown) => e as GatewayError);
      expect((err as GatewayError).issues[0]).toMatchObject({ expression: ['line 4', 'column postcode'], diagnostics: expect.stringMatching(/LS2 is routed by an earlier row/) as unknown });
      expect(await table()).toEqual(before);
    });
  });

  it('start-up loads the demo file once, and not at all once a real load has rows', async () => {
    const log = pino({ level: 'silent' });
    expect(await ensureDemoRoutes(t.db, CONFIG, log)).toBeGreaterThan(0);
    expect(await laForPostcode(t.db, 'LS1 4AP')).toBe('la:383');
    expect(await laForPostcode(t.db, 'EC4M 7AA')).toBe('la:201');
    expect((await routeForPostcode(t.db, 'LS1 4AP'))?.demo).toBe(true);
    expect(await ensureDemoRoutes(t.db, CONFIG, log)).toBe(0);
    // a real load removes the demo rows; start-up then leaves the table alone
    const s = await loadRoutingFile(t.db, path.join(FIXTURES, 'onspd-sample.csv'), laCodes);
    expect(s.removedEarlier).toBeGreaterThan(0);
    expect(await laForPostcode(t.db, 'EC4M 7AA')).toBeNull();
    expect(await ensureDemoRoutes(t.db, CONFIG, log)).toBe(0);
    expect(await laForPostcode(t.db, 'EC4M 7AA')).toBeNull();
  });
});

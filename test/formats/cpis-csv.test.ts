import { describe, expect, it } from 'vitest';
import { expressions, malformedFrom } from '../helpers/malformed.js';
import { checkCpisRecord, readCpisCsv } from '../../src/formats/cpis-csv.js';
import type { CpisUploadRecord } from '../../src/formats/cpis-csv.js';


const HEADER = 'nhs_number,nhs_number_status,plan_type,start_date,end_date,la_code,local_id';
const UPLOAD = [
  HEADER,
  '9990000018,01,CPP,2024-04-01,,202,CP-0001',
  '999 000 0026,01,764841000000100,2024-01-15,2024-06-30,202,"LAC-0002, re-opened"',
  '9990000034,,UCPP,2024-09-01,,202,',
].join('\r\n');

const record = (values: Record<string, string>, line = 2): CpisUploadRecord => ({
  line,
  values: { nhs_number: '9990000018', nhs_number_status: '01', plan_type: 'CPP', start_date: '2024-04-01', end_date: '', la_code: '202', local_id: '', ...values },
});

describe('readCpisCsv', () => {
  it('reads records with their line numbers and quoted commas', () => {
    const m = readCpisCsv(UPLOAD);
    expect(m.format).toBe('cpis-csv');
    expect(m.warnings).toEqual([]);
    expect(m.tree.records).toHaveLength(3);
    expect(m.tree.records[1]).toEqual({
      line: 3,
      values: { nhs_number: '999 000 0026', nhs_number_status: '01', plan_type: '764841000000100', start_date: '2024-01-15', end_date: '2024-06-30', la_code: '202', local_id: 'LAC-0002, re-opened' },
    });
  });

  it('accepts the columns in any order and without the optional ones', () => {
    const m = readCpisCsv('la_code,start_date,plan_type,nhs_number\n202,2024-04-01,CPP,9990000018\n');
    expect(m.tree.records).toEqual([{ line: 2, values: { la_code: '202', start_date: '2024-04-01', plan_type: 'CPP', nhs_number: '9990000018' } }]);
    expect(checkCpisRecord(m.tree.records[0]!)).toEqual({ ok: true, value: { nhsNumber: '9990000018', kind: 'child-protection-plan', start: '2024-04-01', laCode: '202' } });
  });

  it('does not judge values (a bad NHS number is still read)', () => {
    expect(readCpisCsv(`${HEADER}\n123,07,XYZ,yesterday,,1,\n`).tree.records).toHaveLength(1);
  });

  it('reads formula-like cells as plain text', () => {
    const m = readCpisCsv(`${HEADER}\n9990000018,01,CPP,2024-04-01,,202,=CMD()\n`);
    expect(m.tree.records[0]?.values.local_id).toBe('=CMD()');
    expect(checkCpisRecord(m.tree.records[0]!)).toMatchObject({ ok: true, value: { localId: '=CMD()' } });
  });

  it('refuses a header lacking required columns, naming them', () => {
    const e = malformedFrom(() => readCpisCsv('nhs_number,plan_type\n9990000018,CPP\n'));
    expect(e.issues).toEqual([expect.objectContaining({ code: 'required', expression: ['line 1'] })]);
    expect(e.message).toContain('lacks required columns start_date, la_code');
  });

  it('refuses unknown columns, naming them', () => {
    const e = malformedFrom(() => readCpisCsv(`${HEADER},child_name\n9990000018,01,CPP,2024-04-01,,202,,Test\n`));
    expect(expressions(e)).toEqual(['line 1']);
    expect(e.message).toContain('unknown column "child_name"');
  });

  it('refuses a commented first line (the header must come first)', () => {
    const e = malformedFrom(() => readCpisCsv(`# CP-IS upload\n${UPLOAD}`));
    expect(e.message).toContain('lacks required columns');
  });

  it('refuses a ragged row, naming its line', () => {
    const e = malformedFrom(() => readCpisCsv(`${UPLOAD}\r\n9990000018,01,CPP\r\n`));
    expect(expressions(e)).toEqual(['line 5']);
  });

  it('refuses an empty file and a broken quote', () => {
    expect(malformedFrom(() => readCpisCsv('  \n')).message).toContain('the body is empty');
    expect(expressions(malformedFrom(() => readCpisCsv(`${HEADER}\n9990000018,01,CPP,2024-04-01,,202,"open\n`)))).toEqual(['line 2']);
  });
});

describe('checkCpisRecord', () => {
  it('accepts a verified record and normalises it', () => {
    const records = readCpisCsv(UPLOAD).tree.records;
    expect(records.map(checkCpisRecord)).toEqual([
      { ok: true, value: { nhsNumber: '9990000018', status: '01', kind: 'child-protection-plan', start: '2024-04-01', laCode: '202', localId: 'CP-0001' } },
      { ok: true, value: { nhsNumber: '9990000026', status: '01', kind: 'looked-after', start: '2024-01-15', end: '2024-06-30', laCode: '202', localId: 'LAC-0002, re-opened' } },
      { ok: true, value: { nhsNumber: '9990000034', kind: 'unborn-child-protection-plan', start: '2024-09-01', laCode: '202' } },
    ]);
  });

  it.each([
    ['CPP', 'child-protection-plan'],
    ['lac', 'looked-after'],
    ['UCPP', 'unborn-child-protection-plan'],
    ['342191000000101', 'child-protection-plan'],
    ['764841000000100', 'looked-after'],
    ['818901000000100', 'unborn-child-protection-plan'],
  ])('reads plan_type %s as %s', (planType, kind) => {
    expect(checkCpisRecord(record({ plan_type: planType }))).toMatchObject({ ok: true, value: { kind } });
  });

  it.each([
    ['9990000019', 'the Modulus 11 check digit should be 8, not 9'],
    ['9990000000', 'computes to 10'],
    ['999000001', 'is 10 digits'],
    ['', 'is 10 digits'],
    ['99900000AB', 'is 10 digits'],
  ])('CPR04 for the NHS number %j', (nhs, why) => {
    const r = checkCpisRecord(record({ nhs_number: nhs }));
    expect(r).toMatchObject({ ok: false, result: 'CPR04' });
    if (!r.ok) {
      expect(r.reason).toContain(`nhs_number ${JSON.stringify(nhs)}`);
      expect(r.reason).toContain(why);
    }
  });

  it('CPR04 comes before any other problem', () => {
    expect(checkCpisRecord(record({ nhs_number: '1234567890', nhs_number_status: '02', plan_type: 'X' }))).toMatchObject({ ok: false, result: 'CPR04' });
  });

  it.each(['02', '03', '04', '05', '06', '07', '08'])('CPR03 for status %s', (status) => {
    const r = checkCpisRecord(record({ nhs_number_status: status }));
    expect(r).toMatchObject({ ok: false, result: 'CPR03' });
    if (!r.ok) expect(r.reason).toContain(`nhs_number_status "${status}"`);
  });

  it('CPR03 for a status that is no verification status at all', () => {
    const r = checkCpisRecord(record({ nhs_number_status: 'verified' }));
    expect(r).toEqual({ ok: false, result: 'CPR03', reason: 'nhs_number_status "verified" is not a verification status (01–08); CP-IS needs status 01' });
    expect(checkCpisRecord(record({ nhs_number_status: 'constructor' }))).toMatchObject({ ok: false, result: 'CPR03' });
  });

  it.each([
    [{ plan_type: 'CIN' }, 'plan_type "CIN" is not a plan type'],
    [{ plan_type: '' }, 'plan_type "" is not a plan type'],
    [{ plan_type: 'toString' }, 'plan_type "toString" is not a plan type'],
    [{ start_date: '2023-02-30' }, 'start_date "2023-02-30" is not a real date'],
    [{ start_date: '01/04/2024' }, 'start_date "01/04/2024" is not a real date'],
    [{ start_date: '0000-00-00' }, 'start_date "0000-00-00" is not a real date'],
    [{ end_date: '2024-13-01' }, 'end_date "2024-13-01" is not a real date'],
    [{ end_date: '2024-03-31' }, 'end_date "2024-03-31" is before start_date "2024-04-01"'],
    [{ la_code: '20' }, 'la_code "20" is not a DfE local authority number'],
    [{ la_code: '2020' }, 'la_code "2020" is not a DfE local authority number'],
    [{ la_code: '000' }, 'la_code "000" is not a DfE local authority number'],
    [{ la_code: 'E09' }, 'la_code "E09" is not a DfE local authority number'],
  ])('CPR07 for %j', (values, reason) => {
    const r = checkCpisRecord(record(values));
    expect(r).toMatchObject({ ok: false, result: 'CPR07' });
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('CPR07 names every bad column at once', () => {
    const r = checkCpisRecord(record({ plan_type: 'X', start_date: 'soon', la_code: '' }));
    expect(r).toMatchObject({ ok: false, result: 'CPR07' });
    if (!r.ok) expect(r.reason.split('; ')).toHaveLength(3);
  });

  it('allows a plan that ends the day it starts', () => {
    expect(checkCpisRecord(record({ end_date: '2024-04-01' }))).toMatchObject({ ok: true, value: { end: '2024-04-01' } });
  });
});

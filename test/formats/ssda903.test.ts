import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expressions, malformedFrom } from '../helpers/malformed.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readCsv } from '../../src/formats/csv.js';
import { readSsda903Csv, readSsda903Xml, SSDA903_COLUMNS, SSDA903_TABLES } from '../../src/formats/ssda903.js';
import type { Ssda903Table } from '../../src/formats/ssda903.js';
import { runRules } from '../../src/validation/rule.js';
import { SSDA903_RULES } from '../../src/validation/ssda903/index.js';

async function malformedFromAsync(fn: () => Promise<unknown>): Promise<GatewayError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('GW_ERR_MALFORMED_BODY');
    return err as GatewayError;
  }
  throw new Error('expected GW_ERR_MALFORMED_BODY, but the input was accepted');
}

const HEADER_CSV = ['CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB', 'TESTC001,1,05/06/2012,WBRI,UN2,,', 'TESTC002,2,29/02/2008,MWAS,UN1,0,'].join('\n');

describe('readCsv (through the SSDA903 reader)', () => {
  it('keeps commas, quotes and line breaks inside quotes and trims nothing inside them', () => {
    const t = readCsv('ssda903-csv', 'A,B,C\n1,"x, y","  padded  "\n2,"say ""hi""","two\nlines"\n3 , q ,r\n');
    expect(t.columns).toEqual(['A', 'B', 'C']);
    expect(t.rows).toEqual([
      { line: 2, values: { A: '1', B: 'x, y', C: '  padded  ' } },
      { line: 3, values: { A: '2', B: 'say "hi"', C: 'two\nlines' } },
      { line: 5, values: { A: '3', B: 'q', C: 'r' } },
    ]);
  });

  it('drops a byte order mark, reads CRLF and skips blank lines without losing line numbers', () => {
    const bytes = new TextEncoder().encode('\uFEFFA,B\r\n1,2\r\n\r\n3,4\r\n');
    const t = readCsv('ssda903-csv', bytes);
    expect(t.columns).toEqual(['A', 'B']);
    expect(t.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('refuses bytes that are not UTF-8', () => {
    const e = malformedFrom(() => readCsv('ssda903-csv', new Uint8Array([0x41, 0x2c, 0x42, 0x0a, 0xff, 0x2c, 0x31])));
    expect(e.message).toContain('not valid UTF-8');
  });

  it('refuses an unclosed quote, naming the line', () => {
    const e = malformedFrom(() => readCsv('ssda903-csv', 'A,B\n1,2\n"open,3\n'));
    expect(e.message).toContain('Quote Not Closed');
    expect(expressions(e)).toEqual(['line 3']);
  });

  it('refuses blank and repeated header names', () => {
    const e = malformedFrom(() => readCsv('ssda903-csv', 'A,A,\n1,2,3\n'));
    expect(e.issues).toHaveLength(2);
    expect(e.message).toContain('repeats the column name "A"');
    expect(e.message).toContain('column 3 has no name');
  });

  it('enforces maxRows', () => {
    expect(readCsv('ssda903-csv', 'A\n1\n2\n', { maxRows: 2 }).rows).toHaveLength(2);
    const e = malformedFrom(() => readCsv('ssda903-csv', 'A\n1\n2\n3\n', { maxRows: 2 }));
    expect(e.message).toContain('more than 2 data rows');
    expect(expressions(e)).toEqual(['line 4']);
  });
});

describe('readSsda903Csv', () => {
  it('detects the Header table and converts dates to ISO, leaving out empty cells', () => {
    const m = readSsda903Csv(HEADER_CSV);
    expect(m.format).toBe('ssda903-csv');
    expect(m.warnings).toEqual([]);
    expect(m.tree).toEqual({
      tables: {
        Header: [
          { _line: 2, CHILD: 'TESTC001', SEX: '1', DOB: '2012-06-05', ETHNIC: 'WBRI', UPN: 'UN2' },
          { _line: 3, CHILD: 'TESTC002', SEX: '2', DOB: '2008-02-29', ETHNIC: 'MWAS', UPN: 'UN1', MOTHER: '0' },
        ],
      },
    });
  });

  it('detects the Episodes table with columns in any order', () => {
    const m = readSsda903Csv('LS,CHILD,DECOM,RNE,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nC2,TESTC009,01/01/2025,S,N2,U1,,,,,,,\n');
    expect(m.tree.tables.Episodes).toEqual([{ _line: 2, CHILD: 'TESTC009', DECOM: '2025-01-01', RNE: 'S', LS: 'C2', CIN: 'N2', PLACE: 'U1' }]);
  });

  it.each(SSDA903_TABLES)('detects %s from its header alone', (table) => {
    const m = readSsda903Csv(`${SSDA903_COLUMNS[table].join(',')}\n`);
    expect(Object.keys(m.tree.tables)).toEqual([table]);
    expect(m.tree.tables[table]).toEqual([]);
  });

  it('tells UASC from Header though they share CHILD, SEX and DOB', () => {
    const m = readSsda903Csv('CHILD,SEX,DOB,DUC\nTESTC003,2,01/01/2009,01/01/2027\n');
    expect(m.tree.tables.UASC).toEqual([{ _line: 2, CHILD: 'TESTC003', SEX: '2', DOB: '2009-01-01', DUC: '2027-01-01' }]);
  });

  it('names the candidates when the header fits no table clearly', () => {
    const e = malformedFrom(() => readSsda903Csv('CHILD,DOB\nTESTC001,01/01/2010\n'));
    expect(expressions(e)).toEqual(['line 1']);
    expect(e.message).toContain('does not match the columns of any SSDA903 table');
    expect(e.message).toMatch(/it could be .*Reviews.* or /);
  });

  it('names the tables when the header is unknown', () => {
    const e = malformedFrom(() => readSsda903Csv('foo,bar\n1,2\n'));
    expect(e.message).toContain('expected the columns of one of Header, Episodes, UASC');
  });

  it('names missing and unexpected columns of a detected table', () => {
    const header = [...SSDA903_COLUMNS.Episodes.filter((c) => c !== 'URN'), 'PL_DISTANCE'].join(',');
    const e = malformedFrom(() => readSsda903Csv(`${header}\n`));
    expect(e.issues).toHaveLength(2);
    expect(expressions(e)).toEqual(['Episodes[row 1]', 'Episodes[row 1]']);
    expect(e.issues[0]!.diagnostics).toContain('lacks column "URN"');
    expect(e.issues[1]!.diagnostics).toContain('unexpected column "PL_DISTANCE"');
  });

  it('reports a wrong header as such, not as every row being the wrong length', () => {
    const e = malformedFrom(() => readSsda903Csv('CHILD,SEX,DOB,ETHNIC,UPN,MOTHER\nTESTC001,1,05/06/2012,WBRI,UN2,,\n'));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ code: 'structure', expression: ['Header[row 1]'] });
    expect(e.message).toContain('the Header header lacks column "MC_DOB"');
  });

  it('checks the header against the table the caller names', () => {
    expect(readSsda903Csv(HEADER_CSV, 'Header').tree.tables.Header).toHaveLength(2);
    const e = malformedFrom(() => readSsda903Csv(HEADER_CSV, 'UASC'));
    expect(e.message).toContain('the UASC header lacks column "DUC"');
    expect(e.message).toContain('unexpected columns "ETHNIC", "UPN", "MOTHER", "MC_DOB"');
  });

  it('keeps quoted commas and reads formula-like cells as plain text', () => {
    const m = readSsda903Csv(
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
        'TESTC004,01/04/2024,S,C2,N1,U1,PR1,,,,"AB1, 2CD",=CMD(),"@SUM(1+1)"\n',
    );
    expect(m.tree.tables.Episodes?.[0]).toMatchObject({ HOME_POST: 'AB1, 2CD', PL_POST: '=CMD()', URN: '@SUM(1+1)' });
  });

  it('does not check code lists (that is the rules\' job)', () => {
    const m = readSsda903Csv('CHILD,DOB,MISSING,MIS_START,MIS_END\nTESTC005,01/01/2010,Z,01/02/2024,\n');
    expect(m.tree.tables.Missing?.[0]?.MISSING).toBe('Z');
  });

  it('refuses a ragged row, naming its line', () => {
    const e = malformedFrom(() => readSsda903Csv(`${HEADER_CSV}\nTESTC006,1,01/01/2010\n`));
    expect(expressions(e)).toEqual(['line 4']);
    expect(e.message).toContain('has 3 cells; expected 7');
  });

  it('refuses an empty file', () => {
    expect(malformedFrom(() => readSsda903Csv('')).message).toContain('the body is empty');
    expect(malformedFrom(() => readSsda903Csv(new Uint8Array())).message).toContain('the body is empty');
  });

  it.each([
    ['30/02/2023', 'not a real day'],
    ['0000-00-00', 'ISO, not DD/MM/YYYY'],
    ['00/00/0000', 'all zeros'],
    ['2023-02-01', 'ISO'],
    ['1/2/2023', 'no leading zeros'],
    ['31/04/2023', 'April has 30 days'],
    ['29/02/2023', 'not a leap year'],
    ['01/13/2023', 'month 13'],
  ])('refuses the date %s (%s) with expected and received', (bad) => {
    const e = malformedFrom(() => readSsda903Csv(`CHILD,DOB,REVIEW,REVIEW_CODE\nTESTC007,01/01/2010,${bad},PN1\n`));
    expect(e.issues).toEqual([
      { severity: 'error', code: 'value', expression: ['Reviews[row 2].REVIEW'], diagnostics: `expected a real date written DD/MM/YYYY; received ${JSON.stringify(bad)}` },
    ]);
  });

  it('refuses a non-integer in an integer column', () => {
    const e = malformedFrom(() => readSsda903Csv(`${SSDA903_COLUMNS.AD1.join(',')}\nTESTC008,01/01/2015,01/01/2020,01/02/2020,1,two,MF,L2\n`));
    expect(e.issues).toEqual([{ severity: 'error', code: 'value', expression: ['AD1[row 2].NB_ADOPTR'], diagnostics: 'expected a whole number; received "two"' }]);
  });

  it('requires CHILD', () => {
    const e = malformedFrom(() => readSsda903Csv(`${HEADER_CSV}\n,1,01/01/2010,WBRI,UN1,,\n`));
    expect(e.issues).toEqual([
      { severity: 'error', code: 'required', expression: ['Header[row 4].CHILD'], diagnostics: 'expected the child identifier (CHILD is required); received an empty cell' },
    ]);
  });

  it('collects every problem before throwing', () => {
    const csv = ['CHILD,DOB,MISSING,MIS_START,MIS_END', ',01/01/2010,M,32/01/2024,', 'TESTC010,2010-01-01,A,01/02/2024,1/3/2024'].join('\n');
    const e = malformedFrom(() => readSsda903Csv(csv));
    expect(expressions(e)).toEqual(['Missing[row 2].CHILD', 'Missing[row 2].MIS_START', 'Missing[row 3].DOB', 'Missing[row 3].MIS_END']);
    expect(e.message).toContain('Missing[row 2].MIS_START: expected a real date written DD/MM/YYYY; received "32/01/2024"');
  });
});

/** A synthetic two-child return in the XML form; the CSV tables below hold the same data. */
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>TESTC001</CHILDID><UPN>UN2</UPN><SEX>1</SEX><DOB>05/06/2012</DOB><ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC><DUC>05/06/2030</DUC>
      <AREVIEW><REVIEW>01/05/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <AREVIEW><REVIEW>01/11/2024</REVIEW><REVIEW_CODE>PN2</REVIEW_CODE></AREVIEW>
      <AMISSING><MISSING>M</MISSING><MIS_START>02/06/2024</MIS_START><MIS_END>03/06/2024</MIS_END></AMISSING>
      <MOTHER /><MC_DOB />
      <OC2><SDQ_SCORE>12</SDQ_SCORE><CONVICTED>0</CONVICTED><HEALTH_CHECK>1</HEALTH_CHECK><IMMUNISATIONS>1</IMMUNISATIONS><TEETH_CHECK>1</TEETH_CHECK><HEALTH_ASSESSMENT>1</HEALTH_ASSESSMENT><SUBSTANCE_MISUSE>0</SUBSTANCE_MISUSE><INTERVENTION_RECEIVED /><INTERVENTION_OFFERED /></OC2>
      <PERMANENCE><PREV_PERM>Z1</PREV_PERM><LA_PERM /><DATE_PERM /></PERMANENCE>
    </HEADER>
    <EPISODE><DECOM>01/04/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PL_POST>EF3 4GH</PL_POST><HOME_POST>AB1, 2CD</HOME_POST><URN>SC000001</URN><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>10/05/2024</DEC><REC>X1</REC><REASON_PLACE_CHANGE /></EPISODE>
    <EPISODE><DECOM>10/05/2024</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>U3</PL><PL_POST>=CMD()</PL_POST><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE></EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>TESTC002</CHILDID><UPN>UN1</UPN><SEX>2</SEX><DOB>29/02/2008</DOB><ETHNIC>MWAS</ETHNIC><UASC />
      <MOTHER>0</MOTHER><MC_DOB />
      <IN_TOUCH>YES</IN_TOUCH><ACTIV>F1</ACTIV><ACCOM>S1</ACCOM>
      <AD_PLACED><DATE_PLACED>01/01/2020</DATE_PLACED><DATE_PLACED_CEASED>01/06/2020</DATE_PLACED_CEASED><REASON_PLACED_CEASED>RD1</REASON_PLACED_CEASED></AD_PLACED>
    </HEADER>
    <EPISODE><DECOM>03/03/2024</DECOM><RNE>S</RNE><LS>L1</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>05/03/2024</DEC><REC>E4A</REC></EPISODE>
  </CHILD>
</EXPSSDA903>`;

const CSV_TABLES: Partial<Record<Ssda903Table, string>> = {
  Header: HEADER_CSV,
  Episodes: [
    'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN',
    'TESTC001,01/04/2024,S,C2,N1,U1,PR1,10/05/2024,X1,,"AB1, 2CD",EF3 4GH,SC000001',
    'TESTC001,10/05/2024,P,C2,N1,U3,PR1,,,CARPL,,=CMD(),',
    'TESTC002,03/03/2024,S,L1,N1,U1,PR1,05/03/2024,E4A,,,,',
  ].join('\n'),
  UASC: 'CHILD,SEX,DOB,DUC\nTESTC001,1,05/06/2012,05/06/2030\n',
  Reviews: 'CHILD,DOB,REVIEW,REVIEW_CODE\nTESTC001,05/06/2012,01/05/2024,PN1\nTESTC001,05/06/2012,01/11/2024,PN2\n',
  Missing: 'CHILD,DOB,MISSING,MIS_START,MIS_END\nTESTC001,05/06/2012,M,02/06/2024,03/06/2024\n',
  OC2: `${SSDA903_COLUMNS.OC2.join(',')}\nTESTC001,05/06/2012,12,,0,1,1,1,1,0,,\n`,
  OC3: 'CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nTESTC002,29/02/2008,YES,F1,S1\n',
  AD1: `${SSDA903_COLUMNS.AD1.join(',')}\n`,
  PlacedAdoption: 'CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\nTESTC002,29/02/2008,01/01/2020,01/06/2020,RD1\n',
  PrevPerm: 'CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nTESTC001,05/06/2012,Z1,,\n',
};

describe('readSsda903Xml', () => {
  it('gives the same tables as the CSV form (CHILDID → CHILD, PL → PLACE, dates ISO)', async () => {
    const xml = await readSsda903Xml(XML);
    expect(xml.format).toBe('ssda903-xml');
    expect(Object.keys(xml.tree.tables).sort()).toEqual(Object.keys(CSV_TABLES).sort());
    for (const [table, csv] of Object.entries(CSV_TABLES) as [Ssda903Table, string][]) {
      expect(xml.tree.tables[table], table).toEqual(readSsda903Csv(csv, table).tree.tables[table]);
    }
  });

  it('gives the same rule findings as the CSV form', async () => {
    const xml = await readSsda903Xml(XML);
    const csvTables = Object.assign({}, ...(Object.entries(CSV_TABLES) as [Ssda903Table, string][]).map(([t, csv]) => readSsda903Csv(csv, t).tree.tables));
    expect(runRules(SSDA903_RULES, xml.tree)).toEqual(runRules(SSDA903_RULES, { tables: csvTables }));
  });

  it('accepts OC3 and AD1 items in their own group elements', async () => {
    const m = await readSsda903Xml(
      '<EXPSSDA903><CHILD><HEADER><CHILDID>TESTC011</CHILDID><DOB>01/01/2015</DOB><AD1><DATE_INT>01/01/2020</DATE_INT><NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR></AD1></HEADER></CHILD></EXPSSDA903>',
    );
    expect(m.tree.tables.AD1).toEqual([{ _line: 2, CHILD: 'TESTC011', DOB: '2015-01-01', DATE_INT: '2020-01-01', NB_ADOPTR: '2', SEX_ADOPTR: 'MF' }]);
    expect(m.tree.tables.OC3).toEqual([]);
  });

  it('refuses another root element', async () => {
    const e = await malformedFromAsync(() => readSsda903Xml('<Message><Children/></Message>'));
    expect(e.message).toContain('expected <EXPSSDA903>');
    expect(expressions(e)).toEqual(['Message']);
  });

  it('refuses a DOCTYPE (through the safe XML reader)', async () => {
    const e = await malformedFromAsync(() => readSsda903Xml('<!DOCTYPE x [<!ENTITY a "b">]><EXPSSDA903/>'));
    expect(e.message).toContain('DTDs and entity declarations are refused');
  });

  it('names bad dates, missing CHILDID and unknown elements by XML path, once each', async () => {
    const bad = `<EXPSSDA903>
      <CHILD><HEADER><CHILDID></CHILDID><DOB>31/02/2010</DOB><AREVIEW><REVIEW>01/01/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW></HEADER>
        <EPISODE><DECOM>2024-01-01</DECOM><PLACE>U1</PLACE></EPISODE></CHILD>
      <CHILD><EPISODE/></CHILD>
      <BOGUS/>
    </EXPSSDA903>`;
    const e = await malformedFromAsync(() => readSsda903Xml(bad));
    expect(expressions(e).sort()).toEqual(
      [
        'EXPSSDA903.BOGUS',
        'EXPSSDA903.CHILD[1].EPISODE[1].DECOM',
        'EXPSSDA903.CHILD[1].EPISODE[1].PLACE',
        'EXPSSDA903.CHILD[1].HEADER.CHILDID',
        'EXPSSDA903.CHILD[1].HEADER.DOB',
        'EXPSSDA903.CHILD[2]',
      ].sort(),
    );
    const byPath = Object.fromEntries(e.issues.map((i) => [i.expression?.[0], i]));
    expect(byPath['EXPSSDA903.CHILD[1].HEADER.DOB']).toMatchObject({ code: 'value', diagnostics: 'expected a real date written DD/MM/YYYY; received "31/02/2010"' });
    expect(byPath['EXPSSDA903.CHILD[1].HEADER.CHILDID']).toMatchObject({ code: 'required' });
    expect(byPath['EXPSSDA903.CHILD[1].EPISODE[1].PLACE']?.diagnostics).toContain('unexpected element <PLACE> in <EPISODE>');
    expect(byPath['EXPSSDA903.CHILD[2]']?.diagnostics).toContain('expected exactly one <HEADER>');
  });

  it('refuses a repeated item and a bad UASC flag', async () => {
    const e = await malformedFromAsync(() =>
      readSsda903Xml('<EXPSSDA903><CHILD><HEADER><CHILDID>TESTC012</CHILDID><UASC>Y</UASC></HEADER><EPISODE><LS>C2</LS><LS>C1</LS></EPISODE></CHILD></EXPSSDA903>'),
    );
    expect(expressions(e)).toEqual(['EXPSSDA903.CHILD[1].HEADER.UASC', 'EXPSSDA903.CHILD[1].EPISODE[1].LS']);
  });
});

const SAMPLES = join(import.meta.dirname, '../../../shared/samples/la/ssda903');

describe.runIf(existsSync(SAMPLES))('shared SSDA903 samples', () => {
  const files = existsSync(SAMPLES) ? readdirSync(SAMPLES).filter((f) => f.endsWith('.csv')).sort() : [];
  const expected: Record<string, Ssda903Table> = {
    'lac-validator_DoLo.csv': 'DoLo',
    'lac-validator_ad1.csv': 'AD1',
    'lac-validator_episodes_subset.csv': 'Episodes',
    'lac-validator_header_subset.csv': 'Header',
    'lac-validator_missing.csv': 'Missing',
    'lac-validator_oc2_subset.csv': 'OC2',
    'lac-validator_oc3.csv': 'OC3',
    'lac-validator_placed_for_adoption.csv': 'PlacedAdoption',
    'lac-validator_previous_permanence_subset.csv': 'PrevPerm',
    'lac-validator_reviews_subset.csv': 'Reviews',
    'lac-validator_sw_episodes.csv': 'SWEpisodes',
    'lac-validator_uasc.csv': 'UASC',
    'liia-tools_SSDA903_2020_episodes.csv': 'Episodes',
  };

  it.each(files)('reads %s and detects its table', (file) => {
    const m = readSsda903Csv(readFileSync(join(SAMPLES, file)));
    const tables = Object.keys(m.tree.tables);
    expect(tables).toHaveLength(1);
    if (expected[file]) expect(tables[0]).toBe(expected[file]);
    expect(m.tree.tables[tables[0] as Ssda903Table]!.length).toBeGreaterThan(0);
  });

  it('reports the rule findings per sample file', () => {
    const report: Record<string, Record<string, number>> = {};
    for (const file of files) {
      const issues = runRules(SSDA903_RULES, readSsda903Csv(readFileSync(join(SAMPLES, file))).tree);
      const counts: Record<string, number> = {};
      for (const i of issues) counts[i.rule ?? '?'] = (counts[i.rule ?? '?'] ?? 0) + 1;
      report[file] = counts;
    }
    // The generated tables break these rules, and only these: a change in findings is a change in a rule.
    const withFindings = Object.fromEntries(Object.entries(report).filter(([, c]) => Object.keys(c).length > 0));
    expect(withFindings).toEqual({
      'lac-validator_episodes_subset.csv': { 'SSDA903-148': 18, 'SSDA903-361': 4, 'SSDA903-362': 1, 'SSDA903-363': 4, 'SSDA903-364': 4 },
      'lac-validator_oc3.csv': { 'SSDA903-132': 12, 'SSDA903-133': 2 },
      'lac-validator_placed_for_adoption.csv': { 'SSDA903-120': 29 },
      'liia-tools_SSDA903_2020_episodes.csv': { 'SSDA903-364': 2, 'SSDA903-388': 2 },
    });
  });
});

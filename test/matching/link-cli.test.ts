import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { csvCell, runLink, runTrain } from '../../src/cli/link.js';
import { main } from '../../src/cli/sgw.js';
import { MatchModelSchema } from '../../src/matching/model.js';
import type { MatchRecord } from '../../src/matching/types.js';
import { peopleWithCopies } from './linkage-fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-link-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

const HEADER = 'record,forename,family_name,dob,gender,pc,house,street,person';
const row = (r: MatchRecord, person: string) => [r.id, r.givenNames[0] ?? '', r.family ?? '', (r.birthDate ?? '').replace(/-/g, ''), r.sex === 'female' ? 'F' : 'M', r.postcode ?? '', r.addressTokens[0], r.addressTokens.slice(1).join(' '), person].join(',');
const { originals, copies } = peopleWithCopies(200, 9);
const left = file('left.csv', [HEADER, ...originals.map((r, i) => row(r, `e${i}`))].join('\n'));
const right = file('right.csv', [HEADER, ...copies.map((r, i) => row(r, `e${i}`))].join('\n'));
const both = file('both.csv', [HEADER, ...originals.map((r, i) => row(r, `e${i}`)), ...copies.map((r, i) => row(r, `e${i}`))].join('\n'));
const columns = file(
  'columns.yaml',
  'id: record\ngivenName: forename\nsurname: family_name\nbirthDate: dob\nbirthDateFormat: YYYYMMDD\nsex: gender\npostcode: pc\naddress: [house, street]\n',
);

function capture() {
  const lines: string[] = [];
  return { lines, print: (l: string) => lines.push(l) };
}

describe('sgw match train and sgw link', () => {
  const modelFile = path.join(dir, 'out', 'model.json');

  it('trains a model, chooses thresholds on the tuning split with --truth, and writes valid JSON', async () => {
    const out = capture();
    await runTrain({ left, right, columns, out: modelFile, truth: 'person', randomPairs: 40_000 }, out.print);
    const model = MatchModelSchema.parse(JSON.parse(fs.readFileSync(modelFile, 'utf8')));
    expect(model.comparisons).toHaveLength(6);
    expect(out.lines.join('\n')).toMatch(/thresholds chosen on the tuning split/);
    expect(out.lines.join('\n')).toMatch(/\| match \| 1\.0000 \|/);
    expect(out.lines.join('\n')).not.toMatch(/AMELIA|OLIVER|ASHWORTH/); // no names in the output
  });

  it('links two files with a model and writes scored pairs; --truth prints the figures', async () => {
    const out = capture();
    const pairsFile = path.join(dir, 'pairs.csv');
    const result = await runLink({ left, right, columns, out: pairsFile, model: modelFile, truth: 'person', threshold: 0.5 }, out.print);
    const lines = fs.readFileSync(pairsFile, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('left_id,right_id,match_weight,match_probability');
    expect(lines.length - 1).toBe(result.pairsWritten);
    expect(lines).toContain(lines.find((l) => l.startsWith('p7,d7,')));
    expect(result.evaluation!.recall).toBeGreaterThan(0.95);
    expect(result.evaluation!.precision).toBeGreaterThan(0.98);
    const text = out.lines.join('\n');
    expect(text).toMatch(/precision \| recall \| F1/);
    expect(text).toMatch(/pair completeness/);
    expect(text).toMatch(/over-merged clusters/);
  });

  it('deduplicates one file when there is no --right, training a model when there is no --model', async () => {
    const out = capture();
    const result = await runLink({ left: both, columns, out: path.join(dir, 'dedupe.csv'), truth: 'person' }, out.print);
    expect(out.lines[0]).toMatch(/no --model: training one/);
    expect(result.evaluation!.truePairs).toBe(200);
    expect(result.evaluation!.recall).toBeGreaterThan(0.9);
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM')).toBe("'@SUM");
    expect(csvCell('p1')).toBe('p1');
    expect(csvCell(-2.5)).toBe('-2.5'); // numbers are ours, not free text
  });

  it('writes a formula-looking id neutralised', async () => {
    const l = file('evil.csv', `${HEADER}\n=cmd|x,ANN,ASHWORTH,20150307,F,LS1 1AA,1,MILL LANE,a\n@p2,ANN,ASHWORTH,20150307,F,LS1 1AA,1,MILL LANE,a\n`);
    const pairsFile = path.join(dir, 'evil-pairs.csv');
    await runLink({ left: l, columns, out: pairsFile, model: modelFile, threshold: 0 }, () => {});
    expect(fs.readFileSync(pairsFile, 'utf8').split('\n')[1]).toMatch(/^'=cmd\|x,'@p2,/);
  });
});

describe('bad input: a clear error naming the file and field', () => {
  it('a column the map names that the file lacks', async () => {
    const bad = file('bad-columns.yaml', 'id: record\ngivenName: first_name\nsurname: family_name\n');
    await expect(runLink({ left, columns: bad, out: path.join(dir, 'x.csv') }, () => {})).rejects.toThrow(`${left}: givenName: column 'first_name' not found; the file's columns are record, forename`);
  });

  it('a missing --truth column', async () => {
    await expect(runLink({ left, columns, out: path.join(dir, 'x.csv'), truth: 'cluster' }, () => {})).rejects.toThrow(/--truth column 'cluster' not found/);
  });

  it('a file that does not exist', async () => {
    await expect(runLink({ left: path.join(dir, 'nope.csv'), columns, out: path.join(dir, 'x.csv') }, () => {})).rejects.toThrow(`${path.join(dir, 'nope.csv')}: no such file`);
  });

  it('a column map that is not YAML, lacks id, or has an unknown field', async () => {
    const notYaml = file('not.yaml', 'id: [unclosed\n');
    await expect(runLink({ left, columns: notYaml, out: 'x' }, () => {})).rejects.toThrow(`${notYaml}: not valid YAML`);
    const noId = file('noid.yaml', 'givenName: forename\n');
    await expect(runLink({ left, columns: noId, out: 'x' }, () => {})).rejects.toThrow(`${noId}: id:`);
    const unknown = file('unknown.yaml', 'id: record\nshoe: size\n');
    await expect(runLink({ left, columns: unknown, out: 'x' }, () => {})).rejects.toThrow(`${unknown}: (root): unknown field(s) shoe`);
  });

  it('a model file that is not a model', async () => {
    const badModel = file('bad-model.json', JSON.stringify({ version: 1, lambda: 2, comparisons: [], thresholds: { match: 0.9, possible: 0.5 } }));
    await expect(runLink({ left, columns, out: 'x', model: badModel }, () => {})).rejects.toThrow(`${badModel}: lambda:`);
  });

  it('a blank or repeated id', async () => {
    const dup = file('dup.csv', `${HEADER}\np1,ANN,ASHWORTH,20150307,F,LS1 1AA,1,MILL,a\np1,ANN,ASHWORTH,20150307,F,LS1 1AA,1,MILL,a\n`);
    await expect(runLink({ left: dup, columns, out: 'x' }, () => {})).rejects.toThrow(`${dup}: row 2: id 'p1' is repeated`);
  });

  it('the sgw command prints the error and exits 1; a bad --threshold is refused', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      process.exitCode = 0;
      await main(['node', 'sgw', 'link', '--left', path.join(dir, 'nope.csv'), '--columns', columns, '--out', path.join(dir, 'x.csv')]);
      expect(process.exitCode).toBe(1);
      expect(errors[0]).toMatch(/nope\.csv: no such file/);
    } finally {
      spy.mockRestore();
      process.exitCode = 0;
    }
    await expect(runLink({ left, columns, out: 'x', threshold: 1.5 }, () => {})).rejects.toThrow('--threshold 1.5: expected a probability between 0 and 1');
  });
});

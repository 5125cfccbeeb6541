import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPseudonymise } from '../../src/cli/pseudonymise.js';
import { generateKeyBase64 } from '../../src/crypto/keys.js';
import { pseudonymRecordFromJson } from '../../src/matching/pseudonym.js';
import { candidatePairs, defaultDiceBands, preparePseudonym, pseudonymComparator } from '../../src/matching/pseudonym-compare.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-pseudonymise-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
// Synthetic people; NHS numbers from the 999 test range.
const people = write(
  'people.csv',
  [
    'ref,first,last,dob,sex,postcode,street,nhs',
    'A1,Josephine,Whittaker,2015-03-12,F,LS1 4AP,17 Brackenridge Road,999 000 0018',
    'A2,Oliver,Marchbanks,2012-11-02,M,LS6 2QT,3 Quarry Mount,9990000026',
  ].join('\n'),
);
const others = write('others.csv', ['ref,first,last,dob,sex,postcode,street,nhs', 'B7,Josephine,Whitaker,2015-03-12,female,LS1 4AP,17 Brackenridge Rd,'].join('\n'));
const columns = write('map.yaml', 'id: ref\ngivenName: first\nsurname: last\nbirthDate: dob\nsex: sex\npostcode: postcode\naddress: street\nidentifier: nhs\n');
const env = { SGW_LINKAGE_KEY: generateKeyBase64(32) };
const quiet = () => {};

describe('sgw pseudonymise', () => {
  it('writes one encoded record per line, with no clear text, that the matcher can block and compare', async () => {
    const out = path.join(dir, 'a.jsonl');
    const printed: string[] = [];
    const outcome = await runPseudonymise({ in: people, columns, out }, env, (l) => printed.push(l));
    expect(outcome.records).toBe(2);
    const text = fs.readFileSync(out, 'utf8');
    for (const clear of ['Josephine', 'JOSEPHINE', 'Whittaker', 'WHITTAKER', '2015-03-12', 'LS1 4AP', 'LS14AP', 'Brackenridge', 'BRACKENRIDGE', '9990000018', '999 000 0018']) {
      expect(text).not.toContain(clear);
      expect(printed.join('\n')).not.toContain(clear);
    }
    const left = text.trim().split('\n').map((l) => pseudonymRecordFromJson(JSON.parse(l)));
    expect(left.map((r) => r.id)).toEqual(['A1', 'A2']);
    expect(left[0]!.identifiers).toHaveLength(1);
    expect(left[0]!.sex).toBe('female');

    const outB = path.join(dir, 'b.jsonl');
    await runPseudonymise({ in: others, columns, out: outB }, env, quiet);
    const right = fs.readFileSync(outB, 'utf8').trim().split('\n').map((l) => pseudonymRecordFromJson(JSON.parse(l)));
    expect(right[0]!.identifiers).toEqual([]);
    expect(candidatePairs(left, right)).toEqual([[0, 0]]);
    const comparator = pseudonymComparator(defaultDiceBands('xor-fold+balance'));
    const v = comparator.compare(preparePseudonym(left[0]!), preparePseudonym(right[0]!));
    expect(v.slice(0, 6)).toEqual([-1, 0, 2, 0, 0, 0]); // no shared identifier; one-letter surname typo in the band below exact
  });

  it('keeps local ids with the agency when asked: random ids out, the map in a private file', async () => {
    const out = path.join(dir, 'c.jsonl');
    const idMap = path.join(dir, 'ids.csv');
    await runPseudonymise({ in: people, columns, out, idMap }, env, quiet);
    const ids = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(fs.readFileSync(idMap, 'utf8').trim().split('\n')).toEqual(['local_id,pseudonymous_id', `A1,${ids[0]}`, `A2,${ids[1]}`]);
    expect(fs.statSync(idMap).mode & 0o077).toBe(0);
  });

  it('refuses to run without a linkage key, naming the variable, and uses the development key only when asked', async () => {
    const out = path.join(dir, 'd.jsonl');
    await expect(runPseudonymise({ in: people, columns, out }, {}, quiet)).rejects.toThrow(/SGW_LINKAGE_KEY/);
    expect(fs.existsSync(out)).toBe(false);
    const printed: string[] = [];
    await runPseudonymise({ in: people, columns, out, devKey: true }, {}, (l) => printed.push(l));
    expect(printed[0]).toMatch(/development linkage key/);
    await expect(runPseudonymise({ in: people, columns, out, devKey: true }, env, quiet)).rejects.toThrow(/one or the other/);
  });

  it('names a bad option', async () => {
    const out = path.join(dir, 'e.jsonl');
    await expect(runPseudonymise({ in: people, columns, out, hardening: 'rot13' }, env, quiet)).rejects.toThrow(/--hardening rot13: expected one of/);
    await expect(runPseudonymise({ in: people, columns, out, length: '1000' }, env, quiet)).rejects.toThrow(/--length 1000/);
  });
});

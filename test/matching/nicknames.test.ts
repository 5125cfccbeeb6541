import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NICKNAMES_FILE, areNicknames, loadNicknames, nicknameTable, parseNicknames } from '../../src/matching/nicknames.js';

describe('the project nickname list', () => {
  it('links a formal name and its nickname both ways, in any case or spacing', () => {
    expect(areNicknames('William', 'Bill')).toBe(true);
    expect(areNicknames('BILL', 'william')).toBe(true);
    expect(areNicknames(' bill ', 'WILLIAM')).toBe(true);
  });

  it('links two nicknames of one formal name (Bill/Billy)', () => {
    expect(areNicknames('BILL', 'BILLY')).toBe(true);
  });

  it.each([
    ['ALFIE', 'ALFRED'],
    ['CHARLIE', 'CHARLOTTE'],
    ['CHARLIE', 'CHARLES'],
    ['OLLIE', 'OLIVER'],
    ['IZZY', 'ISABELLA'],
    ['EVIE', 'EVE'],
    ['FREDDIE', 'FREDERICK'],
    ['ARCHIE', 'ARCHIBALD'],
    ['HARRY', 'HENRY'],
    ['KEZ', 'KERRY'],
  ])('has the UK diminutive %s for %s', (a, b) => {
    expect(areNicknames(a, b)).toBe(true);
  });

  it('does not link unrelated names, twins’ names or a name with itself', () => {
    expect(areNicknames('OLIVER', 'OLIVIA')).toBe(false);
    expect(areNicknames('BRONWEN', 'TAMSIN')).toBe(false);
    expect(areNicknames('WILLIAM', 'WILLIAM')).toBe(false);
    expect(areNicknames('ZZYZX', 'WILLIAM')).toBe(false);
  });

  it('does not chain through a shared nickname: Katherine and Christopher both have Kit, but are not nicknames', () => {
    expect(areNicknames('KIT', 'KATHERINE')).toBe(true);
    expect(areNicknames('KIT', 'CHRISTOPHER')).toBe(true);
    expect(areNicknames('KATHERINE', 'CHRISTOPHER')).toBe(false);
  });

  it('is loaded once and ships with its licence and notice', () => {
    expect(nicknameTable()).toBe(nicknameTable());
    expect(nicknameTable().size).toBeGreaterThan(1000);
    const dir = path.dirname(DEFAULT_NICKNAMES_FILE);
    expect(fs.readFileSync(path.join(dir, 'LICENSE-nicknames-Apache-2.0.txt'), 'utf8')).toMatch(/Apache License/);
    expect(fs.readFileSync(path.join(dir, 'NOTICE-nicknames.md'), 'utf8')).toMatch(/carltonnorthern\/nicknames/);
  });
});

describe('parseNicknames / loadNicknames', () => {
  it('reads CRLF files and normalises names like every given name (accents, case)', () => {
    const t = parseNicknames('name1,relationship,name2\r\nzoë,has_nickname,zo\r\n\r\n');
    expect(t.areNicknames('ZOE', 'zo')).toBe(true);
  });

  it('names the file and line of a malformed row', () => {
    expect(() => parseNicknames('name1,relationship,name2\nann,has_nickname,annie\nbob;robert\n', 'x.csv')).toThrow("x.csv: line 3: expected 'formal,has_nickname,nickname'");
    expect(() => parseNicknames('first,second\n', 'y.csv')).toThrow(/y.csv: line 1 must be the header/);
    expect(() => parseNicknames('name1,relationship,name2\n,has_nickname,annie\n', 'z.csv')).toThrow('z.csv: line 2: a name is empty');
  });

  it('names a file it cannot read', () => {
    const missing = path.join(os.tmpdir(), 'no-such-nicknames.csv');
    expect(() => loadNicknames(missing)).toThrow(`${missing}: cannot read the nickname list`);
  });
});

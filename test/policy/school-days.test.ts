import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/env.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { DEFAULT_SCHOOL_CALENDAR, loadSchoolCalendar, nextSchoolDayStart } from '../../src/policy/school-days.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function configWith(yaml: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-school-days-'));
  dirs.push(dir);
  if (yaml !== null) fs.writeFileSync(path.join(dir, 'school-calendar.yaml'), yaml);
  return dir;
}

const demo = loadSchoolCalendar(path.join(PACKAGE_ROOT, 'config'));
const next = (at: string, la?: string) => nextSchoolDayStart(new Date(at), demo, la).toISOString();

describe('nextSchoolDayStart', () => {
  it('sends a Friday-evening notice to Monday 08:30 local', () => {
    expect(next('2026-12-04T22:40:00Z')).toBe('2026-12-07T08:30:00.000Z');
    expect(next('2026-12-04T22:40:00Z', 'la:383')).toBe('2026-12-07T08:30:00.000Z');
    expect(nextSchoolDayStart(new Date('2026-12-04T22:40:00Z'), DEFAULT_SCHOOL_CALENDAR).toISOString()).toBe('2026-12-07T08:30:00.000Z');
  });

  it('reads 08:30 as London time: 07:30Z in BST, 08:30Z in GMT', () => {
    expect(next('2026-06-10T20:00:00Z')).toBe('2026-06-11T07:30:00.000Z');
    expect(next('2026-11-18T20:00:00Z')).toBe('2026-11-19T08:30:00.000Z');
  });

  it('follows the clocks across the weekends they change', () => {
    // Clocks go back on Sunday 25 October 2026: Friday in BST, Monday in GMT.
    expect(next('2026-10-23T18:00:00Z')).toBe('2026-10-26T08:30:00.000Z');
    // Clocks go forward on Sunday 29 March 2026: Friday in GMT, Monday in BST.
    expect(next('2026-03-27T18:00:00Z')).toBe('2026-03-30T07:30:00.000Z');
  });

  it('uses the local date, not the UTC one, just after midnight in BST', () => {
    // 00:30 BST on Thursday 11 June is still 23:30Z on Wednesday.
    expect(next('2026-06-10T23:30:00Z')).toBe('2026-06-11T07:30:00.000Z');
  });

  it('skips a bank holiday Monday', () => {
    expect(next('2026-08-28T19:00:00Z')).toBe('2026-09-01T07:30:00.000Z');
    expect(next('2027-04-30T19:00:00Z')).toBe('2027-05-04T07:30:00.000Z');
    // Christmas 2027: Saturday and Sunday, with substitute days on Monday 27 and Tuesday 28.
    expect(next('2027-12-24T12:00:00Z')).toBe('2027-12-29T08:30:00.000Z');
  });

  it('skips an LA half term and holidays, but not for LAs without them', () => {
    expect(next('2026-10-27T10:00:00Z', 'la:383')).toBe('2026-11-02T08:30:00.000Z');
    expect(next('2026-10-27T10:00:00Z')).toBe('2026-10-28T08:30:00.000Z');
    expect(next('2026-10-27T10:00:00Z', 'la:201')).toBe('2026-10-28T08:30:00.000Z');
    // Christmas holiday, bank holidays inside it, then an INSET day.
    expect(next('2026-12-18T16:00:00Z', 'la:383')).toBe('2027-01-05T08:30:00.000Z');
  });

  it('is today before the bell and the next school day after it', () => {
    expect(next('2026-11-18T08:29:00Z')).toBe('2026-11-18T08:30:00.000Z');
    expect(next('2026-11-18T08:31:00Z')).toBe('2026-11-19T08:30:00.000Z');
    expect(next('2026-11-18T08:30:00Z')).toBe('2026-11-19T08:30:00.000Z');
    expect(next('2026-06-10T07:29:00Z')).toBe('2026-06-10T07:30:00.000Z');
    expect(next('2026-06-10T07:31:00Z')).toBe('2026-06-11T07:30:00.000Z');
  });
});

describe('config/school-calendar.yaml', () => {
  it('without the file, schools open every weekday at 08:30', () => {
    const calendar = loadSchoolCalendar(configWith(null));
    expect(calendar).toBe(DEFAULT_SCHOOL_CALENDAR);
    expect(nextSchoolDayStart(new Date('2026-12-24T20:00:00Z'), calendar).toISOString()).toBe('2026-12-25T08:30:00.000Z');
  });

  it('gives an LA its own start time and closures on top of the default ones', () => {
    const calendar = loadSchoolCalendar(
      configWith(`
default:
  closed:
    - { name: Bank holiday, date: 2026-08-31 }
localAuthorities:
  la:383:
    dayStarts: "08:50"
    closed:
      - { name: INSET day, date: 2026-09-01 }
`),
    );
    expect(calendar.dayStarts).toBe('08:30');
    const friday = new Date('2026-08-28T19:00:00Z');
    expect(nextSchoolDayStart(friday, calendar).toISOString()).toBe('2026-09-01T07:30:00.000Z');
    expect(nextSchoolDayStart(friday, calendar, 'la:383').toISOString()).toBe('2026-09-02T07:50:00.000Z');
    expect(nextSchoolDayStart(friday, calendar, 'la:999').toISOString()).toBe('2026-09-01T07:30:00.000Z');
  });

  it('stops start-up naming the file, the field and what was expected', () => {
    const dir = configWith(`
default:
  dayStarts: "8.30"
  closed:
    - { name: Half term, from: 2026-10-30, to: 2026-10-26 }
    - { name: Not a day, date: 2026-02-30 }
    - { date: 2026-12-25 }
localAuthorities:
  leeds:
    closed: []
`);
    const file = path.join(dir, 'school-calendar.yaml');
    expect(() => loadSchoolCalendar(dir)).toThrow(ConfigError);
    let message = '';
    try {
      loadSchoolCalendar(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${file}: invalid school calendar`);
    expect(message).toMatch(/default\.dayStarts: expected a local time HH:MM/);
    expect(message).toMatch(/default\.closed\.0\.to: expected a date on or after from \(2026-10-30\)/);
    expect(message).toMatch(/default\.closed\.1\.date: expected a calendar date/);
    expect(message).toMatch(/default\.closed\.2\.name: /);
    expect(message).toMatch(/localAuthorities\.leeds: expected a local authority agency id/);
  });

  it('rejects a period that is both a date and a range, and a file that is not YAML', () => {
    expect(() => loadSchoolCalendar(configWith('default:\n  closed:\n    - { name: x, date: 2026-01-01, from: 2026-01-01, to: 2026-01-02 }\n'))).toThrow(/default\.closed\.0\.date: expected either date, or from and to/);
    expect(() => loadSchoolCalendar(configWith('default: [unclosed'))).toThrow(/school-calendar\.yaml: cannot be read as YAML/);
  });
});

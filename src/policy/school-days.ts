import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readYamlConfig } from '../config/yaml-file.js';
import { isIsoCalendarDate } from '../model/dates.js';
import { londonParts } from '../model/london-time.js';

/**
 * School days for Operation Encompass: a notice must reach the school before the start of
 * the next school day, weekends and holidays respected. School-day starts are local times in
 * Europe/London, so the same 08:30 is 08:30Z in winter (GMT) and 07:30Z in summer (BST).
 */

/** When one calendar's schools open: the local start time and the days they are closed. */
export interface SchoolDays {
  /** Local time the school day starts, HH:MM, Europe/London. */
  dayStarts: string;
  /** Dates (YYYY-MM-DD) on which schools are closed, besides weekends. */
  closedDates: ReadonlySet<string>;
}

/** The default school days, and those of local authorities (`la:383`) that have their own. */
export interface SchoolCalendar extends SchoolDays {
  /** Per-LA calendars, keyed by agency id; each already includes the default's closed dates. */
  localAuthorities?: ReadonlyMap<string, SchoolDays>;
}

export const DEFAULT_SCHOOL_CALENDAR: SchoolCalendar = { dayStarts: '08:30', closedDates: new Set() };

const DAY_MS = 86_400_000;
/** A calendar with no school day for this long is a configuration mistake, not a holiday. */
const MAX_DAYS_AHEAD = 366;


/** The wall-clock reading in London at an instant, as if it were UTC (ms since epoch). */
function londonWallClock(at: Date): number {
  const p: Record<string, number> = {};
  for (const part of londonParts.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
}

/**
 * The instant at which London's clocks read the given local date and time. School starts
 * are never inside the 01:00–02:00 hour the clocks skip or repeat, so one correction of the
 * offset is exact.
 */
function londonToUtc(dayMs: number, minutes: number): Date {
  const wall = dayMs + minutes * 60_000;
  const firstGuess = new Date(wall);
  const offset = londonWallClock(firstGuess) - firstGuess.getTime();
  const guess = new Date(wall - offset);
  const correctedOffset = londonWallClock(guess) - guess.getTime();
  return new Date(wall - correctedOffset);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The start of the first school day that begins after `at`: weekends and the calendar's
 * closed dates skipped, the start read as London local time. With `la` (an agency id such as
 * `la:383`) the LA's own calendar is used when it has one, otherwise the default.
 */
export function nextSchoolDayStart(at: Date, calendar: SchoolCalendar, la?: string): Date {
  const days: SchoolDays = (la !== undefined ? calendar.localAuthorities?.get(la) : undefined) ?? calendar;
  const start = minutesOf(days.dayStarts);
  const wall = londonWallClock(at);
  const today = wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
  for (let i = 0; i <= MAX_DAYS_AHEAD; i++) {
    const day = new Date(today + i * DAY_MS);
    const weekday = day.getUTCDay();
    if (weekday === 0 || weekday === 6 || days.closedDates.has(day.toISOString().slice(0, 10))) continue;
    const opens = londonToUtc(day.getTime(), start);
    if (opens > at) return opens;
  }
  throw new Error(`the school calendar${la ? ` for ${la}` : ''} has no school day within ${MAX_DAYS_AHEAD} days of ${at.toISOString()}`);
}

const DayStartsSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (24-hour, Europe/London), e.g. 08:30');
const DateSchema = z.string().refine(isIsoCalendarDate, { message: 'expected a calendar date written YYYY-MM-DD (quote it if in doubt)' });

const NAME_EXPECTED = 'expected a name saying why schools are closed, e.g. "Christmas holiday"';

/** One closed period: a single `date`, or a range `from`…`to` (both included). */
const ClosedPeriodSchema = z
  .object({
    name: z.string({ error: NAME_EXPECTED }).min(1, NAME_EXPECTED),
    date: DateSchema.optional(),
    from: DateSchema.optional(),
    to: DateSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.date !== undefined && (p.from !== undefined || p.to !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'expected either date, or from and to, not both' });
    } else if (p.date === undefined && (p.from === undefined || p.to === undefined)) {
      ctx.addIssue({ code: 'custom', path: [p.from === undefined ? 'from' : 'to'], message: 'expected a single date, or a range with both from and to' });
    } else if (p.from !== undefined && p.to !== undefined && p.to < p.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `expected a date on or after from (${p.from})` });
    } else if (p.from !== undefined && p.to !== undefined && (Date.parse(p.to) - Date.parse(p.from)) / DAY_MS >= MAX_DAYS_AHEAD) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `expected a closed period shorter than ${MAX_DAYS_AHEAD} days` });
    }
  });

const CalendarEntrySchema = z.object({ dayStarts: DayStartsSchema.optional(), closed: z.array(ClosedPeriodSchema).default([]) }).strict();

/** The shape of config/school-calendar.yaml. */
export const SchoolCalendarFileSchema = z
  .object({
    default: CalendarEntrySchema.default({ closed: [] }),
    localAuthorities: z
      .record(z.string(), CalendarEntrySchema)
      .superRefine((las, ctx) => {
        for (const la of Object.keys(las)) {
          if (!/^la:\d{3}$/.test(la)) ctx.addIssue({ code: 'custom', path: [la], message: `expected a local authority agency id such as la:383, received '${la}'` });
        }
      })
      .default({}),
  })
  .strict();
export type SchoolCalendarFile = z.infer<typeof SchoolCalendarFileSchema>;
type CalendarEntry = z.infer<typeof CalendarEntrySchema>;

function closedDates(entry: CalendarEntry): string[] {
  const dates: string[] = [];
  for (const p of entry.closed) {
    if (p.date !== undefined) dates.push(p.date);
    else for (let t = Date.parse(p.from!); t <= Date.parse(p.to!); t += DAY_MS) dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * Turns the checked file into a calendar. An LA's closed periods add to the default's, since
 * bank holidays close every school; an LA without `dayStarts` keeps the default's.
 */
export function schoolCalendarFrom(file: SchoolCalendarFile): SchoolCalendar {
  const dayStarts = file.default.dayStarts ?? DEFAULT_SCHOOL_CALENDAR.dayStarts;
  const common = closedDates(file.default);
  const localAuthorities = new Map<string, SchoolDays>();
  for (const [la, entry] of Object.entries(file.localAuthorities)) {
    localAuthorities.set(la, { dayStarts: entry.dayStarts ?? dayStarts, closedDates: new Set([...common, ...closedDates(entry)]) });
  }
  return { dayStarts, closedDates: new Set(common), localAuthorities };
}

/**
 * Reads `<configDir>/school-calendar.yaml`, checked with zod: a bad file stops start-up with
 * an error naming the file, the field and what was expected. Without the file, schools are
 * open every weekday from 08:30 (the earliest deadline, so nothing is late by omission).
 */
export function loadSchoolCalendar(configDir: string): SchoolCalendar {
  const file = path.join(configDir, 'school-calendar.yaml');
  if (!fs.existsSync(file)) return DEFAULT_SCHOOL_CALENDAR;
  return schoolCalendarFrom(readYamlConfig(file, SchoolCalendarFileSchema, 'school calendar'));
}

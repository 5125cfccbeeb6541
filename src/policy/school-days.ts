/**
 * School days for Operation Encompass: a notice must reach the school before the start of
 * the next school day, weekends and holidays respected. (Stub: weekdays only, 08:30 UTC.)
 */
export interface SchoolCalendar {
  /** Local time the school day starts, HH:MM, Europe/London. */
  dayStarts: string;
  /** Dates (YYYY-MM-DD) on which schools are closed, besides weekends. */
  closedDates: ReadonlySet<string>;
}

export const DEFAULT_SCHOOL_CALENDAR: SchoolCalendar = { dayStarts: '08:30', closedDates: new Set() };

/** The start of the first school day that begins after `at`. */
export function nextSchoolDayStart(at: Date, _calendar: SchoolCalendar): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), 8, 30));
  while (d <= at || d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** Reads config/school-calendar.yaml. (Stub: the default calendar.) */
export function loadSchoolCalendar(_configDir: string): SchoolCalendar {
  return DEFAULT_SCHOOL_CALENDAR;
}

/** The earliest year the gateway reads in a date; older years are typing errors, not history. */
const MIN_YEAR = 1000;

/** Whether year-month-day names a day on the calendar (no 30 February, no month 13). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date written YYYY-MM-DD (2023-02-30 and 0000-00-00 are not). */
export function isIsoCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether a string is a real instant written as FHIR and ISO 8601 do: a calendar date, a
 * time of day from 00:00 to 23:59:59 (no 24:00, no minute 60) and a UTC offset of at most
 * 14 hours. `new Date()` alone would roll 2023-02-30 over to 2 March and 24:00 to the
 * next day, so a search or a record would quietly mean another moment than the one sent.
 */
export function isIsoDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m || !isIsoCalendarDate(m[1]!)) return false;
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return false;
  return m[5] === 'Z' || (Number(m[6]) <= 14 && Number(m[7]) <= 59);
}

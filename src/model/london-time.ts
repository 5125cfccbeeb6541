/**
 * Wall-clock time in England. Times are stored in UTC; people in England read them, and
 * school days and HL7 v2 local times are reckoned, in Europe/London (GMT or BST).
 */
export const LONDON_TIME_ZONE = 'Europe/London';

/** Breaks an instant into its Europe/London calendar date and 24-hour time of day. */
export const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An instant's date (YYYY-MM-DD) and time (HH:MM) as read on a clock in London. */
export function londonDateTime(at: string | Date): { date: string; time: string } {
  const p = Object.fromEntries(londonParts.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

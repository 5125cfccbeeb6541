import { londonParts } from '../model/london-time.js';
import { isIsoCalendarDate } from '../model/dates.js';
import { checkNhsNumber } from '../model/nhs-number.js';
import type { TransformName } from './spec.js';

export type TransformResult = { ok: true; value: string | number | boolean } | { ok: false; expected: string };



const offsetCache = new Map<string, string>();

/** The UTC offset of Europe/London at a given local wall-clock time, as ±HH:MM (cached by hour). */
function londonOffset(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  const key = `${y}-${mo}-${d}-${h}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const offset = computeLondonOffset(y, mo, d, h, mi, s);
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

function computeLondonOffset(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const p = Object.fromEntries(londonParts.formatToParts(new Date(guess)).map((x) => [x.type, x.value]));
  const asLondon = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const minutes = Math.round((asLondon - guess) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const HL7_TS = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d{1,4})?)?([+-]\d{4})?$/;
const FHIR_DATETIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** HL7 v2 TS/DTM → ISO date-time with offset. A time without an offset is UK local time. */
function hl7DateTime(raw: string): TransformResult {
  const m = HL7_TS.exec(raw);
  const expected = 'an HL7 v2 timestamp YYYYMMDDHHMM[SS][+ZZZZ] with a real date';
  if (!m) return { ok: false, expected };
  const [, y, mo, d, h = '00', mi = '00', s = '00', tz] = m;
  const ymd = `${y}-${mo}-${d}`;
  if (!isIsoCalendarDate(ymd) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return { ok: false, expected };
  const offset = tz ? `${tz.slice(0, 3)}:${tz.slice(3)}` : londonOffset(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  return { ok: true, value: `${ymd}T${h}:${mi}:${s}${offset}` };
}

/** Applies a named transform to one source value. */
export function applyTransform(name: TransformName, value: unknown): TransformResult {
  const raw = typeof value === 'string' ? value.trim() : value;
  switch (name) {
    case 'hl7-date': {
      const m = typeof raw === 'string' ? /^(\d{4})(\d{2})(\d{2})/.exec(raw) : null;
      const ymd = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
      return m && isIsoCalendarDate(ymd) && HL7_TS.test(raw as string) ? { ok: true, value: ymd } : { ok: false, expected: 'an HL7 v2 date YYYYMMDD with a real date' };
    }
    case 'hl7-datetime':
      return typeof raw === 'string' ? hl7DateTime(raw) : { ok: false, expected: 'an HL7 v2 timestamp' };
    case 'fhir-date': {
      const m = typeof raw === 'string' ? FHIR_DATETIME.exec(raw) : null;
      return m?.[1] && isIsoCalendarDate(m[1]) ? { ok: true, value: m[1] } : { ok: false, expected: 'a FHIR date YYYY-MM-DD (or dateTime) with a real date' };
    }
    case 'fhir-datetime': {
      const m = typeof raw === 'string' ? FHIR_DATETIME.exec(raw) : null;
      if (!m?.[1] || !isIsoCalendarDate(m[1])) return { ok: false, expected: 'a FHIR dateTime YYYY-MM-DDThh:mm:ss+zz:zz with a real date' };
      if (!m[2]) return { ok: true, value: `${m[1]}T00:00:00Z` };
      const t = m[2].length === 6 + (m[5]?.length ?? 0) ? `${m[2].slice(0, 6)}:00${m[5] ?? ''}` : m[2];
      return { ok: true, value: `${m[1]}${t}` };
    }
    case 'date':
      return typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) && isIsoCalendarDate(raw) ? { ok: true, value: raw } : { ok: false, expected: 'a real date YYYY-MM-DD' };
    case 'datetime':
      return typeof raw === 'string' && !Number.isNaN(Date.parse(raw)) && /^\d{4}-\d{2}-\d{2}T/.test(raw) && isIsoCalendarDate(raw.slice(0, 10))
        ? { ok: true, value: raw.length === 19 ? `${raw}Z` : raw }
        : { ok: false, expected: 'a date-time YYYY-MM-DDThh:mm:ss' };
    case 'dmy-date': {
      const m = typeof raw === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw) : null;
      const ymd = m ? `${m[3]}-${m[2]}-${m[1]}` : '';
      return m && isIsoCalendarDate(ymd) ? { ok: true, value: ymd } : { ok: false, expected: 'a real date DD/MM/YYYY' };
    }
    case 'upper':
      return typeof raw === 'string' ? { ok: true, value: raw.toUpperCase() } : { ok: false, expected: 'text' };
    case 'postcode': {
      // A UK postcode is put in its standard form (LS1 1AA); anything else (an address
      // abroad) is kept as sent, upper-cased: a foreign address is not an error.
      if (typeof raw !== 'string') return { ok: false, expected: 'a postcode' };
      const compact = raw.toUpperCase().replace(/\s+/g, '');
      return /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact) ? { ok: true, value: `${compact.slice(0, -3)} ${compact.slice(-3)}` } : { ok: true, value: raw.toUpperCase() };
    }
    case 'nhs-number': {
      const check = checkNhsNumber(typeof raw === 'string' ? raw : String(raw));
      return check.valid ? { ok: true, value: check.value } : { ok: false, expected: `a valid NHS number (${check.message})` };
    }
    case 'boolean': {
      const s = String(raw).toLowerCase();
      if (s === 'true' || s === '1') return { ok: true, value: true };
      if (s === 'false' || s === '0') return { ok: true, value: false };
      return { ok: false, expected: 'true, false, 1 or 0' };
    }
    case 'integer':
      return /^-?\d{1,9}$/.test(String(raw)) ? { ok: true, value: Number(raw) } : { ok: false, expected: 'a whole number' };
  }
}

import HL7 from 'hl7-standard';
import type { Hl7StandardComponents, Hl7StandardField, Hl7StandardSegment } from 'hl7-standard';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { ParsedMessage } from './types.js';
import { decodeUtf8, malformed } from './types.js';

/**
 * One repetition of a field: its components `C1`, `C2`… (unescaped; only the non-empty
 * ones are present). A component holding subcomponents also has `Cn_S`, every
 * subcomponent in order (empty ones kept as '' so positions hold), and `Cn` is the first.
 */
export interface Hl7Repetition {
  [component: `C${number}`]: string;
  [subcomponents: `C${number}_S`]: string[];
}

/** One segment: its non-empty fields `F1`, `F2`… by HL7 field number, each a list of repetitions. */
export interface Hl7Segment {
  [field: `F${number}`]: Hl7Repetition[];
}

/**
 * A whole message: `segments` lists the segment ids in message order, and each segment id
 * maps to its occurrences in order (`tree.PID[0].F3[1].C1`). For MSH, F1 is the field
 * separator and F2 the encoding characters, as HL7 numbers them.
 */
export interface Hl7Tree {
  segments: string[];
  [segmentId: string]: Hl7Segment[] | string[];
}

const FORMAT = 'hl7v2' as const;
const MAX_SEGMENTS = 1000;
const MAX_REPEATS = 100;
const EVENTS = ['A01', 'A03', 'A04', 'A08', 'A28', 'A31'];
/** Segments the ADT_A01 message structure allows in HL7 v2.4. Z-segments are allowed too. */
const ADT_A01_SEGMENTS = new Set([
  'MSH', 'EVN', 'PID', 'PD1', 'ROL', 'NK1', 'PV1', 'PV2', 'DB1', 'OBX', 'AL1', 'DG1', 'DRG',
  'PR1', 'GT1', 'IN1', 'IN2', 'IN3', 'ACC', 'UB1', 'UB2', 'PDA',
]);
const REQUIRED_SEGMENTS = ['MSH', 'EVN', 'PID', 'PV1'];
const SINGLE_SEGMENTS = ['MSH', 'EVN', 'PID', 'PD1', 'PV1', 'PV2'];
const ENVELOPE_SEGMENTS = new Set(['FHS', 'BHS', 'BTS', 'FTS']);
const DEFAULT_ENCODING = '^~\\&';
const LINE_BREAK = /\r\n|\r|\n/;
const HEX = /^(?:[0-9A-Fa-f]{2})+$/;
const FORMATTING = /^\.(?:fi|nf|ce|(?:sp|in|ti|sk)[+-]?\d*)$/;
const ESCAPES_KNOWN = '\\F\\ \\S\\ \\T\\ \\R\\ \\E\\ \\Xhh…\\ \\H\\ \\N\\ \\.br\\ (and the other formatting commands)';
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Property names built once, so the per-component work is a lookup, not a concatenation.
const C_KEYS = Array.from({ length: 65 }, (_, i) => `C${i}` as const);
const S_KEYS = Array.from({ length: 65 }, (_, i) => `C${i}_S` as const);
const F_KEYS = Array.from({ length: 257 }, (_, i) => `F${i}` as const);
const fieldKey = (n: number): `F${number}` => F_KEYS[n] ?? `F${n}`;
const componentKey = (k: number): `C${number}` => C_KEYS[k] ?? `C${k}`;
const subcomponentsKey = (k: number): `C${number}_S` => S_KEYS[k] ?? `C${k}_S`;

/** The message's own delimiters, from MSH-1 and MSH-2. */
interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** MSH-2 as sent. */
  encoding: string;
}

/** Where the converter is, for naming the field in an escape problem. */
interface Cursor {
  delimiters: Delimiters;
  issues: GatewayIssue[];
  segment: string;
  /** 1-based position of the segment in the message. */
  segmentNo: number;
  field: number;
}

function issue(code: 'structure' | 'required' | 'value', expression: string, diagnostics: string): GatewayIssue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

function isAlphanumeric(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}

function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '');
}

/** Drops MLLP start (0x0B) and end (0x1C) characters from the ends of a line or body. */
function stripMllp(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x0b || s.charCodeAt(start) === 0x1c || s.charCodeAt(start) === 0xfeff)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x1c || s.charCodeAt(end - 1) === 0x0b)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** The non-blank lines of a body, MLLP characters stripped from each end. */
function segmentLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split(LINE_BREAK)) {
    const line = stripMllp(raw);
    if (!isBlank(line)) lines.push(line);
  }
  return lines;
}

/** The segment id of a line: its first 3 characters, or '' when they are not `[A-Z][A-Z0-9]{2}` followed by the field separator or the end. */
function segmentIdOf(line: string, fieldSeparator: string): string {
  if (line.length < 3) return '';
  if (!isUpper(line.charCodeAt(0)) || !isUpperOrDigit(line.charCodeAt(1)) || !isUpperOrDigit(line.charCodeAt(2))) return '';
  if (line.length > 3 && line[3] !== fieldSeparator) return '';
  return line.slice(0, 3);
}

/** What a line's segment id looks like, for a diagnostic (up to the field separator, at most 10 characters). */
function shownId(line: string, fieldSeparator: string): string {
  const end = line.indexOf(fieldSeparator);
  const id = end === -1 ? line : line.slice(0, end);
  return id.length > 10 ? `${id.slice(0, 10)}…` : id;
}

/** Reads MSH-1 and MSH-2, or throws naming what is wrong with them. */
function readDelimiters(msh: string): Delimiters {
  const field = msh.length > 3 ? msh.charAt(3) : '';
  if (field === '' || isAlphanumeric(field) || field.trim() === '') {
    throw malformed(FORMAT, [
      issue('value', 'MSH-1', `the field separator (MSH-1, the 4th character of MSH) must be a punctuation character such as '|'; received ${field === '' ? 'nothing' : `'${field}'`}`),
    ]);
  }
  const end = msh.indexOf(field, 4);
  const encoding = end === -1 ? msh.slice(4) : msh.slice(4, end);
  const expected = `MSH-2 must hold 4 encoding characters (component, repetition, escape, subcomponent), distinct from each other and from the field separator, such as ${DEFAULT_ENCODING}`;
  if (encoding.length !== 4) {
    throw malformed(FORMAT, [issue('value', 'MSH-2', `${expected}; received '${encoding}' (${encoding.length} character${encoding.length === 1 ? '' : 's'})`)]);
  }
  const chars = [field, ...encoding];
  if (new Set(chars).size !== 5 || chars.some((c) => isAlphanumeric(c) || c.trim() === '')) {
    throw malformed(FORMAT, [issue('value', 'MSH-2', `${expected}; received '${encoding}' with field separator '${field}'`)]);
  }
  return { field, component: encoding.charAt(0), repetition: encoding.charAt(1), escape: encoding.charAt(2), subcomponent: encoding.charAt(3), encoding };
}

/**
 * Checks no field of a line repeats more than MAX_REPEATS times, before hl7-standard
 * expands the repeats (cheaply: only a line with that many separators is split).
 */
function checkRepeats(line: string, id: string, segmentNo: number, d: Delimiters, issues: GatewayIssue[]): boolean {
  const isMsh = id === 'MSH';
  let from = isMsh ? 8 : 4; // MSH-2 holds a literal repetition character
  let count = 0;
  for (let i = line.indexOf(d.repetition, from); i !== -1 && count < MAX_REPEATS; i = line.indexOf(d.repetition, i + 1)) count++;
  if (count < MAX_REPEATS) return true;
  let ok = true;
  const fields = line.split(d.field);
  for (let k = isMsh ? 2 : 1; k < fields.length; k++) {
    const value = fields[k] ?? '';
    let repeats = 1;
    for (from = value.indexOf(d.repetition); from !== -1; from = value.indexOf(d.repetition, from + 1)) repeats++;
    if (repeats > MAX_REPEATS) {
      const n = isMsh ? k + 1 : k;
      issues.push(issue('structure', `${id}-${n}`, `segment ${segmentNo} (${id}), field ${id}-${n} repeats ${repeats} times; at most ${MAX_REPEATS} repetitions are accepted`));
      ok = false;
    }
  }
  return ok;
}

/**
 * Rewrites a line sent with non-default delimiters onto hl7-standard's fixed `|^~\&`:
 * each delimiter becomes its default, and a default delimiter character that is plain
 * data in this message becomes a hex escape, so it reads back as itself.
 */
function redelimit(line: string, d: Delimiters, isMsh: boolean): string {
  const start = isMsh ? 4 + d.encoding.length : 3;
  let out = isMsh ? `MSH|${DEFAULT_ENCODING}` : line.slice(0, 3);
  for (let i = start; i < line.length; i++) {
    const ch = line.charAt(i);
    if (ch === d.field) out += '|';
    else if (ch === d.component) out += '^';
    else if (ch === d.repetition) out += '~';
    else if (ch === d.escape) out += '\\';
    else if (ch === d.subcomponent) out += '&';
    else if (ch === '|') out += '\\X7C\\';
    else if (ch === '^') out += '\\X5E\\';
    else if (ch === '~') out += '\\X7E\\';
    else if (ch === '\\') out += '\\X5C\\';
    else if (ch === '&') out += '\\X26\\';
    else out += ch;
  }
  return out;
}

function escapeProblem(cursor: Cursor, what: string): void {
  const { segment, segmentNo, field } = cursor;
  cursor.issues.push(issue('value', `${segment}-${field}`, `segment ${segmentNo} (${segment}), field ${segment}-${field}: ${what}`));
}

/**
 * Decodes HL7 escape sequences. The text is in hl7-standard's delimiters (escape '\'),
 * and \F\ \S\ \T\ \R\ \E\ give back the message's own delimiters.
 */
function unescape(text: string, cursor: Cursor): string {
  let at = text.indexOf('\\');
  if (at === -1) return text;
  const d = cursor.delimiters;
  const e = d.escape;
  let out = '';
  let from = 0;
  while (at !== -1) {
    out += text.slice(from, at);
    const close = text.indexOf('\\', at + 1);
    if (close === -1) {
      escapeProblem(cursor, `unterminated escape sequence '${e}${text.slice(at + 1, at + 21)}'; expected a closing '${e}' (escapes: ${ESCAPES_KNOWN})`);
      return text;
    }
    const body = text.slice(at + 1, close);
    switch (body) {
      case 'F': out += d.field; break;
      case 'S': out += d.component; break;
      case 'T': out += d.subcomponent; break;
      case 'R': out += d.repetition; break;
      case 'E': out += d.escape; break;
      case '.br': out += '\n'; break;
      case 'H':
      case 'N':
        break;
      default:
        if (body.charAt(0) === 'X') {
          const hex = body.slice(1);
          let decoded: string | undefined;
          if (HEX.test(hex)) {
            try {
              decoded = utf8.decode(Buffer.from(hex, 'hex'));
            } catch {
              decoded = undefined;
            }
          }
          if (decoded === undefined) {
            escapeProblem(cursor, `hex escape '${e}${body}${e}' is not an even number of hex digits encoding UTF-8`);
            return text;
          }
          if (decoded.includes('\u0000')) {
            // PostgreSQL cannot store U+0000; let through, the commit failed with a 503.
            escapeProblem(cursor, `hex escape '${e}${body}${e}' decodes to a NUL character (00); expected text`);
            return text;
          }
          out += decoded;
        } else if (!FORMATTING.test(body)) {
          escapeProblem(cursor, `unknown escape sequence '${e}${body}${e}'; expected one of ${ESCAPES_KNOWN}`);
          return text;
        }
    }
    from = close + 1;
    at = text.indexOf('\\', from);
  }
  return out + text.slice(from);
}

/** One repetition from hl7-standard's component object; undefined when every component is empty. */
function toRepetition(components: Hl7StandardComponents, cursor: Cursor): Hl7Repetition | undefined {
  let rep: Hl7Repetition | undefined;
  let k = 0;
  for (const key in components) {
    k++;
    const value = components[key];
    if (value === undefined || value === '') continue;
    if (typeof value === 'string') {
      const text = unescape(value, cursor);
      if (text !== '') (rep ??= {})[componentKey(k)] = text;
      continue;
    }
    const subs = toSubcomponents(value, cursor);
    if (!subs) continue;
    rep ??= {};
    if (subs[0]) rep[componentKey(k)] = subs[0];
    rep[subcomponentsKey(k)] = subs;
  }
  return rep;
}

/** Unescaped subcomponents; undefined when all are empty. */
function toSubcomponents(values: string[], cursor: Cursor): string[] | undefined {
  let any = false;
  const subs = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const text = unescape(values[i] ?? '', cursor);
    if (text !== '') any = true;
    subs[i] = text;
  }
  return any ? subs : undefined;
}

/** One field's repetitions (the empty ones dropped). */
function toRepetitions(value: Hl7StandardField, cursor: Cursor): Hl7Repetition[] {
  if (typeof value === 'string') {
    const text = unescape(value, cursor);
    return text === '' ? [] : [{ C1: text }];
  }
  if (!Array.isArray(value)) {
    const rep = toRepetition(value, cursor);
    return rep ? [rep] : [];
  }
  if (value.length === 0) return [];
  if (typeof value[0] === 'string') {
    // hl7-standard gives a bare array of strings when the field holds only subcomponents of C1.
    const subs = toSubcomponents(value as string[], cursor);
    if (!subs) return [];
    return [subs[0] ? { C1: subs[0], C1_S: subs } : { C1_S: subs }];
  }
  const reps: Hl7Repetition[] = [];
  for (const components of value as Hl7StandardComponents[]) {
    const rep = toRepetition(components, cursor);
    if (rep) reps.push(rep);
  }
  return reps;
}

function toSegment(source: Hl7StandardSegment, cursor: Cursor, segmentNos: number[]): Hl7Segment {
  const id = source.type;
  const isMsh = id === 'MSH';
  const segment: Hl7Segment = {};
  cursor.segment = id;
  cursor.segmentNo = segmentNos[source.index] ?? source.index + 1;
  if (isMsh) {
    segment.F1 = [{ C1: cursor.delimiters.field }];
    segment.F2 = [{ C1: cursor.delimiters.encoding }];
  }
  const data = source.data;
  // hl7-standard sets one key per field, in field order (`SEG.1`…, or `MSH.2`… for MSH).
  let n = isMsh ? 1 : 0;
  for (const key in data) {
    n++;
    const value = data[key];
    if (value === undefined || value === '' || (isMsh && n === 2)) continue;
    cursor.field = n;
    const reps = toRepetitions(value, cursor);
    if (reps.length > 0) segment[fieldKey(n)] = reps;
  }
  return segment;
}

/** MSH-9 must be ADT with one of the ADT_A01-structure trigger events this gateway reads. */
function checkMessageType(msh: Hl7Segment | undefined, d: Delimiters, issues: GatewayIssue[]): void {
  const type = msh?.F9?.[0];
  const expected = `ADT${d.component}A01, A03, A04, A08, A28 or A31`;
  if (!type || (type.C1 === undefined && type.C2 === undefined)) {
    issues.push(issue('required', 'MSH-9', `the message type (MSH-9) is empty; expected ${expected}`));
    return;
  }
  if (type.C1 !== 'ADT' || type.C2 === undefined || !EVENTS.includes(type.C2)) {
    const parts = [type.C1 ?? ''];
    if (type.C2 !== undefined || type.C3 !== undefined) parts.push(type.C2 ?? '');
    if (type.C3 !== undefined) parts.push(type.C3);
    const received = parts.join(d.component);
    issues.push(issue('value', 'MSH-9', `the message type (MSH-9) must be ${expected}; received '${received}'`));
  }
}

/**
 * Reads one HL7 v2 ER7 message (an ADT of the ADT_A01 structure family: A01, A03, A04,
 * A08, A28, A31) into a plain tree of segments, fields, repetitions and components,
 * escape sequences decoded. Syntax only: no business rules. Throws
 * GW_ERR_MALFORMED_BODY with one issue per problem found.
 */
export function readHl7v2(bytes: Uint8Array | string): ParsedMessage<Hl7Tree> {
  const text = decodeUtf8(FORMAT, bytes);
  const lines = segmentLines(text);
  const first = lines[0];
  if (first === undefined) {
    throw malformed(FORMAT, [issue('required', 'message', 'the body is empty; expected an HL7 v2 message starting with an MSH segment')]);
  }
  if (lines.length > MAX_SEGMENTS) {
    throw malformed(FORMAT, [issue('structure', 'message', `the message has ${lines.length} segments; at most ${MAX_SEGMENTS} are accepted`)]);
  }
  if (!first.startsWith('MSH')) {
    throw malformed(FORMAT, [
      issue('structure', `segment 1 (${shownId(first, '|')})`, `the message must start with an MSH segment; received '${first.slice(0, 3)}' (a batch file's FHS/BHS envelope must be split off first)`),
    ]);
  }
  const d = readDelimiters(first);
  const issues: GatewayIssue[] = [];

  // Segment ids, occurrence counts and the repeat guard, before anything is parsed.
  const counts = new Map<string, number>();
  const ids: string[] = [];
  const normalised: string[] = [];
  const segmentNos: number[] = [];
  const defaults = d.field === '|' && d.encoding === DEFAULT_ENCODING;
  let tooMany = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const id = segmentIdOf(line, d.field);
    if (id === '') {
      issues.push(issue('structure', `segment ${i + 1} (${shownId(line, d.field)})`, `segment ${i + 1}: a segment id must be 3 characters [A-Z][A-Z0-9]{2} followed by the field separator '${d.field}'; received '${shownId(line, d.field)}'`));
      continue;
    }
    if (!ADT_A01_SEGMENTS.has(id) && id.charAt(0) !== 'Z') {
      issues.push(issue('structure', `segment ${i + 1} (${id})`, `unknown segment ${id}: expected a segment of the ADT_A01 structure in HL7 v2.4 (${[...ADT_A01_SEGMENTS].join(' ')}) or a Z-segment`));
      continue;
    }
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (line.indexOf(d.repetition) !== -1 && !checkRepeats(line, id, i + 1, d, issues)) tooMany = true;
    const padded = line.length === 3 ? line + d.field : line; // a bare id: hl7-standard skips lines without '|'
    ids.push(id);
    normalised.push(defaults ? padded : redelimit(padded, d, id === 'MSH'));
    segmentNos.push(i + 1);
  }
  if (tooMany) throw malformed(FORMAT, issues);
  for (const id of REQUIRED_SEGMENTS) {
    if (!counts.has(id)) {
      issues.push(issue('required', id, `the message has no ${id} segment; an ADT_A01-structure message needs ${REQUIRED_SEGMENTS.join(', ')}`));
    }
  }
  for (const id of SINGLE_SEGMENTS) {
    const n = counts.get(id) ?? 0;
    if (n > 1) {
      issues.push(issue('structure', id, `the message has ${n} ${id} segments; expected at most one${id === 'MSH' ? ' (send one message per body, or split a batch first)' : ''}`));
    }
  }

  const hl7 = new HL7(`${normalised.join('\r')}\r`);
  try {
    hl7.transform();
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unreadable';
    throw malformed(FORMAT, [...issues, issue('structure', 'message', `the message could not be parsed as HL7 v2: ${reason}`)]);
  }

  const cursor: Cursor = { delimiters: d, issues, segment: '', segmentNo: 0, field: 0 };
  const tree: Hl7Tree = { segments: ids };
  const transformed = hl7.transformed;
  for (const id in transformed) {
    const occurrences = transformed[id] ?? [];
    const segments = new Array<Hl7Segment>(occurrences.length);
    for (let j = 0; j < occurrences.length; j++) {
      const source = occurrences[j];
      segments[j] = source ? toSegment(source, cursor, segmentNos) : {};
    }
    tree[id] = segments;
  }

  const msh = (tree.MSH as Hl7Segment[] | undefined)?.[0];
  checkMessageType(msh, d, issues);
  if (issues.length > 0) throw malformed(FORMAT, issues);
  return { format: FORMAT, tree, messageId: msh?.F10?.[0]?.C1, warnings: [] };
}

function isSegmentStart(line: string, ids: Set<string> | string): boolean {
  const id = line.slice(0, 3);
  const match = typeof ids === 'string' ? id === ids : ids.has(id);
  return match && (line.length === 3 || !isAlphanumeric(line.charAt(3)));
}

/**
 * Splits a file or body holding several HL7 v2 messages into one string per message
 * (segments joined by '\r'). Each message starts at an MSH segment; MLLP framing
 * (0x0B … 0x1C 0x0D) and the FHS/BHS/BTS/FTS batch envelope are dropped. Lines before
 * the first MSH come back as a message of their own, so reading it reports them.
 */
export function splitHl7Messages(text: string): string[] {
  const messages: string[] = [];
  let current: string[] | undefined;
  for (const line of segmentLines(text)) {
    if (isSegmentStart(line, ENVELOPE_SEGMENTS)) continue;
    if (isSegmentStart(line, 'MSH') || !current) {
      if (current) messages.push(`${current.join('\r')}\r`);
      current = [line];
    } else {
      current.push(line);
    }
  }
  if (current) messages.push(`${current.join('\r')}\r`);
  return messages;
}

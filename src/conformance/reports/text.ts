/**
 * Text helpers shared by the report writers. Much of a report is taken from the target's
 * answers (received values, messages), so everything is escaped on the way out.
 */
import type { Outcome } from '../result.js';

/** Characters XML 1.0 does not allow at all (not even escaped): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Drops the characters XML 1.0 forbids, so a control byte in a server's answer cannot break the file. */
export function stripInvalidXmlChars(s: string): string {
  return s.replace(NOT_XML_CHAR, '');
}

/** Text for XML or HTML element content or a quoted attribute: & < > " ' escaped, forbidden characters dropped. */
export function escapeXml(s: string): string {
  return stripInvalidXmlChars(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An XML attribute value: as escapeXml, and tab/LF/CR as character references so attribute normalisation keeps them. */
export function escapeXmlAttr(s: string): string {
  return escapeXml(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** HTML text or attribute: as escapeXml but with &#39; (&apos; is not in HTML 4). */
export function escapeHtml(s: string): string {
  return escapeXml(s).replace(/&apos;/g, '&#39;');
}

/** Terminal text: drops control characters (escape sequences in an answer could rewrite the screen), keeping tab and line breaks. */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
}

/** Milliseconds as seconds with three decimals, the unit JUnit XML uses. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The outcome as the word a report prints (PASS, FAIL, SKIP, OMIT, ERROR), so colour is never the only signal. */
export function outcomeWord(o: Outcome): string {
  return o.toUpperCase();
}

/** `n thing` or `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

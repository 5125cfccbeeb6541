/** A UTF-16 surrogate with no partner: what cutting a quoted value in the middle of an emoji leaves. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with every lone surrogate replaced by U+FFFD and every NUL written as the
 * visible escape `\u0000`. Diagnostics quote what was sent, often cut short; PostgreSQL's
 * jsonb refuses both a lone surrogate and U+0000, so such a quote in a refusal's reason made
 * the audit entry fail and turned a 400 into a 503.
 */
export function storableText(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\\u0000');
}

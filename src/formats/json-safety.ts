import { GatewayError } from '../errors/gateway-error.js';

/** Deepest nesting of objects and arrays a JSON body may have (the top-level object is 1). */
export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** C0 control characters other than tab, LF and CR: FHIR strings may not hold them, and PostgreSQL cannot store U+0000. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/**
 * Checks a parsed JSON body before anything reads it: nesting no deeper than 64, no key
 * that could reach an object's prototype (`__proto__`, `constructor`, `prototype`) and no
 * control character in a key or string (FHIR forbids them below U+0020 except tab, LF and
 * CR; U+0000 cannot be stored). Throws 400 GW_ERR_MALFORMED_BODY naming the path, with
 * `label` (the format) leading the message.
 */
export function checkJsonTree(value: object, path: string, label: string, depth = 1): void {
  const refuse = (what: string, at: string) => new GatewayError('GW_ERR_MALFORMED_BODY', `${label}: ${what}`, { expression: at });
  if (depth > MAX_JSON_DEPTH) throw refuse(`objects and arrays are nested more than ${MAX_JSON_DEPTH} deep`, path);
  const checkItem = (item: unknown, at: string) => {
    if (typeof item === 'string' && CONTROL.test(item)) throw refuse('a string holds a control character (below U+0020, other than tab, line feed and carriage return); send text only', at);
    if (item !== null && typeof item === 'object') checkJsonTree(item, at, label, depth + 1);
  };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkItem(value[i], `${path}[${i}]`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw refuse(`the key "${key}" is refused (it could alter object prototypes)`, `${path}.${key}`);
    if (CONTROL.test(key)) throw refuse('a key holds a control character; send text only', path);
    checkItem((value as Record<string, unknown>)[key], `${path}.${key}`);
  }
}

import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/crypto/envelope.js';
import { EnvelopeError, needsReseal, openJson, openPayload, sealJson, sealPayload } from '../../src/crypto/envelope.js';
import { generateKeyBase64, parseDataKeys } from '../../src/crypto/keys.js';

const laKey = generateKeyBase64();
const ring = parseDataKeys({ 'la:383': laKey, 'ods:RR8': generateKeyBase64() }, 'test keys');
const binding = { agency: 'la:383', recordId: 'case-event-1' };
const narrative = 'Synthetic narrative: concerns raised at school about a fictional child.';

function failure(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeError);
    return err as EnvelopeError;
  }
  throw new Error('expected the envelope not to open');
}

/** Flips one bit of a base64url field. */
function flip(e: Envelope, field: 'ct' | 'tag' | 'iv'): Envelope {
  const buf = Buffer.from(e[field], 'base64url');
  buf[0]! ^= 1;
  return { ...e, [field]: buf.toString('base64url') };
}

describe('AES-256-GCM payload envelopes', () => {
  it('round-trips a payload, with a fresh 96-bit IV each time and nothing of the payload in the clear', () => {
    const e = sealPayload(ring, binding, narrative);
    expect(e).toMatchObject({ v: 1, alg: 'A256GCM', agency: 'la:383', kid: 'k1' });
    expect(Buffer.from(e.iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(e.tag, 'base64url')).toHaveLength(16);
    expect(JSON.stringify(e)).not.toContain('Synthetic');
    expect(openPayload(ring, e, binding).toString('utf8')).toBe(narrative);
    expect(sealPayload(ring, binding, narrative).iv).not.toBe(e.iv);
    expect(openJson(ring, sealJson(ring, binding, { categories: ['neglect'] }), binding)).toEqual({ categories: ['neglect'] });
    expect(openPayload(ring, sealPayload(ring, binding, ''), binding)).toHaveLength(0);
  });

  it('detects any change to the ciphertext, tag or IV', () => {
    const e = sealPayload(ring, binding, narrative);
    for (const field of ['ct', 'tag', 'iv'] as const) expect(failure(() => openPayload(ring, flip(e, field), binding)).reason).toBe('authentication-failed');
  });

  it('does not open with another agency’s key', () => {
    const e = sealPayload(ring, binding, narrative);
    // a key ring where la:383's key is in fact another key
    const wrong = parseDataKeys({ 'la:383': generateKeyBase64() }, 'other keys');
    const err = failure(() => openPayload(wrong, e, binding));
    expect(err.reason).toBe('authentication-failed');
    expect(err.message).toContain('record case-event-1 of la:383');
    expect(err.message).not.toContain('Synthetic');
  });

  it('does not open when claimed for another agency or moved to another record (associated data)', () => {
    const e = sealPayload(ring, binding, narrative);
    expect(failure(() => openPayload(ring, e, { agency: 'ods:RR8', recordId: 'case-event-1' })).reason).toBe('wrong-owner');
    expect(failure(() => openPayload(ring, { ...e, agency: 'ods:RR8' }, { agency: 'ods:RR8', recordId: 'case-event-1' })).reason).toMatch(/unknown-key|authentication-failed/);
    expect(failure(() => openPayload(ring, e, { agency: 'la:383', recordId: 'case-event-2' })).reason).toBe('authentication-failed');
  });

  it('rejects what is not an envelope, naming the field', () => {
    const err = failure(() => openPayload(ring, { v: 1, alg: 'A128GCM' }, binding));
    expect(err.reason).toBe('malformed');
    expect(err.message).toMatch(/alg/);
    const e = sealPayload(ring, binding, narrative);
    expect(failure(() => openPayload(ring, { ...e, iv: Buffer.alloc(8).toString('base64url') }, binding)).reason).toBe('malformed');
  });

  it('opens envelopes sealed before a key rotation with the old key, and seals new ones with the new key', () => {
    const k1 = generateKeyBase64();
    const before = parseDataKeys({ 'la:383': { active: 'k1', keys: { k1 } } }, 'before');
    const after = parseDataKeys({ 'la:383': { active: 'k2', keys: { k1, k2: generateKeyBase64() } } }, 'after');
    const old = sealPayload(before, binding, narrative);
    expect(openPayload(after, old, binding).toString('utf8')).toBe(narrative);
    expect(needsReseal(after, old)).toBe(true);
    const fresh = sealPayload(after, binding, narrative);
    expect(fresh.kid).toBe('k2');
    expect(needsReseal(after, fresh)).toBe(false);
    expect(failure(() => openPayload(before, fresh, binding)).reason).toBe('unknown-key');
    // the key id is bound too: relabelling an envelope with another key id does not open it
    expect(failure(() => openPayload(after, { ...old, kid: 'k2' }, binding)).reason).toBe('authentication-failed');
  });
});

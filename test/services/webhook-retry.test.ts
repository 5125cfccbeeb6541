import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../src/crypto/webhook-signature.js';
import { retryDelayMs } from '../../src/services/webhook-delivery.js';
import { TEST_WEBHOOK_KEY } from '../helpers/webhooks.js';

describe('webhook retry schedule', () => {
  it('doubles from the base, each wait longer than the last whatever the jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    for (let n = 1; n < 10; n++) expect(retryDelayMs(n + 1, 1000, () => 0)).toBeGreaterThan(retryDelayMs(n, 1000, () => 0.999));
  });

  it('adds at most a quarter of jitter, and never waits more than six hours (plus jitter)', () => {
    expect(retryDelayMs(3, 1000, () => 1)).toBe(5000);
    expect(retryDelayMs(40, 10_000, () => 0)).toBe(6 * 3_600_000);
  });
});

describe('webhook signatures (Standard Webhooks v1)', () => {
  const body = '{"type":"communication.created"}';
  it('is HMAC-SHA256 of id.timestamp.body, base64, which a receiver can check', () => {
    const sig = signWebhook(TEST_WEBHOOK_KEY, 'msg_1', 1_700_000_000, body);
    expect(sig).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, 'msg_1', '1700000000', body, `v1,bm9wZQ== ${sig}`)).toBe(true);
  });

  it('fails for another body, id, timestamp or secret', () => {
    const sig = signWebhook(TEST_WEBHOOK_KEY, 'msg_1', 1_700_000_000, body);
    expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, 'msg_1', 1_700_000_000, `${body} `, sig)).toBe(false);
    expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, 'msg_2', 1_700_000_000, body, sig)).toBe(false);
    expect(verifyWebhookSignature(TEST_WEBHOOK_KEY, 'msg_1', 1_700_000_001, body, sig)).toBe(false);
    expect(verifyWebhookSignature(Buffer.alloc(32), 'msg_1', 1_700_000_000, body, sig)).toBe(false);
  });
});

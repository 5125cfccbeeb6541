/**
 * Webhook signatures in the Standard Webhooks form: the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, the signature is HMAC-SHA256 of it under the
 * agency's secret, sent base64 as `webhook-signature: v1,<signature>`. A receiver
 * recomputes it with the same secret; docs/webhooks.md has the recipe.
 */
import crypto from 'node:crypto';

/** The `webhook-signature` header value for one delivery attempt. */
export function signWebhook(secret: Uint8Array, id: string, timestamp: number, body: string): string {
  return `v1,${crypto.createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * True when any of the space-separated `v1,` signatures in `header` is the right one for
 * this id, timestamp and body (a receiver's check; the gateway uses it in its tests).
 */
export function verifyWebhookSignature(secret: Uint8Array, id: string, timestamp: number | string, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body).slice(3), 'base64');
  return header.split(' ').some((part) => {
    if (!part.startsWith('v1,')) return false;
    const given = Buffer.from(part.slice(3), 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

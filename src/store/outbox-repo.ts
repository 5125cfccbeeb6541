import type { Agency } from '../model/agency.js';
import type { Queryable } from './db.js';

export interface WebhookEvent {
  recipient: string;
  communicationId: string;
  /** What the webhook body carries: a small notice naming the Communication, never its content. */
  event: Record<string, unknown>;
}

/**
 * Queues webhook deliveries in the caller's transaction, for the recipients that have a
 * webhook configured. (Stub: delivery lands with the webhook worker.)
 */
export async function enqueueWebhooks(_q: Queryable, _agencies: ReadonlyMap<string, Agency>, _events: WebhookEvent[], _at: string): Promise<void> {
  return Promise.resolve();
}

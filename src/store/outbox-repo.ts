import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Agency } from '../model/agency.js';
import type { Queryable } from './db.js';

export interface WebhookEvent {
  recipient: string;
  communicationId: string;
  /** What the webhook body carries: a small notice naming the Communication, never its content. */
  event: Record<string, unknown>;
}

/**
 * What a caller may put in `WebhookEvent.event`: the Communication's category and, if not
 * the enqueue time `at`, when it was sent. Anything else is refused, so no content or
 * personal data can reach a webhook.
 */
const NoticeInputSchema = z
  .object({
    type: z.literal('communication.created').optional(),
    category: z.string().min(1).max(100),
    sentAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** The body POSTed to a webhook (Standard Webhooks style: `type` plus the notice). */
export interface WebhookNotice {
  type: 'communication.created';
  /** The webhook-id: stable for this outbox row, so a receiver can drop a redelivery. */
  id: string;
  recipient: string;
  communication: string;
  category: string;
  sentAt: string;
}

/** The webhook-id of the notice about one Communication for one recipient: the same on every attempt. */
export function webhookId(recipient: string, communicationId: string): string {
  return `msg_${createHash('sha256').update(`${recipient}\n${communicationId}`).digest('hex').slice(0, 32)}`;
}

/** The event for a Communication just added to `recipient`'s inbox. */
export function communicationCreated(c: { id: string; recipient: string; category: string; createdAt: string }): WebhookEvent {
  return { recipient: c.recipient, communicationId: c.id, event: { type: 'communication.created', category: c.category, sentAt: c.createdAt } };
}

/** A webhook notice to queue: for `communicationId`, to `recipient`. */
export interface QueuedNotice {
  recipient: string;
  communicationId: string;
  notice: WebhookNotice;
}

/**
 * The notices to queue for `events`: one for each recipient that has a webhook configured.
 * Throws, naming the Communication, on an event that carries more than a notice may.
 */
export function webhookNotices(agencies: ReadonlyMap<string, Agency>, events: WebhookEvent[], at: string): QueuedNotice[] {
  const out: QueuedNotice[] = [];
  for (const e of events) {
    if (!agencies.get(e.recipient)?.webhook) continue;
    const input = NoticeInputSchema.safeParse(e.event);
    if (!input.success) throw new Error(`webhook event for ${e.communicationId}: ${input.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`);
    out.push({
      recipient: e.recipient,
      communicationId: e.communicationId,
      notice: {
        type: 'communication.created',
        id: webhookId(e.recipient, e.communicationId),
        recipient: e.recipient,
        communication: `Communication/${e.communicationId}`,
        category: input.data.category,
        sentAt: input.data.sentAt ?? at,
      },
    });
  }
  return out;
}

/**
 * SQL that queues the notices given as a JSON array of {recipient, communicationId, notice}
 * in parameter `$notices`, due at `$at`: a statement of its own, or a data-modifying WITH
 * clause of a statement that writes more. A (recipient, Communication) already queued, or
 * named twice, is queued once.
 */
export function queueNoticesSql(notices: number, at: number): string {
  return `INSERT INTO webhook_outbox (recipient, communication_id, event, created_at, next_attempt_at)
    SELECT n.recipient, n."communicationId", n.notice, $${at}::timestamptz, $${at}::timestamptz
    FROM jsonb_to_recordset($${notices}::jsonb) AS n(recipient text, "communicationId" text, notice jsonb)
    ON CONFLICT (recipient, communication_id) DO NOTHING`;
}

/**
 * Queues webhook deliveries in the caller's transaction, for the recipients that have a
 * webhook configured: the notice commits with the Communication it announces, or neither
 * does. Enqueuing the same (recipient, Communication) again changes nothing.
 */
export async function enqueueWebhooks(q: Queryable, agencies: ReadonlyMap<string, Agency>, events: WebhookEvent[], at: string): Promise<void> {
  const notices = webhookNotices(agencies, events, at);
  if (notices.length > 0) await q.query(queueNoticesSql(1, 2), [JSON.stringify(notices), at]);
}

/** An outbox row taken by the delivery worker for one attempt. */
export interface ClaimedDelivery {
  id: number;
  recipient: string;
  communicationId: string;
  notice: WebhookNotice;
  /** Attempts so far, this one included. */
  attempts: number;
}

/**
 * Takes up to `limit` due deliveries in one short statement: each gets its attempt counted
 * and is hidden until `leaseUntil`, so no other worker takes it meanwhile, and a worker that
 * dies mid-attempt leaves it to be retried once the lease runs out. Rows locked by another
 * worker are skipped, not waited for.
 */
export async function claimDueDeliveries(q: Queryable, now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await q.query<{ id: number; recipient: string; communication_id: string; event: WebhookNotice; attempts: number }>(
    `WITH due AS (
       SELECT id FROM webhook_outbox
        WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id LIMIT $3
        FOR UPDATE SKIP LOCKED)
     UPDATE webhook_outbox o SET attempts = o.attempts + 1, next_attempt_at = $2, last_attempt_at = $1
       FROM due WHERE o.id = due.id
     RETURNING o.id, o.recipient, o.communication_id, o.event, o.attempts`,
    [now, leaseUntil, limit],
  );
  return rows
    .map((r) => ({ id: Number(r.id), recipient: r.recipient, communicationId: r.communication_id, notice: r.event, attempts: r.attempts }))
    .sort((a, b) => a.id - b.id);
}

/** Records a delivery the receiver acknowledged (2xx). */
export async function markDelivered(q: Queryable, id: number, at: string, status: number): Promise<void> {
  await q.query('UPDATE webhook_outbox SET delivered_at = $2, last_status = $3, last_error = NULL WHERE id = $1', [id, at, status]);
}

/** Records a failed attempt: retried at `retryAt`, or given up on when `retryAt` is null. */
export async function markAttemptFailed(q: Queryable, id: number, at: string, outcome: { status: number | null; error: string; retryAt: string | null }): Promise<void> {
  if (outcome.retryAt) {
    await q.query('UPDATE webhook_outbox SET next_attempt_at = $2, last_status = $3, last_error = $4 WHERE id = $1', [id, outcome.retryAt, outcome.status, outcome.error]);
  } else {
    await q.query('UPDATE webhook_outbox SET failed_at = $2, last_status = $3, last_error = $4 WHERE id = $1', [id, at, outcome.status, outcome.error]);
  }
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One outbox row as its agency sees it. */
export interface DeliveryView {
  id: number;
  webhookId: string;
  communication: string;
  category: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

const STATUS_CONDITION: Record<DeliveryStatus, string> = {
  pending: 'delivered_at IS NULL AND failed_at IS NULL',
  delivered: 'delivered_at IS NOT NULL',
  failed: 'failed_at IS NOT NULL',
};

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** An agency's webhook deliveries, newest first, optionally of one status. */
export async function deliveriesFor(q: Queryable, recipient: string, options: { status?: DeliveryStatus | undefined; limit: number }): Promise<DeliveryView[]> {
  const where = options.status ? `AND ${STATUS_CONDITION[options.status]}` : '';
  const rows = await q.query<Record<string, unknown>>(
    `SELECT id, communication_id, event, attempts, created_at, last_attempt_at, next_attempt_at, delivered_at, failed_at, last_status, last_error
       FROM webhook_outbox WHERE recipient = $1 ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
    [recipient, options.limit],
  );
  return rows.map((r) => {
    const notice = r.event as WebhookNotice;
    const status: DeliveryStatus = r.delivered_at ? 'delivered' : r.failed_at ? 'failed' : 'pending';
    return {
      id: Number(r.id),
      webhookId: notice.id,
      communication: notice.communication,
      category: notice.category,
      status,
      attempts: r.attempts as number,
      createdAt: iso(r.created_at) ?? '',
      lastAttemptAt: iso(r.last_attempt_at),
      nextAttemptAt: status === 'pending' ? iso(r.next_attempt_at) : null,
      deliveredAt: iso(r.delivered_at),
      failedAt: iso(r.failed_at),
      lastStatus: (r.last_status as number | null) ?? null,
      lastError: (r.last_error as string | null) ?? null,
    };
  });
}

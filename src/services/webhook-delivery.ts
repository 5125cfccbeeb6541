import type { Logger } from 'pino';
import type { WebhookSettings } from '../config/env.js';
import type { WebhookTarget } from '../config/webhook-secret.js';
import { signWebhook } from '../crypto/webhook-signature.js';
import type { Db } from '../store/db.js';
import type { ClaimedDelivery } from '../store/outbox-repo.js';
import { claimDueDeliveries, markAttemptFailed, markDelivered } from '../store/outbox-repo.js';

/** Deliveries taken per poll: small, so a poll never keeps the (single PGlite) connection long. */
const BATCH_SIZE = 10;
/** The longest wait between two attempts, however many have failed. */
const MAX_BACKOFF_MS = 6 * 3_600_000;

/**
 * The wait after failed attempt number `attempt` (1-based): the base doubled for each
 * earlier failure, capped at six hours, plus up to a quarter more at random so receivers
 * that come back are not hit by every queued notice at once. Below the cap each wait is
 * longer than the one before whatever the jitter.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(exponential * (1 + random() * 0.25));
}

export interface WebhookDeliveryOptions {
  db: Db;
  /** Each agency's webhook URL and secret (config/agencies.yaml). */
  targets: ReadonlyMap<string, WebhookTarget>;
  settings: Omit<WebhookSettings, 'enabled'>;
  now: () => Date;
  log: Logger;
  /** The HTTP client (tests may pass their own); by default the global fetch. */
  fetch?: typeof fetch;
  random?: () => number;
}

type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * Delivers queued webhook notices from the outbox. Each poll claims a few due rows in one
 * short statement, then POSTs them with no transaction open, then records each outcome in
 * another short statement. A 2xx marks a row delivered; anything else is retried with
 * exponential backoff until SGW_WEBHOOK_MAX_ATTEMPTS, then marked failed. A process that
 * dies mid-attempt leaves the row to be retried after its lease: delivery is at least
 * once, with a webhook-id that stays the same so receivers can drop repeats.
 */
export class WebhookDelivery {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private shutdown = new AbortController();
  private readonly fetch: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly o: WebhookDeliveryOptions) {
    this.fetch = o.fetch ?? fetch;
    this.random = o.random ?? Math.random;
  }

  /** Starts polling the outbox. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.shutdown = new AbortController();
    this.schedule(0);
  }

  /** Stops polling; an attempt in flight is cut short and rescheduled, and its outcome recorded before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.shutdown.abort();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => (this.running = null));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let full = false;
    try {
      full = (await this.runOnce()) === BATCH_SIZE;
    } catch (err) {
      this.o.log.error({ event: 'webhook', err: { message: (err as Error).message, code: (err as { code?: unknown }).code } }, 'webhook poll failed');
    }
    // A full batch means more may be due: take the next at once rather than after the interval.
    this.schedule(full ? 0 : this.o.settings.pollIntervalMs);
  }

  /** Claims and attempts one batch of due deliveries; returns how many it attempted. */
  async runOnce(): Promise<number> {
    const now = this.o.now();
    // Long enough for every attempt of the batch to time out and be recorded.
    const leaseUntil = new Date(now.getTime() + 2 * this.o.settings.timeoutMs + 1000);
    const batch = await claimDueDeliveries(this.o.db, now.toISOString(), leaseUntil.toISOString(), BATCH_SIZE);
    // Every outcome is recorded (or has failed to be) before the poll ends, so stop() can wait for it.
    const outcomes = await Promise.allSettled(batch.map((d) => this.deliver(d)));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return batch.length;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const target = this.o.targets.get(d.recipient);
    const result: AttemptResult = target ? await this.attempt(d, target) : { ok: false, status: null, error: 'no webhook is configured for this agency now' };
    const at = this.o.now();
    const log = { event: 'webhook', outbox: d.id, recipient: d.recipient, attempt: d.attempts, status: result.status };
    if (result.ok) {
      await markDelivered(this.o.db, d.id, at.toISOString(), result.status);
      this.o.log.info(log, 'webhook delivered');
      return;
    }
    const interrupted = this.shutdown.signal.aborted;
    const giveUp = !target || (!interrupted && d.attempts >= this.o.settings.maxAttempts);
    // Cut short by shutdown: due again at once, for whichever process runs next.
    const retryAt = giveUp ? null : new Date(at.getTime() + (interrupted ? 0 : retryDelayMs(d.attempts, this.o.settings.backoffBaseMs, this.random))).toISOString();
    await markAttemptFailed(this.o.db, d.id, at.toISOString(), { status: result.status, error: result.error, retryAt });
    if (giveUp) this.o.log.error({ ...log, error: result.error }, 'webhook failed; no more attempts');
    else this.o.log.warn({ ...log, error: result.error, retryAt }, 'webhook attempt failed; will retry');
  }

  /** One POST, signed, with a time limit. No database work happens while it is in flight. */
  private async attempt(d: ClaimedDelivery, target: WebhookTarget): Promise<AttemptResult> {
    const n = d.notice;
    // Built field by field, so the bytes signed do not depend on how jsonb ordered the keys.
    const body = JSON.stringify({ type: n.type, id: n.id, recipient: n.recipient, communication: n.communication, category: n.category, sentAt: n.sentAt });
    const timestamp = Math.floor(this.o.now().getTime() / 1000);
    const timeout = AbortSignal.timeout(this.o.settings.timeoutMs);
    try {
      const res = await this.fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'safeguarding-gateway-webhooks',
          'webhook-id': n.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(target.secret, n.id, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.shutdown.signal]),
      });
      // The receiver's answer is not read (nor kept): only its status counts.
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      if (timeout.aborted) return { ok: false, status: null, error: `no answer within ${this.o.settings.timeoutMs} ms` };
      if (this.shutdown.signal.aborted) return { ok: false, status: null, error: 'interrupted by gateway shutdown' };
      return { ok: false, status: null, error: networkError(err) };
    }
  }
}

/** A short, content-free description of a failed request: the system error code where there is one. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return `request failed: ${cause.code}`;
  return `request failed: ${err instanceof Error ? err.name : 'unknown error'}`;
}

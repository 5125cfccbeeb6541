import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/gateway-error.js';

/** Rate limits (SGW_RATE_LIMIT*; docs/access-control.md). Per gateway process. */
export interface RateLimitSettings {
  enabled: boolean;
  /** Sustained requests per minute per agency (from the token), and how many may come at once. */
  perMinute: number;
  burst: number;
  /** The same for requests without a valid token, per client address. */
  anonymousPerMinute: number;
  anonymousBurst: number;
}

/** Keys kept before idle (refilled) buckets are dropped: bounds memory under a flood of addresses. */
const MAX_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets, one per key: each holds up to `burst` requests and refills at `perMinute`.
 * A request takes one token; with none left it is told how many seconds until one is back.
 * Two numbers per key and no allocation per request (the CP-IS query is the hot path).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** 0 when the request may go ahead (and a token is taken); else the whole seconds to wait. */
  take(key: string): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= MAX_KEYS) this.prune(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }

  /** Drops buckets that have refilled (a new one would be the same), then the oldest if still full. */
  private prune(t: number): void {
    for (const [key, b] of this.buckets) if (b.tokens + (t - b.at) * this.perMs >= this.burst) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_KEYS) break;
      this.buckets.delete(key);
    }
  }
}

/** The gateway's two limits: per agency for callers with a valid token, per address for the rest. */
export class RateLimiter {
  private readonly agencies: TokenBuckets;
  private readonly addresses: TokenBuckets;

  constructor(readonly settings: RateLimitSettings, now: () => number = Date.now) {
    this.agencies = new TokenBuckets(settings.perMinute, settings.burst, now);
    this.addresses = new TokenBuckets(settings.anonymousPerMinute, settings.anonymousBurst, now);
  }

  /** Throws 429 (with Retry-After set on the answer) when the agency is over its limit. */
  agency(res: Response, agency: string): void {
    if (!this.settings.enabled) return;
    const wait = this.agencies.take(agency);
    if (wait > 0) throw throttled(res, wait, `agency ${agency} has sent more than ${this.settings.perMinute} requests a minute (bursts of ${this.settings.burst})`);
  }

  /** Throws 429 (with Retry-After set) when the client address is over the limit for requests without a valid token. */
  anonymous(req: Request, res: Response): void {
    if (!this.settings.enabled) return;
    const wait = this.addresses.take(req.ip ?? 'unknown');
    if (wait > 0) throw throttled(res, wait, `this address has sent more than ${this.settings.anonymousPerMinute} requests a minute without a valid token`);
  }

  /** App-level middleware: requests that carry no credentials at all are limited per address here. */
  withoutCredentials() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.headers.authorization === undefined) this.anonymous(req, res);
      next();
    };
  }
}

function throttled(res: Response, seconds: number, why: string): GatewayError {
  res.setHeader('Retry-After', String(seconds));
  return new GatewayError('GW_ERR_RATE_LIMITED', `${why}; try again in ${seconds} s (Retry-After)`);
}

/**
 * Proxy mode: a reverse proxy or API gateway in front of the server with a rate limit of its own
 * (docs/rocketchat-api-notes.md#rate-limiting). It limits every caller (it knows nothing of
 * Rocket.Chat's api-bypass-rate-limit) on every /api path, by client IP across all routes unless
 * `perRoute`, with a fixed window. Rejected requests never reach the server: they get the proxy's
 * HTML 429 page with `Retry-After` in seconds and no X-RateLimit-* headers.
 */
import type { ServerResponse } from 'node:http';
import { NGINX_HTML } from './fault-responses.js';
import { sendRaw } from './http-util.js';
import { RateLimiter } from './rate-limiter.js';

export interface ProxyOptions {
  /** Requests allowed per window and client. Default 10. */
  calls?: number;
  /** Window length in ms. Default 1000. */
  windowMs?: number;
  /** One budget per path instead of one per client across all paths. Default false. */
  perRoute?: boolean;
}

export class ProxyLimiter {
  private readonly limiter: RateLimiter;
  private readonly perRoute: boolean;
  /** Requests answered 429 by the proxy. */
  rejected = 0;

  constructor(opts: ProxyOptions, now: () => number) {
    this.limiter = new RateLimiter({ calls: opts.calls ?? 10, windowMs: opts.windowMs ?? 1000 }, now);
    this.perRoute = opts.perRoute ?? false;
  }

  /**
   * Counts one request; undefined when it may pass, else the Retry-After seconds. The window
   * resets once more than windowMs has passed, so the wait is rounded up past that instant.
   */
  check(path: string, clientIp: string): number | undefined {
    const d = this.limiter.hit(this.perRoute ? path : '*', 'GET', clientIp, '');
    if (d.allowed) return undefined;
    this.rejected++;
    return Math.max(1, Math.ceil((d.msToReset + 1) / 1000));
  }
}

export function sendProxy429(res: ServerResponse, retryAfterSeconds: number): void {
  sendRaw(res, 429, { 'Content-Type': 'text/html', 'Retry-After': String(retryAfterSeconds) }, NGINX_HTML(429));
}

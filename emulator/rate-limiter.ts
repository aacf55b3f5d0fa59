/**
 * Rocket.Chat's REST rate limiter (docs/rocketchat-api-notes.md#rate-limiting), as Meteor's
 * RateLimiter implements it: one rule per route, counters keyed by client IP, a fixed window per
 * rule that resets for everyone when `now - lastResetTime > windowMs`, increment before check (1st
 * call Remaining=9, 10th Remaining=0 and allowed, 11th rejected). X-RateLimit-Reset is an
 * absolute epoch in milliseconds.
 */

export interface RateLimitOptions {
  /** Master switch (API_Enable_Rate_Limiter). Default true. */
  enabled?: boolean;
  /** API_Enable_Rate_Limiter_Limit_Calls_Default. Default 10. */
  calls?: number;
  /** API_Enable_Rate_Limiter_Limit_Time_Default in ms. Default 60000. */
  windowMs?: number;
  /** Key counters by IP and user id instead of IP only (newest code's optional keying). Default false. */
  perUser?: boolean;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** X-RateLimit-Limit / -Remaining / -Reset, to send on the response (429s included). */
  headers: Record<string, string>;
  /** ms until the window resets. */
  msToReset: number;
  /** ceil(msToReset / 1000): the N in the 429 message. */
  waitSeconds: number;
}

interface Rule {
  lastResetTime: number;
  counters: Map<string, number>;
}

export class RateLimiter {
  enabled: boolean;
  calls: number;
  windowMs: number;
  perUser: boolean;
  private readonly rules = new Map<string, Rule>();
  private createdAt: number;
  /** Number of requests rejected with 429 so far. */
  rejected = 0;

  constructor(opts: RateLimitOptions = {}, private readonly now: () => number = Date.now) {
    this.enabled = opts.enabled ?? true;
    this.calls = opts.calls ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.perUser = opts.perUser ?? false;
    this.createdAt = now();
  }

  configure(opts: RateLimitOptions): void {
    if (opts.enabled !== undefined) this.enabled = opts.enabled;
    if (opts.calls !== undefined) this.calls = opts.calls;
    if (opts.windowMs !== undefined) this.windowMs = opts.windowMs;
    if (opts.perUser !== undefined) this.perUser = opts.perUser;
    this.reset();
  }

  /** Forgets every counter; windows restart now. */
  reset(): void {
    this.rules.clear();
    this.createdAt = this.now();
  }

  /**
   * Counts one call of `method route` by `clientIp` (and `userId` when keyed per user) and says
   * whether it may proceed. Rules are created with the limiter (as routes are registered at server
   * start), so the first window starts at construction or at the last `reset()`.
   */
  hit(route: string, method: string, clientIp: string, userId: string): RateLimitDecision {
    const now = this.now();
    const ruleKey = `${route}${method.toLowerCase()}`;
    let rule = this.rules.get(ruleKey);
    if (!rule) {
      rule = { lastResetTime: this.createdAt, counters: new Map() };
      this.rules.set(ruleKey, rule);
    }
    if (now - rule.lastResetTime > this.windowMs) {
      rule.lastResetTime = now;
      rule.counters.clear();
    }
    const key = this.perUser ? `${clientIp}|${userId}` : clientIp;
    const n = (rule.counters.get(key) ?? 0) + 1;
    rule.counters.set(key, n);
    const allowed = n <= this.calls;
    const msToReset = Math.max(0, this.windowMs - (now - rule.lastResetTime));
    const remaining = allowed ? this.calls - n : 0;
    if (!allowed) this.rejected++;
    return {
      allowed,
      msToReset,
      waitSeconds: Math.ceil(msToReset / 1000),
      headers: {
        'X-RateLimit-Limit': String(this.calls),
        'X-RateLimit-Remaining': String(remaining),
        'X-RateLimit-Reset': String(now + msToReset),
      },
    };
  }
}

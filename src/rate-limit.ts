/**
 * The pacer: spends each route's rate-limit budget without ever overdrawing it, so a run with an
 * ordinary token gets no 429s. Rocket.Chat limits every /api/v1 route separately with a FIXED
 * window (10 calls per 60 s by default, keyed by route and client IP) and reports the state in
 * X-RateLimit-Limit/-Remaining/-Reset (reset in epoch ms); see
 * docs/rocketchat-api-notes.md#rate-limiting.
 * Callers with `api-bypass-rate-limit` (admin, bot, app) get no such headers: their routes run
 * unpaced, limited only by the global concurrency cap.
 */
import type { Clock } from './clock.js';
import { parseRateLimit, type HeaderLike } from './retry-timing.js';

export interface PacerOptions {
  clock: Clock;
  /** Requests in flight at once across all routes (the global cap). */
  maxInFlight: number;
  /** Extra wait past X-RateLimit-Reset for clock skew and the server's strict `>`. @default 250 */
  skewPadMs?: number;
  /** A proactive wait longer than this rejects acquire() with BudgetWaitTooLongError. @default Infinity */
  maxWaitMs?: number;
  /** Told once per route and window before callers start waiting for the reset. */
  onWait?: (route: string, waitMs: number, limit: number) => void;
}

/** The window's reset is further away than `maxWaitMs`. */
export class BudgetWaitTooLongError extends Error {
  constructor(readonly route: string, readonly waitMs: number) {
    super(`rate-limit budget of ${route} spent; the window resets in ${waitMs} ms`);
  }
}

export interface RouteSnapshot {
  mode: 'unknown' | 'limited' | 'unlimited';
  limit: number;
  remaining: number;
  resetAtMs: number;
  inFlight: number;
}

interface RouteState extends RouteSnapshot {
  waiters: Array<() => void>;
  announcedWakeAt: number | undefined;
}

/**
 * Resets of one window can differ by a millisecond or two (the server computes
 * `Date.now() + timeToReset` per call); a new window's reset is a whole interval later.
 */
const SAME_WINDOW_MS = 100;

export class RateLimitPacer {
  private readonly routes = new Map<string, RouteState>();
  private readonly slots: Semaphore;
  private readonly clock: Clock;
  private readonly skewPadMs: number;
  private readonly maxWaitMs: number;
  private readonly onWait: PacerOptions['onWait'];

  constructor(options: PacerOptions) {
    this.clock = options.clock;
    this.slots = new Semaphore(Math.max(1, options.maxInFlight));
    this.skewPadMs = options.skewPadMs ?? 250;
    this.maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.onWait = options.onWait;
  }

  /** Waits for budget on `route` and a global slot. Every resolved acquire needs one release(). */
  async acquire(route: string, signal?: AbortSignal): Promise<void> {
    const state = this.state(route);
    for (;;) {
      signal?.throwIfAborted();
      const wakeAt = this.tryReserve(state);
      if (wakeAt === 'reserved') break;
      await this.wait(route, state, wakeAt, signal);
    }
    try {
      await this.slots.acquire(signal);
    } catch (err) {
      state.inFlight--;
      this.notify(state);
      throw err;
    }
  }

  /**
   * Ends a request. `headers` undefined means no answer arrived (network failure): nothing learned.
   * A 2xx without X-RateLimit-* headers marks an unknown route unlimited (a bypass token);
   * a proxy's 429 or 5xx without them says nothing about the budget.
   */
  release(route: string, headers?: HeaderLike, status = 200): void {
    const state = this.state(route);
    state.inFlight = Math.max(0, state.inFlight - 1);
    if (headers) this.learn(state, headers, status);
    this.slots.release();
    this.notify(state);
  }

  snapshot(route: string): RouteSnapshot {
    const { mode, limit, remaining, resetAtMs, inFlight } = this.state(route);
    return { mode, limit, remaining, resetAtMs, inFlight };
  }

  private state(route: string): RouteState {
    let state = this.routes.get(route);
    if (!state) {
      state = { mode: 'unknown', limit: 0, remaining: 0, resetAtMs: 0, inFlight: 0, waiters: [], announcedWakeAt: undefined };
      this.routes.set(route, state);
    }
    return state;
  }

  /** 'reserved', or when to look again: an epoch-ms wake time, or null for "at the next release". */
  private tryReserve(state: RouteState): 'reserved' | number | null {
    const reserve = () => {
      state.inFlight++;
      return 'reserved' as const;
    };
    if (state.mode === 'unlimited') return reserve();
    // One probe at a time until the first answer says whether the route is limited.
    if (state.mode === 'unknown') return state.inFlight === 0 ? reserve() : null;
    const wakeAt = state.resetAtMs + this.skewPadMs;
    const expired = this.clock.now() >= wakeAt;
    // In-flight requests count against the budget so two callers never spend the same last call.
    if ((expired ? state.limit : state.remaining) - state.inFlight > 0) return reserve();
    if (!expired) return wakeAt;
    if (state.inFlight > 0) return null;
    return reserve(); // window over, nothing in flight, budget still nil: probe the new window
  }

  private async wait(route: string, state: RouteState, wakeAt: number | null, signal?: AbortSignal): Promise<void> {
    const waits: Promise<unknown>[] = [new Promise<void>((resolve) => state.waiters.push(resolve))];
    let waitMs = 0;
    if (wakeAt !== null) {
      waitMs = wakeAt - this.clock.now();
      if (waitMs > this.maxWaitMs) throw new BudgetWaitTooLongError(route, waitMs);
      if (state.announcedWakeAt !== wakeAt) {
        this.onWait?.(route, waitMs, state.limit);
        state.announcedWakeAt = wakeAt;
      }
    }
    // `stop` ends this wait: the caller's abort, or cleanup once any wait below has finished.
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    waits.push(new Promise((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true })));
    // A release can bring news (e.g. a new window) before the timer fires.
    if (wakeAt !== null) waits.push(this.clock.sleep(waitMs, stop.signal));
    try {
      await Promise.race(waits);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  private learn(state: RouteState, headers: HeaderLike, status: number): void {
    const info = parseRateLimit(headers, this.clock.now());
    if (!info) {
      if (state.mode === 'unknown' && status >= 200 && status < 300) state.mode = 'unlimited';
      return;
    }
    if (state.mode !== 'limited' || info.resetAtMs > state.resetAtMs + SAME_WINDOW_MS) {
      // A new window: the server's count is the truth.
      Object.assign(state, { mode: 'limited', limit: info.limit, remaining: info.remaining, resetAtMs: info.resetAtMs });
    } else if (info.resetAtMs >= state.resetAtMs - SAME_WINDOW_MS) {
      // Same window, answers arrive out of order: the lowest count is the latest.
      state.remaining = Math.min(state.remaining, info.remaining);
      state.limit = info.limit;
    } // else: a late answer from an earlier window, nothing to learn
  }

  private notify(state: RouteState): void {
    const waiters = state.waiters;
    state.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** FIFO counting semaphore: the global cap on requests in flight. */
class Semaphore {
  private readonly queue: Array<{ grant: () => void }> = [];
  constructor(private free: number) {}

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.free > 0 && this.queue.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
      };
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.free++;
  }
}

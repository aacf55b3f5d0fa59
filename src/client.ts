/**
 * RocketChatClient: one GET (http.ts), paced per route (rate-limit.ts), classified (classify.ts)
 * and retried or given up on (retry-policy.ts). The request loop only acts on those decisions,
 * counts, and keeps the credentials out of every message it passes on.
 */
import type http from 'node:http';
import type { ClientOptions, RequestOptions, ResponseEvent } from './client-options.js';
import { classify, type Exchange } from './classify.js';
import { systemClock, type Clock } from './clock.js';
import { HttpError, RateLimitWaitError } from './errors.js';
import { createAgent, httpGet, NetworkError, type HttpResponse, type QueryParams } from './http.js';
import { logger } from './log.js';
import { BudgetWaitTooLongError, RateLimitPacer } from './rate-limit.js';
import { attemptNumber, budgetWaitTooLong, decide, FIRST_ATTEMPT, seconds, type AttemptState, type Decision, type GiveUp, type RetryPolicy } from './retry-policy.js';
import { DEFAULT_BACKOFF } from './retry-timing.js';

export interface StreamRequestStats {
  requests: number;
  retries: number;
  /** 429 answers. */
  rateLimited: number;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  byRoute: Record<string, { requests: number; rateLimited: number }>;
  /** By the request's `stream` option (the route when there is none): for the run's summary. */
  byStream: Record<string, StreamRequestStats>;
}

/** A rate-limited route's budget now, for ETAs (src/progress.ts). */
export interface RouteBudget {
  limit: number;
  remaining: number;
  resetAtMs: number;
  /** The window's length as far as seen (the longest time to reset of any answer). */
  windowMs: number;
}

/** Failures that mean nothing answers at the endpoint: before any answer, they are not retried. */
const NOTHING_THERE = new Set(['refused', 'dns', 'unreachable']);

type Where = Pick<Exchange, 'request' | 'path' | 'endpoint'>;

export class RocketChatClient {
  private readonly log = logger('tap-rocketchat.http');
  private readonly endpoint: string;
  private readonly clock: Clock;
  private readonly skewPadMs: number;
  private readonly policy: RetryPolicy;
  private readonly agent: http.Agent;
  private readonly pacer: RateLimitPacer;
  private readonly counters: ClientStats = { requests: 0, retries: 0, rateLimited: 0, byRoute: {}, byStream: {} };
  private readonly windows: Record<string, { lastResetAtMs: number; longestToReset: number; shortestGap: number }> = {};
  private readonly waitListeners: Array<() => void> = [];
  /** Whether any HTTP answer has arrived: retries are for a server that answered before. */
  private answered = false;

  constructor(private readonly options: ClientOptions) {
    this.endpoint = displayEndpoint(options.endpoint);
    this.clock = options.clock ?? systemClock;
    this.skewPadMs = options.skewPadMs ?? 250;
    this.policy = {
      maxRetries: options.maxRetries,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
    };
    this.agent = createAgent(options.endpoint, options.maxInFlight);
    this.pacer = new RateLimitPacer({
      clock: this.clock,
      maxInFlight: options.maxInFlight,
      skewPadMs: this.skewPadMs,
      maxWaitMs: options.maxRateLimitWaitMs,
      onWait: (route, waitMs, limit) => {
        this.log.info(this.redact(`rate-limit budget of ${route} on ${this.endpoint} is spent (${limit} calls per window): waiting ${seconds(waitMs)} for the window to reset`));
        this.rateLimitWaitStarted();
      },
    });
  }

  /** The parsed body of a successful GET, after pacing, retries and classification. */
  async get(path: string, params: QueryParams = {}, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return (await this.getWithBytes(path, params, options)).body;
  }

  /** `get`, also handing back the body's bytes (see http.ts). */
  async getWithBytes(path: string, params: QueryParams = {}, options: RequestOptions = {}): Promise<{ body: Record<string, unknown>; bytes: Buffer }> {
    const where: Where = { request: `GET ${displayPath(path, params)}`, path, endpoint: this.endpoint };
    let state = FIRST_ATTEMPT;
    for (;;) {
      await this.acquire(where, state, options.signal);
      const { result, durationMs } = await this.send(path, params, options.signal); // releases the slot
      const status = result instanceof NetworkError ? undefined : result.status;
      if (result instanceof NetworkError && !this.answered && NOTHING_THERE.has(result.kind)) {
        // Nothing has ever answered there: a retry would only print the same failure again.
        this.record(where, options, { path, status, durationMs, attempt: attemptNumber(state), outcome: 'fatal' }, undefined);
        throw new HttpError(this.redact(`${where.request} on ${this.endpoint} failed: ${result.message}`), undefined, path, attemptNumber(state));
      }
      if (!(result instanceof NetworkError)) this.answered = true;
      const verdict = classify(result, options, { ...where, nowMs: this.clock.now(), skewPadMs: this.skewPadMs });
      const decision = decide(verdict, state, this.policy, where);
      this.record(where, options, { path, status, durationMs, attempt: attemptNumber(state), outcome: decision.outcome }, decision);
      if (decision.kind === 'ok') return { body: decision.body, bytes: (result as HttpResponse).bytes };
      if (decision.kind === 'give-up') throw this.error(decision, status, path, result instanceof NetworkError ? result : undefined);
      this.log.warn(this.redact(decision.warning));
      if (decision.outcome === 'rate-limited') this.rateLimitWaitStarted();
      await this.clock.sleep(decision.waitMs, options.signal);
      state = decision.next;
    }
  }

  /** Whether `path` answered with X-RateLimit-* headers: each request there spends a scarce budget. */
  isRateLimited(path: string): boolean {
    return this.pacer.snapshot(path).mode === 'limited';
  }

  stats(): ClientStats {
    return structuredClone(this.counters);
  }

  /** The budget of a rate-limited route, or undefined when the route is not (or not yet known to be) limited. */
  budget(path: string): RouteBudget | undefined {
    const s = this.pacer.snapshot(path);
    if (s.mode !== 'limited') return undefined;
    return { limit: s.limit, remaining: Math.max(0, s.remaining - s.inFlight), resetAtMs: s.resetAtMs, windowMs: windowLength(this.windows[path]) };
  }

  /** `fn` runs whenever a request starts waiting for a rate-limit window (the progress reporter reports then). */
  onRateLimitWait(fn: () => void): void {
    this.waitListeners.push(fn);
  }

  private rateLimitWaitStarted(): void {
    for (const fn of this.waitListeners) fn();
  }

  /** Destroys pooled keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  /** Budget on the route and a global slot; a budget further off than max_rate_limit_wait gives up. */
  private async acquire(where: Where, state: AttemptState, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.pacer.acquire(where.path, signal);
    } catch (err) {
      if (err instanceof BudgetWaitTooLongError) throw this.error(budgetWaitTooLong(err.waitMs, state, this.policy, where), 429, where.path);
      throw err;
    }
  }

  /** One exchange, its slot released with what the answer taught the pacer. Network failures are results. */
  private async send(path: string, params: QueryParams, signal: AbortSignal | undefined): Promise<{ result: HttpResponse | NetworkError; durationMs: number }> {
    const started = this.clock.now();
    try {
      const result = await httpGet({ ...this.options, path, params, agent: this.agent, clock: this.clock, signal });
      this.pacer.release(path, result.headers, result.status);
      this.learnWindow(path);
      return { result, durationMs: result.durationMs };
    } catch (err) {
      this.pacer.release(path);
      if (!(err instanceof NetworkError)) throw err; // a bug or the caller's abort: never retried
      return { result: err, durationMs: this.clock.now() - started };
    }
  }

  /**
   * The window's length: no answer's time to reset is longer than it, and two successive resets
   * are at least that far apart (exactly, while the route is kept busy), so the shortest such gap
   * wins once seen; until then, the longest time to reset.
   */
  private learnWindow(path: string): void {
    const s = this.pacer.snapshot(path);
    if (s.mode !== 'limited') return;
    const w = (this.windows[path] ??= { lastResetAtMs: s.resetAtMs, longestToReset: 0, shortestGap: Infinity });
    w.longestToReset = Math.max(w.longestToReset, s.resetAtMs - this.clock.now());
    if (s.resetAtMs > w.lastResetAtMs + 100) w.shortestGap = Math.min(w.shortestGap, s.resetAtMs - w.lastResetAtMs);
    w.lastResetAtMs = Math.max(w.lastResetAtMs, s.resetAtMs);
  }

  private record(where: Where, options: RequestOptions, event: ResponseEvent, decision: Decision | undefined): void {
    const c = this.counters;
    c.requests++;
    const route = (c.byRoute[event.path] ??= { requests: 0, rateLimited: 0 });
    const stream = (c.byStream[options.stream ?? event.path] ??= { requests: 0, retries: 0, rateLimited: 0 });
    route.requests++;
    stream.requests++;
    if (event.status === 429) {
      route.rateLimited++;
      stream.rateLimited++;
    }
    if (event.outcome === 'rate-limited') c.rateLimited++;
    if (event.outcome === 'retry' && decision?.kind === 'wait') {
      c.retries++;
      stream.retries++;
    }
    // Method, path and query, status, time, attempt: never a header (the token travels in one).
    this.log.debug(this.redact(`${where.request} -> ${event.status ?? 'no answer'} in ${Math.round(event.durationMs)} ms (attempt ${event.attempt}, ${event.outcome})`));
    this.options.onResponse?.(event);
  }

  /** `cause`: the network failure of the last attempt, which tells how far the request got. */
  private error(decision: GiveUp, status: number | undefined, path: string, cause?: NetworkError): HttpError {
    const ErrorClass = decision.rateLimitWait ? RateLimitWaitError : HttpError;
    return new ErrorClass(this.redact(decision.message), status, path, decision.attempts, cause && { cause });
  }

  /**
   * Belt and braces: nothing we build contains the credentials, but a server, a proxy or an SSO
   * redirect can echo the request headers (X-Auth-Token and X-User-Id) in a body or a Location.
   */
  private redact(text: string): string {
    const { token, userId } = this.options;
    let out = token.length >= 4 ? text.split(token).join('[token]') : text;
    // A very short user id would also match ordinary words; real ones are 17-character random ids.
    if (userId.length >= 6) out = out.split(userId).join('[user_id]');
    return out;
  }
}

/** Rocket.Chat's default window (60 s) until answers have said otherwise. */
function windowLength(w: { longestToReset: number; shortestGap: number } | undefined): number {
  if (!w) return 60_000;
  return Number.isFinite(w.shortestGap) ? Math.max(w.shortestGap, w.longestToReset) : w.longestToReset || 60_000;
}

/** The query, decoded for reading (`sort={"_id":1}`); it never carries credentials. */
function displayPath(path: string, params: QueryParams): string {
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => `${k}=${item}`) : [`${k}=${String(v)}`]))
    .join('&');
  return query ? `${path}?${query}` : path;
}

/** Endpoint as shown in messages: no user:password@, no trailing slash. */
function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return endpoint.replace(/\/+$/, '');
  }
}

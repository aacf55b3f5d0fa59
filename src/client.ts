/**
 * RocketChatClient: http.ts + rate-limit.ts + retry-timing.ts. One decision function
 * (`classify`) turns each answer or network failure into ok / retry / rate-limited / fatal;
 * `get` acts on it. Messages name method, path, query and status, never request headers or the token.
 */
import type http from 'node:http';
import { systemClock, type Clock } from './clock.js';
import { HttpError, RateLimitWaitError } from './errors.js';
import { createAgent, httpGet, NetworkError, type HttpResponse, type QueryParams } from './http.js';
import { logger } from './log.js';
import { BudgetWaitTooLongError, RateLimitPacer } from './rate-limit.js';
import { backoffDelay, parseRateLimit, parseRetryAfter, parseWaitFromBody } from './retry-timing.js';
import { isObject } from './is-object.js';

export interface ClientOptions {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:3000 */
  endpoint: string;
  userId: string;
  token: string;
  /** Deadline for one request, body included. */
  timeoutMs: number;
  /** Retries after transient failures; 429 waits do not count. */
  maxRetries: number;
  /** Requests in flight at once across all routes (also the agent's maxSockets). */
  maxConcurrency: number;
  /** Longest single rate-limit wait accepted; longer is a RateLimitWaitError. */
  maxRateLimitWaitMs: number;
  /** Full-jitter exponential backoff. @default { baseMs: 1000, maxMs: 60000 } */
  backoff?: { baseMs: number; maxMs: number };
  /** Extra wait past X-RateLimit-Reset. @default 250 */
  skewPadMs?: number;
  clock?: Clock;
  random?: () => number;
  onResponse?: (event: ResponseEvent) => void;
}

export interface ResponseEvent {
  path: string;
  status: number | undefined;
  durationMs: number;
  attempt: number;
  outcome: 'ok' | 'retry' | 'rate-limited' | 'fatal';
}

export interface RequestContext {
  /** Stream name, for 403 messages. */
  stream?: string;
  /** Permission the route needs, for 403 messages. */
  permission?: string;
  /** Key that must hold an array in a successful body (e.g. `users`). */
  expectKey?: string;
  signal?: AbortSignal;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  byRoute: Record<string, { requests: number; rateLimited: number }>;
}

export type Verdict =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'retry'; reason: string; waitMs?: number; waitSource?: string }
  | { kind: 'rate-limited'; reason: string; waitMs: number; waitSource: string }
  | { kind: 'fatal'; message: string };

export interface ClassifyContext extends Omit<RequestContext, 'signal'> {
  /** Method, path and query as shown in messages, e.g. `GET /api/v1/users.list?count=100`. */
  request: string;
  endpoint: string;
  nowMs: number;
  skewPadMs: number;
}

/** Rocket.Chat's default when a 429 carries no usable timing at all (10 calls per 60 s). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
/** 429s do not spend max_retries; this only stops a server or proxy that never lets us through. */
const MAX_CONSECUTIVE_429 = 30;

export function classify(result: HttpResponse | NetworkError, c: ClassifyContext): Verdict {
  const fatal = (message: string): Verdict => ({ kind: 'fatal', message });
  if (result instanceof NetworkError) {
    return result.retryable ? { kind: 'retry', reason: result.message } : fatal(`${c.request} on ${c.endpoint} failed: ${result.message}`);
  }
  const { status, text, headers } = result;
  const body = parseJson(text);
  // Only failures quote the server, and flattening a 50 KB page for nothing costs ~70 µs a page.
  const said = (): string => serverSays(body, text);

  if (status >= 200 && status < 300) {
    if (body === undefined) {
      const what = text.trim() === '' ? 'the body is empty' : `the body is not JSON (starts with ${JSON.stringify(excerpt(text, 40))})`;
      return { kind: 'retry', reason: `answered ${status} but ${what}: is ${c.endpoint} a Rocket.Chat server?` };
    }
    if (!isObject(body)) return { kind: 'retry', reason: `answered ${status} but the body is not a JSON object (${excerpt(text, 40)})` };
    if (body.success === false) return fatal(`${c.request} answered ${status} with success: false: ${said()}`);
    if (c.expectKey && !Array.isArray(body[c.expectKey])) {
      const keys = Object.keys(body).slice(0, 10).join(', ');
      return { kind: 'retry', reason: `answered ${status} but the body has no "${c.expectKey}" array (keys: ${keys})` };
    }
    return { kind: 'ok', body };
  }
  if (status >= 300 && status < 400) {
    const location = excerpt(headers.get('location') ?? '(no Location)', 200);
    return fatal(`${c.request} on ${c.endpoint} was redirected (${status}) to ${location}: set endpoint to the final base URL`);
  }
  switch (status) {
    case 400:
      return fatal(`${c.request} answered 400 (bad request): ${said()}`);
    case 401:
      return fatal(`credentials rejected by ${c.endpoint} (401 on ${c.request}): check user_id and token`);
    case 403: {
      const forStream = c.stream ? ` for stream ${c.stream}` : '';
      const needs = c.permission ? `; the user needs the permission ${c.permission}` : '';
      return fatal(`permission denied${forStream}: ${c.request} on ${c.endpoint} answered 403 (${said()})${needs}`);
    }
    case 404:
      return fatal(
        `${c.request} answered 404 (${said()}): check that endpoint ${c.endpoint} is the Rocket.Chat base URL ` +
          `(without /api/v1) and that the server version has this route`,
      );
    case 408:
      return { kind: 'retry', reason: `answered 408 (${said()})` };
    case 429:
      return { kind: 'rate-limited', reason: `answered 429 (${said()})`, ...rateLimitWait(result, c) };
  }
  if (status >= 500) {
    // Rocket.Chat never sends Retry-After, but a proxy or gateway in front of it may.
    const retryAfter = status === 503 ? parseRetryAfter(headers.get('retry-after'), c.nowMs) : undefined;
    return retryAfter === undefined
      ? { kind: 'retry', reason: `answered ${status} (${said()})` }
      : { kind: 'retry', reason: `answered ${status} (${said()})`, waitMs: retryAfter, waitSource: 'Retry-After' };
  }
  return fatal(`${c.request} answered ${status}: ${said()}`);
}

/**
 * X-RateLimit-Reset (epoch ms) → Retry-After (a proxy's) → "You must wait N seconds" → 60 s
 * (rocketchat-api.md §7.5). A reset already past by our clock (skew) falls through to the
 * server-relative signals.
 */
function rateLimitWait(res: HttpResponse, c: ClassifyContext): { waitMs: number; waitSource: string } {
  const info = parseRateLimit(res.headers, c.nowMs);
  if (info && info.resetAtMs > c.nowMs) return { waitMs: info.resetAtMs - c.nowMs + c.skewPadMs, waitSource: 'X-RateLimit-Reset' };
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), c.nowMs);
  if (retryAfter !== undefined) return { waitMs: retryAfter, waitSource: 'Retry-After' };
  const fromBody = parseWaitFromBody(res.text);
  if (fromBody !== undefined) return { waitMs: fromBody, waitSource: 'the 429 body' };
  if (info) return { waitMs: c.skewPadMs, waitSource: 'X-RateLimit-Reset' };
  return { waitMs: DEFAULT_RATE_LIMIT_WAIT_MS, waitSource: 'the default' };
}

export class RocketChatClient {
  private readonly log = logger('tap-rocketchat.http');
  private readonly endpoint: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly skewPadMs: number;
  private readonly agent: http.Agent;
  private readonly pacer: RateLimitPacer;
  private readonly counters: ClientStats = { requests: 0, retries: 0, rateLimited: 0, byRoute: {} };

  constructor(private readonly options: ClientOptions) {
    this.endpoint = displayEndpoint(options.endpoint);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.skewPadMs = options.skewPadMs ?? 250;
    this.agent = createAgent(options.endpoint, options.maxConcurrency);
    this.pacer = new RateLimitPacer({
      clock: this.clock,
      maxConcurrency: options.maxConcurrency,
      skewPadMs: this.skewPadMs,
      maxWaitMs: options.maxRateLimitWaitMs,
      onWait: (route, waitMs, limit) =>
        this.info(`rate-limit budget of ${route} on ${this.endpoint} is spent (${limit} calls per window): waiting ${seconds(waitMs)} for the window to reset`),
    });
  }

  /** The parsed body of a successful GET, after pacing, retries and classification. */
  async get(path: string, params: QueryParams = {}, ctx: RequestContext = {}): Promise<Record<string, unknown>> {
    return (await this.getWithBytes(path, params, ctx)).body;
  }

  /** `get`, also handing back the body's bytes (see http.ts). */
  async getWithBytes(path: string, params: QueryParams = {}, ctx: RequestContext = {}): Promise<{ body: Record<string, unknown>; bytes: Buffer }> {
    const request = `GET ${displayPath(path, params)}`;
    let attempt = 0;
    let retries = 0;
    let rateLimitWaits = 0;
    let rateLimitedInARow = 0;
    for (;;) {
      attempt++;
      try {
        await this.pacer.acquire(path, ctx.signal);
      } catch (err) {
        if (err instanceof BudgetWaitTooLongError) throw this.waitTooLong(request, path, err.waitMs, 'X-RateLimit-Reset', 429, attempt - 1);
        throw err;
      }
      const started = this.clock.now();
      let result: HttpResponse | NetworkError;
      try {
        result = await httpGet({ ...this.options, path, params, agent: this.agent, clock: this.clock, signal: ctx.signal });
        this.pacer.release(path, result.headers, result.status);
      } catch (err) {
        this.pacer.release(path);
        if (!(err instanceof NetworkError)) throw err; // a bug or the caller's abort: never retried
        result = err;
      }
      const status = result instanceof NetworkError ? undefined : result.status;
      const durationMs = result instanceof NetworkError ? this.clock.now() - started : result.durationMs;
      this.count(path, status === 429);
      const verdict = classify(result, { ...ctx, request, endpoint: this.endpoint, nowMs: this.clock.now(), skewPadMs: this.skewPadMs });
      const outcome = verdict.kind === 'retry' && retries >= this.options.maxRetries ? 'fatal' : verdict.kind === 'fatal' ? 'fatal' : verdict.kind;
      this.options.onResponse?.({ path, status, durationMs, attempt, outcome });

      switch (verdict.kind) {
        case 'ok':
          return { body: verdict.body, bytes: (result as HttpResponse).bytes };
        case 'fatal':
          throw new HttpError(this.redact(verdict.message), status, path, attempt);
        case 'rate-limited': {
          this.counters.rateLimited++;
          if (++rateLimitedInARow > MAX_CONSECUTIVE_429) {
            throw new HttpError(this.redact(`${request} on ${this.endpoint} still rate limited after ${MAX_CONSECUTIVE_429} waits: ${verdict.reason}`), 429, path, attempt);
          }
          if (verdict.waitMs > this.options.maxRateLimitWaitMs) throw this.waitTooLong(request, path, verdict.waitMs, verdict.waitSource, 429, attempt);
          rateLimitWaits++;
          this.warn(`${request} on ${this.endpoint} was rate limited (attempt ${attempt}): waiting ${seconds(verdict.waitMs)} per ${verdict.waitSource}`);
          await this.clock.sleep(verdict.waitMs, ctx.signal);
          continue;
        }
        case 'retry': {
          rateLimitedInARow = 0;
          // Attempts count the failures max_retries governs; 429 waits do not spend that budget,
          // so they are reported apart ("attempt 4 of 3" would be nonsense).
          const failures = retries + 1;
          if (retries >= this.options.maxRetries) {
            const attempts = `${failures} attempt${failures === 1 ? '' : 's'}`;
            const waits = rateLimitWaits === 0 ? '' : ` (and ${rateLimitWaits} rate-limit wait${rateLimitWaits === 1 ? '' : 's'})`;
            throw new HttpError(this.redact(`${request} failed after ${attempts}${waits}: ${verdict.reason}`), status, path, attempt);
          }
          retries++;
          this.counters.retries++;
          let waitMs = verdict.waitMs;
          if (waitMs !== undefined && waitMs > this.options.maxRateLimitWaitMs) {
            throw this.waitTooLong(request, path, waitMs, verdict.waitSource ?? 'Retry-After', status, attempt);
          }
          waitMs ??= backoffDelay(retries, this.backoff, this.random);
          this.warn(
            `${request} on ${this.endpoint} attempt ${failures} of ${this.options.maxRetries + 1} failed: ${verdict.reason}; ` +
              `retrying in ${seconds(waitMs)}`,
          );
          await this.clock.sleep(waitMs, ctx.signal);
          continue;
        }
      }
    }
  }

  /** Whether `path` answered with X-RateLimit-* headers: each request there spends a scarce budget. */
  isRateLimited(path: string): boolean {
    return this.pacer.snapshot(path).mode === 'limited';
  }

  stats(): ClientStats {
    return structuredClone(this.counters);
  }

  /** Destroys pooled keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private count(path: string, rateLimited: boolean): void {
    this.counters.requests++;
    const route = (this.counters.byRoute[path] ??= { requests: 0, rateLimited: 0 });
    route.requests++;
    if (rateLimited) route.rateLimited++;
  }

  private waitTooLong(request: string, path: string, waitMs: number, source: string, status: number | undefined, attempts: number): RateLimitWaitError {
    const message =
      `${request} on ${this.endpoint} is rate limited for ${seconds(waitMs)} (per ${source}), longer than ` +
      `max_rate_limit_wait (${seconds(this.options.maxRateLimitWaitMs)}): raise max_rate_limit_wait, ` +
      `or use a bot or admin token, which Rocket.Chat does not rate limit`;
    return new RateLimitWaitError(this.redact(message), status, path, attempts);
  }

  private info(message: string): void {
    this.log.info(this.redact(message));
  }

  private warn(message: string): void {
    this.log.warn(this.redact(message));
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}


/** The server's own words: `error` (or 8.x's legacy `message`), else the start of the body. */
function serverSays(body: unknown, text: string): string {
  if (isObject(body)) {
    if (typeof body.error === 'string') return excerpt(body.error, 200);
    if (typeof body.message === 'string') return excerpt(body.message, 200);
  }
  return text.trim() === '' ? 'empty body' : excerpt(text, 200);
}

function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

/** The query, decoded for reading (`sort={"_id":1}`); it never carries credentials. */
export function displayPath(path: string, params: QueryParams): string {
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
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

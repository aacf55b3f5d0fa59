/**
 * The HTTP client's options: per client (ClientOptions, and clientOptions() mapping the tap's
 * settings onto them), and per request (RequestOptions, with what a successful body must hold).
 */
import { RocketChatClient } from './client.js';
import type { Clock } from './clock.js';
import type { TapSettings } from './config.js';
import { timer } from './metrics.js';
import { MAX_BACKOFF_MS, type BackoffOptions } from './retry-timing.js';

export interface ClientOptions {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:3000 */
  endpoint: string;
  userId: string;
  token: string;
  /** Deadline for one request, body included. */
  timeoutMs: number;
  /** Retries after transient failures; 429 waits do not count. */
  maxRetries: number;
  /**
   * Requests in flight at once across all routes: the keep-alive agent's maxSockets and the
   * pacer's global cap. See clientOptions() for how the `max_concurrency` setting maps onto it.
   */
  maxInFlight: number;
  /** Longest single rate-limit wait accepted; longer is a RateLimitWaitError. */
  maxRateLimitWaitMs: number;
  /** Full-jitter exponential backoff. @default { baseMs: 1000, maxMs: MAX_BACKOFF_MS } */
  backoff?: BackoffOptions;
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

/** What a successful (2xx) body must hold; anything else is classified like a bad answer. */
export interface BodyExpectation {
  /** Key that must hold an array (e.g. `users`); missing, it is retried as a transient answer. */
  recordsKey: string;
  /** Offset-paged routes: the body must carry a numeric `total` (fatal otherwise). */
  total?: boolean;
  /**
   * Every element of `recordsKey`, and of `removedKey` where that is an array, must be an object
   * with a non-empty string `_id` (fatal otherwise): it is every stream's primary key.
   */
  ids?: boolean;
  /** Key of the `{_id, _deletedAt}` deletions list, checked by `ids` too. */
  removedKey?: string;
  /** The object both lists sit in, when they are not at the top (chat.syncMessages: `result`). */
  within?: string;
}

/** Options of one request: the one shape `get` takes, and classify() reads. */
export interface RequestOptions {
  /** Stream name, for 403 and body-shape messages. */
  stream?: string;
  /** Permission the route needs, for 403 messages. */
  permission?: string;
  expect?: BodyExpectation;
  signal?: AbortSignal;
}

/**
 * The settings' client options. `max_concurrency` means one thing, requests in flight at once
 * across all streams: it becomes `maxInFlight` here (sockets and the pacer's global cap). The
 * paginator is given the same number as the pages one stream may read ahead; a stream can never
 * have more in flight than the global cap, so a stream alone can use all of it, and streams that
 * run together share it.
 */
function clientOptions(settings: TapSettings): ClientOptions {
  return {
    endpoint: settings.endpoint,
    userId: settings.userId,
    token: settings.token,
    timeoutMs: settings.requestTimeoutMs,
    maxRetries: settings.maxRetries,
    backoff: { baseMs: settings.retryBackoffMs, maxMs: MAX_BACKOFF_MS },
    maxInFlight: settings.maxConcurrency,
    maxRateLimitWaitMs: settings.maxRateLimitWaitMs,
    onResponse: ({ path, status, durationMs, outcome }) =>
      timer('http_request_duration', durationMs / 1000, {
        endpoint: path,
        http_status_code: status ?? 0,
        status: outcome === 'ok' ? 'succeeded' : 'failed',
      }),
  };
}

export function createClient(settings: TapSettings): RocketChatClient {
  return new RocketChatClient(clientOptions(settings));
}

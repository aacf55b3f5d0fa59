/**
 * Pure parsing of the server's timing signals, and the backoff formula. No I/O, no clock reads:
 * callers pass `nowMs`, so every function is table-testable.
 */

/** Anything with a case-insensitive `get`: the global Headers, or src/http.ts's ResponseHeaders. */
export interface HeaderLike {
  get(name: string): string | null;
}

export interface RateLimitInfo {
  /** Calls allowed per window (X-RateLimit-Limit). */
  limit: number;
  /** Calls left in the current window (X-RateLimit-Remaining). */
  remaining: number;
  /** When the window resets, in epoch milliseconds. */
  resetAtMs: number;
}

const NUMBER = /^\d+(\.\d+)?$/;

function nonNegative(value: string | null | undefined): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Reads X-RateLimit-Limit/-Remaining/-Reset. Undefined unless all three are usable: callers that
 * bypass the limiter (admin, bot, app tokens) get no such headers at all.
 */
export function parseRateLimit(headers: HeaderLike, nowMs: number): RateLimitInfo | undefined {
  const limit = nonNegative(headers.get('x-ratelimit-limit'));
  const remaining = nonNegative(headers.get('x-ratelimit-remaining'));
  const resetAtMs = parseResetValue(headers.get('x-ratelimit-reset'), nowMs);
  if (limit === undefined || remaining === undefined || resetAtMs === undefined) return undefined;
  return { limit: Math.floor(limit), remaining: Math.floor(remaining), resetAtMs };
}

/**
 * Rocket.Chat sends X-RateLimit-Reset as epoch MILLISECONDS (`Date.now() + timeToReset`, see
 * docs/rocketchat-api-notes.md#rate-limiting), unlike GitHub's epoch seconds. Proxies and other
 * servers vary, so decide by magnitude: > 1e12 epoch ms, > 1e9 epoch s, else seconds from now.
 */
export function parseResetValue(value: string | null | undefined, nowMs: number): number | undefined {
  const n = nonNegative(value);
  if (n === undefined) return undefined;
  if (n > 1e12) return Math.round(n);
  if (n > 1e9) return Math.round(n * 1000);
  return Math.round(nowMs + n * 1000);
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  const seconds = nonNegative(trimmed);
  if (seconds !== undefined) return Math.round(seconds * 1000);
  // All three HTTP-date forms start with a day name; this keeps Date.parse's leniency
  // ("1", "-5", "2024") from turning garbage into a date.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  // HTTP-dates are GMT; asctime has no zone, which Date.parse would read as local time.
  const at = Date.parse(/GMT|UTC|[+-]\d{4}$/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The seconds in a 429 body: "... You must wait 42 seconds before trying this endpoint again." */
export function parseWaitFromBody(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const match = /you must wait (\d+(?:\.\d+)?) seconds?/i.exec(text);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

export interface BackoffOptions {
  /** Cap of the first retry's delay. @default 1000 */
  baseMs: number;
  /** Largest delay. @default MAX_BACKOFF_MS */
  maxMs: number;
}

/** No backoff delay is longer than a minute, whatever retry_backoff and max_retries say. */
export const MAX_BACKOFF_MS = 60_000;

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: MAX_BACKOFF_MS };

/**
 * Exponential backoff with full jitter: `random()` × min(maxMs, baseMs × 2^(attempt-1)).
 * `attempt` is the retry number, starting at 1. Full jitter spreads concurrent retries apart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * Math.max(0, ceiling));
}

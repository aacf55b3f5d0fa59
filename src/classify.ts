/**
 * Pure classification of one answer (or network failure) into ok / retry / rate-limited / fatal,
 * with the message that names it. No I/O, no clock reads: `nowMs` comes in with the exchange.
 * Messages name method, path, query and status, never request headers or the token.
 */
import type { RequestOptions } from './client-options.js';
import { NetworkError, type HttpResponse } from './http.js';
import { isObject } from './is-object.js';
import { parseRateLimit, parseRetryAfter, parseWaitFromBody } from './retry-timing.js';

export type Verdict =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'retry'; reason: string; waitMs?: number; waitSource?: string }
  | { kind: 'rate-limited'; reason: string; waitMs: number; waitSource: string }
  | { kind: 'fatal'; message: string };

/** One request as messages show it, and when its answer came. */
export interface Exchange {
  /** Method, path and query, e.g. `GET /api/v1/users.list?count=100`. */
  request: string;
  /** The route alone, e.g. `/api/v1/users.list`. */
  path: string;
  /** The endpoint as shown in messages (no credentials, no trailing slash). */
  endpoint: string;
  nowMs: number;
  /** Extra wait past X-RateLimit-Reset. */
  skewPadMs: number;
}

/** Rocket.Chat's default when a 429 carries no usable timing at all (10 calls per 60 s). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export function classify(result: HttpResponse | NetworkError, options: RequestOptions, ex: Exchange): Verdict {
  if (result instanceof NetworkError) {
    return result.retryable ? { kind: 'retry', reason: result.message } : fatal(`${ex.request} on ${ex.endpoint} failed: ${result.message}`);
  }
  const { status, text, headers } = result;
  if (status >= 200 && status < 300) return classifyBody(status, text, options, ex);
  // Only failures quote the server, and flattening a 50 KB page for nothing costs ~70 µs a page.
  const said = (): string => serverSays(parseJson(text), text);
  if (status >= 300 && status < 400) {
    const location = excerpt(headers.get('location') ?? '(no Location)', 200);
    return fatal(`${ex.request} on ${ex.endpoint} was redirected (${status}) to ${location}: set endpoint to the final base URL`);
  }
  switch (status) {
    case 400:
      return fatal(`${ex.request} answered 400 (bad request): ${said()}`);
    case 401:
      // Older 8.x livechat routes answer a missing permission with 401 {"error":"unauthorized"}.
      if (isObject(parseJson(text)) && (parseJson(text) as Record<string, unknown>).error === 'unauthorized') {
        const forStream = options.stream ? ` for stream ${options.stream}` : '';
        return fatal(`permission denied${forStream}: ${ex.request} on ${ex.endpoint} answered 401 (unauthorized)${options.permission ? `; the user needs the permission ${options.permission}` : ''}`);
      }
      return fatal(`credentials rejected by ${ex.endpoint} (401 on ${ex.request}): check user_id and token`);
    case 403: {
      const forStream = options.stream ? ` for stream ${options.stream}` : '';
      const needs = options.permission ? `; the user needs the permission ${options.permission}` : '';
      return fatal(`permission denied${forStream}: ${ex.request} on ${ex.endpoint} answered 403 (${said()})${needs}`);
    }
    case 404:
      return fatal(
        `${ex.request} answered 404 (${said()}): check that endpoint ${ex.endpoint} is the Rocket.Chat base URL ` +
          `(without /api/v1) and that the server version has this route`,
      );
    case 408:
      return { kind: 'retry', reason: `answered 408 (${said()})` };
    case 429:
      return { kind: 'rate-limited', reason: `answered 429 (${said()})`, ...rateLimitWait(result, ex) };
  }
  if (status >= 500) {
    // Rocket.Chat never sends Retry-After, but a proxy or gateway in front of it may.
    const retryAfter = status === 503 ? parseRetryAfter(headers.get('retry-after'), ex.nowMs) : undefined;
    return retryAfter === undefined
      ? { kind: 'retry', reason: `answered ${status} (${said()})` }
      : { kind: 'retry', reason: `answered ${status} (${said()})`, waitMs: retryAfter, waitSource: 'Retry-After' };
  }
  return fatal(`${ex.request} answered ${status}: ${said()}`);
}

/** A 2xx: JSON, an object, not `success: false`, and holding what `options.expect` asks for. */
function classifyBody(status: number, text: string, options: RequestOptions, ex: Exchange): Verdict {
  const body = parseJson(text);
  if (body === undefined) {
    const what = text.trim() === '' ? 'the body is empty' : `the body is not JSON (starts with ${JSON.stringify(excerpt(text, 40))})`;
    return { kind: 'retry', reason: `answered ${status} but ${what}: is ${ex.endpoint} a Rocket.Chat server?` };
  }
  if (!isObject(body)) return { kind: 'retry', reason: `answered ${status} but the body is not a JSON object (${excerpt(text, 40)})` };
  if (body.success === false) return fatal(`${ex.request} answered ${status} with success: false: ${serverSays(body, text)}`);
  const expect = options.expect;
  if (expect) {
    const holder = expect.within === undefined ? body : body[expect.within];
    const where = expect.within === undefined ? '' : `${expect.within}.`;
    if (!isObject(holder) || !Array.isArray(holder[expect.recordsKey])) {
      const keys = Object.keys(isObject(holder) ? holder : body).slice(0, 10).join(', ');
      return { kind: 'retry', reason: `answered ${status} but the body has no "${where}${expect.recordsKey}" array (keys: ${keys})` };
    }
    if (expect.total && typeof body.total !== 'number') {
      return fatal(`GET ${ex.path} answered without a numeric "total": is endpoint a Rocket.Chat server?`);
    }
    if (expect.ids && !(allHaveIds(holder[expect.recordsKey]) && allHaveIds(expect.removedKey && holder[expect.removedKey]))) {
      return fatal(`GET ${ex.path} returned a ${options.stream ? `${options.stream} ` : ''}record without an _id`);
    }
  }
  return { kind: 'ok', body };
}

/** True unless `list` is an array with an element that is not an object with a non-empty string `_id`. */
function allHaveIds(list: unknown): boolean {
  if (!Array.isArray(list)) return true;
  for (const record of list as unknown[]) {
    if (!isObject(record) || typeof record._id !== 'string' || record._id === '') return false;
  }
  return true;
}

/**
 * X-RateLimit-Reset (epoch ms) → Retry-After (a proxy's) → "You must wait N seconds" → 60 s
 * (docs/rocketchat-api-notes.md#rate-limiting). A reset already past by our clock (skew) falls
 * through to the server-relative signals.
 */
function rateLimitWait(res: HttpResponse, ex: Exchange): { waitMs: number; waitSource: string } {
  const info = parseRateLimit(res.headers, ex.nowMs);
  if (info && info.resetAtMs > ex.nowMs) return { waitMs: info.resetAtMs - ex.nowMs + ex.skewPadMs, waitSource: 'X-RateLimit-Reset' };
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), ex.nowMs);
  if (retryAfter !== undefined) return { waitMs: retryAfter, waitSource: 'Retry-After' };
  const fromBody = parseWaitFromBody(res.text);
  if (fromBody !== undefined) return { waitMs: fromBody, waitSource: 'the 429 body' };
  if (info) return { waitMs: ex.skewPadMs, waitSource: 'X-RateLimit-Reset' };
  return { waitMs: DEFAULT_RATE_LIMIT_WAIT_MS, waitSource: 'the default' };
}

function fatal(message: string): Verdict {
  return { kind: 'fatal', message };
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

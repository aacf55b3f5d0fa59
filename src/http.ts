/**
 * One GET over node:http(s): URL building, auth headers, a keep-alive agent, a deadline that
 * covers the body too, compressed bodies decoded strictly (src/content-encoding.ts), and network
 * failures turned into a NetworkError that says what happened (src/network-errors.ts).
 * No retry or rate-limit policy here (that is client.ts and rate-limit.ts).
 *
 * node:http rather than a fetch implementation: node-fetch's Headers, URL parsing, body stream
 * pipeline and AbortSignal per request made the floor itself take 80 % more CPU and 25 % more
 * wall time on 100,000 users in 1,000 pages, before the tap did any work of its own; Node's
 * global fetch costs about as much (`node bench/floor.mjs --client fetch` against the default
 * `--client http`). Redirects are never followed here: the client reports them.
 */
import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from './clock.js';
import { ACCEPT_ENCODING, decodeBody, UndecodableBody } from './content-encoding.js';
import { NetworkError, toNetworkError } from './network-errors.js';
import { VERSION } from './package-info.js';
import type { HeaderLike } from './retry-timing.js';

export { NetworkError, type NetworkErrorKind } from './network-errors.js';

/** Query parameters; an array value repeats the key (`types=c&types=p`), as Rocket.Chat's array params expect. */
export type QueryParams = Record<string, string | number | readonly string[] | undefined>;

export interface HttpGetOptions {
  /** Base URL without trailing slash, e.g. https://chat.example.com */
  endpoint: string;
  /** Route, e.g. /api/v1/users.list */
  path: string;
  params?: QueryParams;
  userId: string;
  token: string;
  /** Deadline for the whole exchange: connect, headers and body. */
  timeoutMs: number;
  agent?: http.Agent;
  /** The caller giving up; its reason is rethrown as is, never turned into a NetworkError. */
  signal?: AbortSignal;
  /** Only measures durationMs (the deadline uses real timers: a fake clock would fire it at once). */
  clock?: Clock;
}

export interface HttpResponse {
  status: number;
  headers: HeaderLike;
  text: string;
  /** The body as received (UTF-8, decoded if it came compressed): records can be copied to the output from it without re-encoding. */
  bytes: Buffer;
  durationMs: number;
}

const USER_AGENT = `tap-rocketchat/${VERSION}`;

/**
 * `new http.Agent()` defaults to keepAlive: false
 * (https://nodejs.org/api/http.html#new-agentoptions); reusing sockets saves a TCP (and TLS)
 * handshake per page.
 */
export function createAgent(endpoint: string, maxSockets: number): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, maxSockets, scheduling: 'lifo' };
  // rejectUnauthorized explicitly: otherwise NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment
  // would silently turn certificate checks off (a private CA goes in NODE_EXTRA_CA_CERTS instead).
  return endpoint.startsWith('https:') ? new https.Agent({ ...options, rejectUnauthorized: true }) : new http.Agent(options);
}

function buildUrl(endpoint: string, path: string, params: QueryParams = {}): URL {
  const url = new URL(endpoint.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
    else if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** node:http's headers (lower-case keys) behind the `get` the rest of the tap reads them with. */
class ResponseHeaders implements HeaderLike {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
}

interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** As sent: still compressed if it was. */
  body: Buffer;
}

/** How far the exchange got, for the error message. */
interface Progress {
  stage: 'connect' | 'body';
  received: number;
  /** Set by the deadline: whatever the socket reports next is its doing. */
  timedOut: boolean;
}

/** Sends the GET and collects the body; rejects with what the socket threw. */
function exchange(url: URL, options: HttpGetOptions, progress: Progress): Promise<Exchange> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, {
      headers: { 'X-User-Id': options.userId, 'X-Auth-Token': options.token, Accept: 'application/json', 'Accept-Encoding': ACCEPT_ENCODING, 'User-Agent': USER_AGENT },
      ...(options.agent ? { agent: options.agent } : {}),
    });
    const timer = setTimeout(() => {
      progress.timedOut = true;
      req.destroy(Object.assign(new Error('deadline'), { code: 'ETIMEDOUT' }));
    }, options.timeoutMs);
    const onAbort = (): void => void req.destroy(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (err: unknown, value?: Exchange): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve(value!);
      else reject(err);
    };
    req.once('error', settle);
    req.once('response', (res) => {
      progress.stage = 'body';
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        progress.received += chunk.length;
      });
      res.once('error', settle);
      res.once('end', () => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      // Closed before the body was complete, on a path that sends no 'error': never hang on it.
      res.once('close', () => {
        if (!res.complete) settle(Object.assign(new Error('the connection closed before the body was complete'), { code: 'ECONNRESET' }));
      });
    });
  });
}

export async function httpGet(options: HttpGetOptions): Promise<HttpResponse> {
  const { signal, timeoutMs } = options;
  const clock = options.clock ?? systemClock;
  const url = buildUrl(options.endpoint, options.path, options.params);
  const started = clock.now();
  const progress: Progress = { stage: 'connect', received: 0, timedOut: false };
  try {
    signal?.throwIfAborted();
    const res = await exchange(url, options, progress);
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && res.body.length < declared) {
      throw new NetworkError(`response body truncated: got ${res.body.length} of ${declared} bytes`, 'truncated', true);
    }
    const bytes = await decoded(res.body, res.headers['content-encoding']);
    return { status: res.status, headers: new ResponseHeaders(res.headers), text: bytes.toString('utf8'), bytes, durationMs: clock.now() - started };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    if (progress.timedOut) {
      const where = progress.stage === 'body' ? `while reading the body (${progress.received} bytes received)` : 'before the response headers';
      throw new NetworkError(`timed out after ${timeoutMs / 1000} s ${where}`, 'timeout', true);
    }
    throw toNetworkError(err, url, progress.stage, progress.received);
  }
}

async function decoded(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  try {
    return await decodeBody(body, encoding ?? null);
  } catch (err) {
    if (!(err instanceof UndecodableBody)) throw err;
    if (err.code === undefined) throw new NetworkError(err.message, 'other', false);
    throw new NetworkError(`response body truncated or damaged: ${err.message}`, 'truncated', true, err.code);
  }
}

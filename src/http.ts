/**
 * One GET over node-fetch: URL building, auth headers, a keep-alive agent, a deadline that
 * covers the body too, compressed bodies decoded strictly (src/content-encoding.ts), and network
 * failures turned into a NetworkError that says what happened.
 * No retry or rate-limit policy here (that is client.ts and rate-limit.ts).
 */
import http from 'node:http';
import https from 'node:https';
import fetch, { FetchError } from 'node-fetch';
import { systemClock, type Clock } from './clock.js';
import { ACCEPT_ENCODING, decodeBody, UndecodableBody } from './content-encoding.js';
import { VERSION } from './package-info.js';
import type { HeaderLike } from './retry-timing.js';

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

export type NetworkErrorKind = 'reset' | 'timeout' | 'dns' | 'refused' | 'unreachable' | 'tls' | 'truncated' | 'other';

/** The exchange failed below HTTP. `message` never contains request headers. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly kind: NetworkErrorKind,
    /** False where trying again cannot help: unknown host, certificate problems. */
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
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

function buildUrl(endpoint: string, path: string, params: QueryParams = {}): string {
  const url = new URL(endpoint.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
    else if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export async function httpGet(options: HttpGetOptions): Promise<HttpResponse> {
  const { signal, timeoutMs } = options;
  const clock = options.clock ?? systemClock;
  const url = buildUrl(options.endpoint, options.path, options.params);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  const started = clock.now();
  let stage: 'connect' | 'body' = 'connect';
  let received = 0;
  try {
    signal?.throwIfAborted();
    const res = await fetch(url, {
      headers: {
        'X-User-Id': options.userId,
        'X-Auth-Token': options.token,
        Accept: 'application/json',
        'Accept-Encoding': ACCEPT_ENCODING,
        'User-Agent': USER_AGENT,
      },
      // The body arrives as sent and is decoded here, where a cut one is caught.
      compress: false,
      // node-fetch would carry X-Auth-Token along a redirect to another host; the client
      // reports redirects instead.
      redirect: 'manual',
      signal: controller.signal,
      ...(options.agent ? { agent: options.agent } : {}),
    });
    stage = 'body';
    const chunks: Buffer[] = [];
    if (res.body) {
      for await (const chunk of res.body) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        chunks.push(buf);
        received += buf.length;
      }
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && received < declared) {
      throw new NetworkError(`response body truncated: got ${received} of ${declared} bytes`, 'truncated', true);
    }
    const bytes = await decoded(Buffer.concat(chunks), res.headers.get('content-encoding'));
    return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes, durationMs: clock.now() - started };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    if (timedOut) {
      const where = stage === 'body' ? `while reading the body (${received} bytes received)` : 'before the response headers';
      throw new NetworkError(`timed out after ${timeoutMs / 1000} s ${where}`, 'timeout', true);
    }
    throw toNetworkError(err, url, stage, received);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function decoded(body: Buffer, encoding: string | null): Promise<Buffer> {
  try {
    return await decodeBody(body, encoding);
  } catch (err) {
    if (!(err instanceof UndecodableBody)) throw err;
    if (err.code === undefined) throw new NetworkError(err.message, 'other', false);
    throw new NetworkError(`response body truncated or damaged: ${err.message}`, 'truncated', true, err.code);
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;
/** Certificate verification failures: the only TLS errors a CA setting can fix. */
const CERT_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_TLS_CERT_)/;
/** What OpenSSL says when the other side answered a TLS hello in plain text (an http:// server). */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol|record layer failure/i;

/** `chat.example.com:443`: the port spelled out even when it is the default. */
function hostAndPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** OpenSSL's reason alone: "…:SSL routines:ssl3_get_record:wrong version number:../deps/…" → "wrong version number". */
function tlsReason(detail: string): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(detail)?.[1];
  return (reason ?? detail).replace(/\\n|\n/g, ' ').trim();
}

function tlsError(detail: string, code: string, target: URL): NetworkError {
  const where = hostAndPort(target);
  if (NOT_TLS.test(detail) || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new NetworkError(`the server at ${where} does not speak TLS: is the endpoint http://${where}? (${tlsReason(detail)}; ${code})`, 'tls', false, code);
  }
  const advice = CERT_CODE.test(code) ? '; for a private CA set NODE_EXTRA_CA_CERTS' : '';
  return new NetworkError(`TLS error talking to ${where}: ${tlsReason(detail)} (${code})${advice}`, 'tls', false, code);
}

/** Maps what node-fetch and the socket throw; anything else (a bug) is rethrown untouched. */
function toNetworkError(err: unknown, url: string, stage: 'connect' | 'body', received: number): unknown {
  if (err instanceof NetworkError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  if (!(err instanceof FetchError) && code === undefined) return err;
  const message = err instanceof Error ? err.message : String(err);
  // node-fetch prefixes "request to <url> failed, reason: "; keep only the reason.
  const detail = message.includes('reason: ') ? message.slice(message.indexOf('reason: ') + 8) : message;
  const target = new URL(url);
  const { hostname } = target;
  const host = hostAndPort(target);
  const tag = code ? ` (${code})` : '';

  if (stage === 'body' && (code === undefined || RESET_CODES.has(code) || code.startsWith('Z_'))) {
    return new NetworkError(`response body truncated: the connection closed after ${received} bytes${tag}`, 'truncated', true, code);
  }
  if (code === undefined) return new NetworkError(`network error: ${detail}`, 'other', true);
  if (RESET_CODES.has(code)) {
    return new NetworkError(`connection reset before the response arrived${tag}`, 'reset', true, code);
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return new NetworkError(`connection to ${host} timed out${tag}`, 'timeout', true, code);
  }
  if (code === 'ENOTFOUND') {
    return new NetworkError(`DNS lookup failed: host ${hostname} not found${tag} (endpoint ${host}); check endpoint`, 'dns', false, code);
  }
  if (code.startsWith('EAI_')) {
    return new NetworkError(`DNS lookup of ${hostname} failed temporarily${tag}`, 'dns', true, code);
  }
  if (code === 'ECONNREFUSED') {
    return new NetworkError(`connection refused by ${host}${tag}: is the server running, and is endpoint right?`, 'refused', true, code);
  }
  if (['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN'].includes(code)) {
    return new NetworkError(`${host} is unreachable${tag}`, 'unreachable', true, code);
  }
  if (TLS_CODE.test(code)) return tlsError(detail, code, target);
  return new NetworkError(`network error: ${detail}${tag}`, 'other', true, code);
}

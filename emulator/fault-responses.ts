/**
 * What a fault sends: a proxy's HTML error page, a login page, a body cut in half, a reset
 * connection, a 429 with one kind of wait hint, a bad body, a stall. faults.ts decides which
 * request gets which.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FaultRule } from './faults.js';
import { JSON_HEADERS, sendRaw } from './http-util.js';
import { err } from './routes/errors.js';

export const NGINX_HTML = (status: number): string => {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
};

export const LOGIN_PAGE_HTML = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign in · Corporate SSO</title></head>'
  + '<body><form method="post" action="/sso/login"><h1>Please sign in</h1><input name="username"><input name="password" type="password">'
  + '<button>Sign in</button></form></body></html>\n';

const JSON_ERROR_TEXT: Record<number, string> = {
  500: 'Internal server error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 408: 'Request Timeout',
};

function fakeBody(recordsKey: string | undefined): string {
  const key = recordsKey ?? 'result';
  const records = Array.from({ length: 25 }, (_, i) => ({ _id: `fault${String(i).padStart(12, '0')}`, name: `Ünïcödé record ${i} ${'·'.repeat(40)}` }));
  return JSON.stringify({ [key]: records, count: 25, offset: 0, total: 25, success: true });
}

function retryAfterValue(rule: FaultRule, now: number): string | undefined {
  if (rule.retryAfter === undefined) return undefined;
  if (rule.retryAfter === 'http-date') {
    const secs = rule.retryAfterSeconds ?? 1;
    return new Date(Math.ceil((now + secs * 1000) / 1000) * 1000).toUTCString();
  }
  return String(rule.retryAfter);
}

export interface FaultEnv {
  now(): number;
  /** Records key of the route's success body (for realistic partial bodies). */
  recordsKey: string | undefined;
  /** Sleep that the server cancels on close. */
  sleep(ms: number): Promise<void>;
  /** Remembers a socket held open forever (closed with the server). */
  hold(socket: Socket): void;
}

/**
 * Applies a fault. Returns 'continue' when the request should then be handled normally ('slow'),
 * or the status written (0 when the connection was cut or left hanging).
 */
export async function applyFault(
  rule: FaultRule, req: IncomingMessage, res: ServerResponse, env: FaultEnv,
): Promise<'continue' | number> {
  const now = env.now();
  switch (rule.kind) {
    case 'slow':
      await env.sleep(rule.delayMs ?? 1000);
      return 'continue';
    case 'stall':
      env.hold(req.socket);
      return 0;
    case 'reset-before':
      req.socket.resetAndDestroy();
      return 0;
    case 'reset-mid-body':
    case 'truncated':
      await cutBody(rule, req, env);
      return 0;
    case 'truncated-gzip':
      return halfGzip(res, env);
    case 'status':
      return statusFault(rule, res, now);
    case '429': {
      const waitMs = rule.waitMs ?? 1000;
      const r = err.tooManyRequests(Math.ceil(waitMs / 1000));
      sendRaw(res, 429, {
        ...JSON_HEADERS,
        'X-RateLimit-Limit': String(rule.limit ?? 10),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(now + waitMs),
      }, JSON.stringify(r.body));
      return 429;
    }
    case '429-retry-after':
      return retryAfterOnly(rule, res, now);
    case '429-body-only': {
      const r = err.tooManyRequests(Math.ceil((rule.waitMs ?? 1000) / 1000));
      sendRaw(res, 429, { ...JSON_HEADERS }, JSON.stringify(r.body));
      return 429;
    }
    case 'invalid-json': {
      const body = fakeBody(env.recordsKey);
      sendRaw(res, 200, { ...JSON_HEADERS }, `${body.slice(0, Math.floor(body.length * 0.6))}`);
      return 200;
    }
    case 'html-200':
      sendRaw(res, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, LOGIN_PAGE_HTML);
      return 200;
    case 'missing-key':
      sendRaw(res, 200, { ...JSON_HEADERS }, JSON.stringify({ success: true }));
      return 200;
    case 'success-false-200':
      sendRaw(res, 200, { ...JSON_HEADERS }, JSON.stringify({ success: false, error: 'Something went wrong. [error-unknown]', errorType: 'error-unknown' }));
      return 200;
    case '401': {
      const r = err.unauthorized();
      sendRaw(res, 401, { ...JSON_HEADERS }, JSON.stringify(r.body));
      return 401;
    }
    case '403': {
      const r = err.permission();
      sendRaw(res, 403, { ...JSON_HEADERS }, JSON.stringify(r.body));
      return 403;
    }
  }
}

/** Half of a plausible 200 body, then a reset ('reset-mid-body') or a clean close ('truncated'). */
async function cutBody(rule: FaultRule, req: IncomingMessage, env: FaultEnv): Promise<void> {
  const body = Buffer.from(fakeBody(env.recordsKey), 'utf8');
  const sent = Math.floor(body.length / 2);
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nPragma: no-cache\r\n'
    + `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
  const socket = req.socket;
  socket.write(head);
  await new Promise<void>((resolve) => socket.write(body.subarray(0, sent), () => resolve()));
  if (rule.kind === 'reset-mid-body') socket.resetAndDestroy();
  else socket.end();
}

/**
 * A complete HTTP response whose gzip body stops halfway, as a proxy that cut an upstream
 * stream sends it: the length checks out, the body does not decode.
 */
function halfGzip(res: ServerResponse, env: FaultEnv): number {
  const gz = gzipSync(Buffer.from(fakeBody(env.recordsKey), 'utf8'));
  sendRaw(res, 200, { ...JSON_HEADERS, 'Content-Encoding': 'gzip' }, gz.subarray(0, Math.floor(gz.length / 2)));
  return 200;
}

function statusFault(rule: FaultRule, res: ServerResponse, now: number): number {
  const status = rule.status ?? 500;
  const headers: Record<string, string> = {};
  const ra = retryAfterValue(rule, now);
  if (ra !== undefined) headers['Retry-After'] = ra;
  const mode = rule.body ?? 'json';
  if (mode === 'json') {
    sendRaw(res, status, { ...JSON_HEADERS, ...headers }, JSON.stringify({
      success: false, error: JSON_ERROR_TEXT[status] ?? STATUS_CODES[status] ?? 'Error',
    }));
  } else if (mode === 'html') {
    sendRaw(res, status, { 'Content-Type': 'text/html', ...headers }, NGINX_HTML(status));
  } else if (mode === 'empty') {
    sendRaw(res, status, headers, '');
  } else {
    sendRaw(res, status, { 'Content-Type': rule.contentType ?? 'text/plain', ...headers }, mode);
  }
  return status;
}

/** A proxy's 429: only Retry-After, with an HTML (or the given) body. */
function retryAfterOnly(rule: FaultRule, res: ServerResponse, now: number): number {
  const ra = retryAfterValue({ ...rule, retryAfter: rule.retryAfter ?? 1 }, now) as string;
  const mode = rule.body ?? 'html';
  if (mode === 'json') {
    sendRaw(res, 429, { ...JSON_HEADERS, 'Retry-After': ra }, JSON.stringify({ message: 'Too Many Requests' }));
  } else {
    sendRaw(res, 429, { 'Content-Type': 'text/html', 'Retry-After': ra }, mode === 'html' ? NGINX_HTML(429) : mode);
  }
  return 429;
}

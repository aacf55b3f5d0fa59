/**
 * Scriptable misbehaviour: every way a Rocket.Chat server, or a proxy in front of it, or the
 * network, can fail a request the tap makes. A rule matches a route (and optionally an identity)
 * and picks which of the matching requests fail; the first rule that fires decides the response.
 *
 * Request numbers are counted per rule, from the moment the rule was installed, over the requests
 * that match its route (and identity): `nth: 3` is the third matching request after `setFaults`.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mulberry32, type Rng } from './prng.js';
import { normaliseRoute } from './routes/common.js';
import { err } from './routes/errors.js';
import { JSON_HEADERS, sendRaw } from './http-util.js';

export type FaultKind =
  | 'status' | '429' | '429-retry-after' | '429-body-only' | 'reset-before' | 'reset-mid-body' | 'truncated'
  | 'invalid-json' | 'html-200' | 'missing-key' | 'success-false-200' | 'slow' | 'stall' | '401' | '403';

export const FAULT_KINDS: readonly FaultKind[] = [
  'status', '429', '429-retry-after', '429-body-only', 'reset-before', 'reset-mid-body', 'truncated',
  'invalid-json', 'html-200', 'missing-key', 'success-false-200', 'slow', 'stall', '401', '403',
];

export interface FaultRule {
  /** '/api/v1/users.list', 'users.list', 'info' (for /api/info) or '*' (every /api route). */
  route: string;
  kind: FaultKind;
  /** Only requests whose credentials resolve to this identity ('admin', 'user', ...). */
  identity?: string;
  /** Fire on this matching request number (1-based) or these numbers. */
  nth?: number | number[];
  /** Fire on every Nth matching request (N, 2N, 3N, ...). */
  every?: number;
  /** Fire on every matching request after the first N (e.g. a token revoked after N requests). */
  after?: number;
  /** Fire with this probability (0..1), drawn from the injector's seeded PRNG. */
  probability?: number;
  /** Stop after firing this many times. */
  times?: number;
  /** 'status': the HTTP status (default 500). */
  status?: number;
  /** 'status' and '429-retry-after': 'json' (default for 'status'), 'html', 'empty', or a literal body. */
  body?: 'json' | 'html' | 'empty' | string;
  /** Content-Type for a literal `body` (default text/plain). */
  contentType?: string;
  /**
   * Retry-After for '429-retry-after' (default 1) and optionally for 'status': seconds, or
   * 'http-date' to send an HTTP-date `retryAfterSeconds` in the future.
   */
  retryAfter?: number | 'http-date';
  /** With retryAfter 'http-date': how far ahead (default 1 s). */
  retryAfterSeconds?: number;
  /** '429' and '429-body-only': ms until the pretend window resets (default 1000). */
  waitMs?: number;
  /** '429': X-RateLimit-Limit value (default 10). */
  limit?: number;
  /** 'slow': extra delay in ms before answering normally (default 1000). */
  delayMs?: number;
  /** Label for stats. */
  name?: string;
}

interface Installed {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export interface FiredFault {
  route: string;
  kind: FaultKind;
  name?: string;
  n: number;
  time: number;
}

export class FaultInjector {
  private installed: Installed[] = [];
  private rng: Rng;
  readonly firedByKind: Partial<Record<FaultKind, number>> = {};
  readonly firedLog: FiredFault[] = [];
  totalFired = 0;

  constructor(rules: FaultRule[] = [], private readonly seed = 1, private readonly now: () => number = Date.now) {
    this.rng = mulberry32(seed);
    this.set(rules);
  }

  /** Replaces the rule list (counters restart; the PRNG is reseeded). */
  set(rules: readonly FaultRule[]): void {
    for (const r of rules) validateRule(r);
    this.installed = rules.map((rule) => ({ rule: { ...rule }, seen: 0, fired: 0 }));
    this.rng = mulberry32(this.seed);
  }

  add(rule: FaultRule): void {
    validateRule(rule);
    this.installed.push({ rule: { ...rule }, seen: 0, fired: 0 });
  }

  clear(): void {
    this.installed = [];
  }

  list(): Array<FaultRule & { seen: number; fired: number }> {
    return this.installed.map((i) => ({ ...i.rule, seen: i.seen, fired: i.fired }));
  }

  /** Counts the request against every matching rule; returns the first rule that fires. */
  match(path: string, identity: string | undefined): FaultRule | undefined {
    let hit: Installed | undefined;
    for (const inst of this.installed) {
      const { rule } = inst;
      const route = normaliseRoute(rule.route);
      if (route !== '*' && route !== path) continue;
      if (rule.identity !== undefined && rule.identity !== identity) continue;
      inst.seen++;
      if (hit) continue;
      let fires = true;
      if (rule.nth !== undefined) fires = Array.isArray(rule.nth) ? rule.nth.includes(inst.seen) : inst.seen === rule.nth;
      if (fires && rule.every !== undefined) fires = inst.seen % rule.every === 0;
      if (fires && rule.after !== undefined) fires = inst.seen > rule.after;
      if (fires && rule.times !== undefined) fires = inst.fired < rule.times;
      if (fires && rule.probability !== undefined) fires = this.rng() < rule.probability;
      if (fires) hit = inst;
    }
    if (!hit) return undefined;
    hit.fired++;
    this.totalFired++;
    this.firedByKind[hit.rule.kind] = (this.firedByKind[hit.rule.kind] ?? 0) + 1;
    const entry: FiredFault = { route: path, kind: hit.rule.kind, n: hit.seen, time: this.now() };
    if (hit.rule.name !== undefined) entry.name = hit.rule.name;
    this.firedLog.push(entry);
    if (this.firedLog.length > 10_000) this.firedLog.splice(0, 1000);
    return hit.rule;
  }
}

function validateRule(r: FaultRule): void {
  if (!r || typeof r !== 'object') throw new Error('a fault rule must be an object');
  if (typeof r.route !== 'string' || r.route === '') throw new Error('fault rule: route is required');
  if (!FAULT_KINDS.includes(r.kind)) throw new Error(`fault rule: unknown kind ${String(r.kind)} (one of ${FAULT_KINDS.join(', ')})`);
  if (r.probability !== undefined && (r.probability < 0 || r.probability > 1)) throw new Error('fault rule: probability must be within 0..1');
}

// ---------------------------------------------------------------------------------------------
// Responses

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

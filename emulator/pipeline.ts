/**
 * How the emulator answers one /api request: the proxy's limit (proxy mode), route lookup, latency,
 * request hooks, faults, then
 * query validation → authentication → permissions → rate limiter → handler (the order of the
 * newest server code, docs/rocketchat-api-notes.md#authentication-and-permissions), and the
 * request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Dataset } from './data/dataset.js';
import { applyFault } from './fault-responses.js';
import type { FaultInjector } from './faults.js';
import { acceptsGzip, sendJson } from './http-util.js';
import type { Identity, IdentityName } from './identities.js';
import { sendProxy429, type ProxyLimiter } from './proxy.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestLog } from './request-log.js';
import {
  checkPermissions, checkRouteQuery, isResult, normaliseRoute, paginationItems, type ApiResult, type ApiSettings, type RouteDef,
} from './routes/common.js';
import { err } from './routes/errors.js';
import { ROUTE_BY_PATH } from './routes/registry.js';
import type { Emulator, RequestHook, RequestLogEntry } from './types.js';

export interface PipelineParts {
  dataset: Dataset;
  limiter: RateLimiter;
  /** Proxy mode: a rate-limiting proxy in front of the server. */
  proxy: ProxyLimiter | undefined;
  faults: FaultInjector;
  api: ApiSettings;
  requestLog: RequestLog;
  now: () => number;
  log: (line: string) => void;
  latencyMs: number;
  gzip: boolean;
  /** The emulator the request hooks get. */
  emulator: Emulator;
}

interface Hook {
  route: string;
  n: number | 'every';
  seen: number;
  fn: RequestHook;
  done: boolean;
}

type Answer = { result: ApiResult; headers: Record<string, string> };

export class RequestPipeline {
  latencyMs: number;
  readonly revoked = new Set<IdentityName>();
  private readonly routeCounts = new Map<string, number>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly held = new Set<Socket>();
  private hooks: Hook[] = [];
  private closed = false;

  constructor(private readonly p: PipelineParts) {
    this.latencyMs = p.latencyMs;
  }

  onRequest(route: string, n: number | 'every', fn: RequestHook): () => void {
    const hook: Hook = { route: normaliseRoute(route), n, seen: 0, fn, done: false };
    this.hooks.push(hook);
    return () => { this.hooks = this.hooks.filter((h) => h !== hook); };
  }

  /** Ends every pending wait and drops every connection a fault holds open. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) { clearTimeout(t.timer); t.resolve(); }
    this.timers.clear();
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const arrived = this.p.now();
    const path = url.pathname;
    const route = ROUTE_BY_PATH.get(path);
    const n = (this.routeCounts.get(path) ?? 0) + 1;
    if (route) this.routeCounts.set(path, n);
    const identity = this.authenticate(req);
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), status: 0,
      identity: identity?.name ?? null, time: arrived, durationMs: 0, n: route ? n : 0,
    };
    const finish = (status: number, extra: Partial<RequestLogEntry> = {}) => {
      Object.assign(entry, extra);
      entry.status = status;
      entry.durationMs = this.p.now() - arrived;
      this.p.requestLog.record(entry, route !== undefined);
    };
    const proxyWait = this.p.proxy?.check(path, req.socket.remoteAddress ?? '');
    if (proxyWait !== undefined) {
      sendProxy429(res, proxyWait);
      finish(429, { proxy: true });
      return;
    }
    if (!route || req.method !== 'GET') {
      const r = err.notFound();
      await sendJson(res, r.status, r.body);
      finish(r.status);
      return;
    }
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.closed) return;
    await this.runHooks(path, url.searchParams, identity?.name ?? null);
    if (!(await this.fault(req, res, route, entry, finish))) return;
    const { result, headers } = this.answer(route, identity, url.searchParams, req.socket.remoteAddress ?? '');
    await sendJson(res, result.status, result.body, headers, this.p.gzip && acceptsGzip(req));
    const remaining = headers['X-RateLimit-Remaining'];
    finish(result.status, remaining === undefined ? {} : { rateLimitRemaining: Number(remaining) });
  }

  /** Applies the first fault that fires; false when the fault has answered (or the emulator closed). */
  private async fault(
    req: IncomingMessage, res: ServerResponse, route: RouteDef, entry: RequestLogEntry,
    finish: (status: number, extra?: Partial<RequestLogEntry>) => void,
  ): Promise<boolean> {
    const fault = this.p.faults.match(entry.path, entry.identity ?? undefined);
    if (!fault) return true;
    this.p.log(`emulator: fault ${fault.kind} on ${entry.path} #${entry.n}`);
    const outcome = await applyFault(fault, req, res, {
      now: this.p.now,
      recordsKey: route.recordsKey,
      sleep: (ms) => this.sleep(ms),
      hold: (s) => { this.held.add(s); s.once('close', () => this.held.delete(s)); },
    });
    if (outcome !== 'continue') {
      if (outcome === 429) this.p.requestLog.fault429s++;
      finish(outcome, { fault: fault.kind });
      return false;
    }
    entry.fault = fault.kind;
    return !this.closed;
  }

  /** Query validation → authentication → permissions → rate limiter → handler (newest server code). */
  private answer(route: RouteDef, identity: Identity | undefined, query: URLSearchParams, ip: string): Answer {
    const coerced = checkRouteQuery(route, query);
    if (isResult(coerced)) return { result: coerced, headers: {} };
    if (route.auth && !identity) return { result: err.unauthorized(), headers: {} };
    if (route.auth && identity) {
      const denied = checkPermissions(route, identity);
      if (denied) return { result: denied, headers: {} };
    }
    let headers: Record<string, string> = {};
    const { limiter, api } = this.p;
    if (route.rateLimited && identity && !identity.bypassRateLimit && limiter.enabled) {
      const d = limiter.hit(route.path, 'GET', ip, identity.userId);
      headers = d.headers;
      if (!d.allowed) return { result: err.tooManyRequests(d.waitSeconds), headers };
    }
    const result = route.handle({
      ds: this.p.dataset, identity, query, settings: api, baseUrl: this.p.emulator.url, page: paginationItems(query, api, coerced),
    });
    return { result, headers };
  }

  /** The identity whose user id and token both match, or undefined. */
  private authenticate(req: IncomingMessage): Identity | undefined {
    const uid = req.headers['x-user-id'];
    const token = req.headers['x-auth-token'];
    if (typeof uid !== 'string' || typeof token !== 'string' || uid === '' || token === '') return undefined;
    const identity = this.p.dataset.identityByUserId(uid);
    if (!identity || identity.token !== token || this.revoked.has(identity.name)) return undefined;
    return identity;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => { this.timers.delete(entry); resolve(); }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private async runHooks(path: string, query: URLSearchParams, identity: IdentityName | null): Promise<void> {
    for (const h of this.hooks.slice()) {
      if (h.done || (h.route !== '*' && h.route !== path)) continue;
      h.seen++;
      if (h.n === 'every' || h.n === h.seen) {
        if (h.n !== 'every') h.done = true;
        await h.fn({ route: path, n: h.seen, query, identity }, this.p.emulator);
      }
    }
    this.hooks = this.hooks.filter((h) => !h.done);
  }
}

/**
 * The Rocket.Chat 8.x API emulator: a node:http server on 127.0.0.1 (port 0 by default) serving
 * the endpoints behind the tap's streams from a deterministic Dataset, with Rocket.Chat's
 * authentication, validation, permission, rate-limit and error behaviour, scriptable faults,
 * latency, mutations, and control routes under /_emulator/ (no auth, never under /api/).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Dataset, type DatasetSizes } from './data.js';
import {
  DEFAULT_API_SETTINGS, ExpectedError, ROUTE_BY_PATH, ROUTE_BY_STREAM, checkPermissions, err, expectedRead,
  paginationItems, validateRouteQuery, type ApiResult, type ApiSettings, type ExpectedOptions, type ExpectedResult,
  type Body, type RouteDef, type StreamName,
} from './endpoints.js';
import { FaultInjector, applyFault, type FaultKind, type FaultRule } from './faults.js';
import { sendJson } from './http-util.js';
import { IDENTITY_NAMES, type Identity, type IdentityName } from './identities.js';
import type { Doc } from './mongo.js';
import { mutate, type MutationResult, type MutationSpec } from './mutations.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { EXTRA_ROUTE_BY_PATH, validateExtraQuery, workspaceControl } from './workspace/index.js';

export type { FaultRule, FaultKind } from './faults.js';
export type { MutationSpec, MutationResult } from './mutations.js';
export type { RateLimitOptions } from './rate-limiter.js';
export type { DatasetSizes } from './data.js';
export type { IdentityName } from './identities.js';
export type { StreamName, ExpectedOptions, ApiSettings } from './endpoints.js';

export interface EmulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Dataset sizes and seed (defaults: DEFAULT_SIZES). */
  data?: Partial<DatasetSizes>;
  /** Shortcut for data.seed. */
  seed?: number;
  /** `false` disables the limiter. Default: 10 calls per 60000 ms per route and client IP. */
  rateLimit?: false | RateLimitOptions;
  /** Fixed delay added to every /api request, in ms. Default 0. */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Seed of the PRNG behind probabilistic faults. Default: the data seed. */
  faultSeed?: number;
  /** Clock for the rate limiter, mutation stamps and logs. Default Date.now. */
  now?: () => number;
  /** API_Default_Count, API_Upper_Count_Limit, API_Allow_Infinite_Count, server version. */
  api?: Partial<ApiSettings>;
  /** Maximum number of entries kept in `requests` (oldest dropped). Default 100000. */
  requestLogLimit?: number;
  /** Where to log one line per event (e.g. a stderr writer). Default: silent. */
  log?: (line: string) => void;
  /** Also log one line per /api request through `log`. Default false. */
  logRequests?: boolean;
  /** `false`: Omnichannel disabled (every livechat/omnichannel route answers error-omnichannel-is-disabled). Default true. */
  omnichannel?: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status sent; 0 when the connection was cut or left hanging by a fault. */
  status: number;
  /** The identity the credentials resolved to, or null. */
  identity: IdentityName | null;
  /** Clock time when the request arrived (ms). */
  time: number;
  durationMs: number;
  /** Per-route sequence number (1-based, since start). */
  n: number;
  fault?: FaultKind;
  /** X-RateLimit-Remaining sent, if any. */
  rateLimitRemaining?: number;
}

export interface RouteStats {
  requests: number;
  statuses: Record<string, number>;
}

export interface EmulatorStats {
  startedAt: string;
  requests: number;
  byRoute: Record<string, RouteStats>;
  byIdentity: Record<string, number>;
  /** 429s sent by the emulated rate limiter. */
  rateLimited: number;
  /** 429s sent by faults. */
  fault429s: number;
  faultsFired: number;
  faultsByKind: Partial<Record<FaultKind, number>>;
  latencyMs: number;
  rateLimit: { enabled: boolean; calls: number; windowMs: number; perUser: boolean };
  dataVersion: number;
  lastStamp: string;
  counts: { users: number; rooms: number; subscriptions: number; teams: number; roles: number; roomTrash: number; subscriptionTrash: number };
}

export interface PublicIdentityInfo {
  userId: string;
  token: string;
  username: string;
  description: string;
}

export interface RequestHookInfo {
  route: string;
  /** The hook's own count of matching requests (1-based). */
  n: number;
  query: URLSearchParams;
  identity: IdentityName | null;
}

export type RequestHook = (info: RequestHookInfo, emulator: Emulator) => void | Promise<void>;

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly identities: Readonly<Record<IdentityName, PublicIdentityInfo>>;
  readonly dataset: Dataset;
  /** Log of /api requests (control routes excluded), oldest first. */
  readonly requests: RequestLogEntry[];
  /** Records a complete read of `stream` by `identity` (default admin) returns now, exactly as served. */
  expected(stream: StreamName, identity?: IdentityName, opts?: ExpectedOptions): Doc[];
  /** rooms/subscriptions: the `remove` list of a read with `updatedSince`. */
  expectedRemove(stream: 'rooms' | 'subscriptions', identity: IdentityName, updatedSince: string): Doc[];
  /** Both at once. */
  expectedResult(stream: StreamName, identity?: IdentityName, opts?: ExpectedOptions): ExpectedResult;
  stats(): EmulatorStats;
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  listFaults(): Array<FaultRule & { seen: number; fired: number }>;
  setLatency(ms: number): void;
  /** `false` disables the limiter; an object reconfigures it. Counters restart either way. */
  setRateLimit(opts: RateLimitOptions | false): void;
  resetRateLimit(): void;
  mutate(spec: MutationSpec): MutationResult;
  /**
   * Runs `fn` before the `n`-th request to `route` ('users.list', '/api/v1/users.list' or '*')
   * counted from now, or before every one with 'every'. Returns a function removing the hook.
   */
  onRequest(route: string, n: number | 'every', fn: RequestHook): () => void;
  /** Makes an identity's token invalid (401) until restoreToken. */
  revokeToken(identity: IdentityName): void;
  restoreToken(identity: IdentityName): void;
  clearRequests(): void;
  close(): Promise<void>;
}

function normaliseRoute(route: string): string {
  if (route === '*' || route.startsWith('/')) return route;
  return route === 'info' ? '/api/info' : `/api/v1/${route}`;
}

interface Hook {
  route: string;
  n: number | 'every';
  seen: number;
  fn: RequestHook;
  done: boolean;
}

class EmulatorImpl implements Emulator {
  url = '';
  port = 0;
  readonly identities: Record<IdentityName, PublicIdentityInfo>;
  readonly dataset: Dataset;
  readonly requests: RequestLogEntry[] = [];
  private readonly server: Server;
  private readonly limiter: RateLimiter;
  private readonly faults: FaultInjector;
  private readonly api: ApiSettings;
  private latencyMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly logLimit: number;
  private readonly logRequests: boolean;
  private readonly routeCounts = new Map<string, number>();
  private readonly routeStats = new Map<string, RouteStats>();
  private readonly identityCounts = new Map<string, number>();
  private readonly revoked = new Set<IdentityName>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly held = new Set<Socket>();
  private hooks: Hook[] = [];
  private total = 0;
  private fault429s = 0;
  private readonly startedAt: number;
  private closed = false;

  constructor(opts: EmulatorOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.log = opts.log ?? (() => {});
    this.logLimit = opts.requestLogLimit ?? 100_000;
    this.logRequests = opts.logRequests ?? false;
    const sizes = { ...(opts.data ?? {}) };
    if (opts.seed !== undefined) sizes.seed = opts.seed;
    this.dataset = new Dataset(sizes, this.now);
    this.dataset.omnichannel.enabled = opts.omnichannel !== false;
    this.api = { ...DEFAULT_API_SETTINGS, ...(opts.api ?? {}) };
    this.latencyMs = opts.latencyMs ?? 0;
    this.limiter = new RateLimiter(opts.rateLimit === false ? { enabled: false } : (opts.rateLimit ?? {}), this.now);
    this.faults = new FaultInjector(opts.faults ?? [], opts.faultSeed ?? this.dataset.seed, this.now);
    const ids = {} as Record<IdentityName, PublicIdentityInfo>;
    for (const n of IDENTITY_NAMES) {
      const i = this.dataset.identities[n];
      ids[n] = { userId: i.userId, token: i.token, username: i.username, description: i.description };
    }
    this.identities = ids;
    this.server = createServer({ keepAlive: true, keepAliveTimeout: 5000 }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.log(`emulator: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        if (!res.headersSent && !res.destroyed) {
          const r = err.internal();
          void sendJson(res, r.status, r.body);
        } else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('emulator: unexpected server address');
    this.port = addr.port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  // ------------------------------------------------------------------------------------------
  // Public API

  expectedResult(stream: StreamName, identity: IdentityName = 'admin', opts: ExpectedOptions = {}): ExpectedResult {
    return expectedRead(this.dataset, stream, this.identityObject(identity), opts, this.url);
  }

  expected(stream: StreamName, identity: IdentityName = 'admin', opts: ExpectedOptions = {}): Doc[] {
    return this.expectedResult(stream, identity, opts).records;
  }

  expectedRemove(stream: 'rooms' | 'subscriptions', identity: IdentityName, updatedSince: string): Doc[] {
    return this.expectedResult(stream, identity, { updatedSince }).remove ?? [];
  }

  stats(): EmulatorStats {
    const ds = this.dataset;
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      requests: this.total,
      byRoute: Object.fromEntries([...this.routeStats].map(([k, v]) => [k, { requests: v.requests, statuses: { ...v.statuses } }])),
      byIdentity: Object.fromEntries(this.identityCounts),
      rateLimited: this.limiter.rejected,
      fault429s: this.fault429s,
      faultsFired: this.faults.totalFired,
      faultsByKind: { ...this.faults.firedByKind },
      latencyMs: this.latencyMs,
      rateLimit: { enabled: this.limiter.enabled, calls: this.limiter.calls, windowMs: this.limiter.windowMs, perUser: this.limiter.perUser },
      dataVersion: ds.version,
      lastStamp: ds.lastStamp,
      counts: {
        users: ds.users.size, rooms: ds.rooms.length, subscriptions: ds.subscriptions.length, teams: ds.teams.length,
        roles: ds.roles.length, roomTrash: ds.roomTrash.length, subscriptionTrash: ds.subscriptionTrash.length,
      },
    };
  }

  setFaults(rules: FaultRule[]): void { this.faults.set(rules); }
  addFault(rule: FaultRule): void { this.faults.add(rule); }
  clearFaults(): void { this.faults.clear(); }
  listFaults(): Array<FaultRule & { seen: number; fired: number }> { return this.faults.list(); }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of ms');
    this.latencyMs = ms;
  }

  setRateLimit(opts: RateLimitOptions | false): void {
    this.limiter.configure(opts === false ? { enabled: false } : { enabled: true, ...opts });
  }

  resetRateLimit(): void { this.limiter.reset(); }

  mutate(spec: MutationSpec): MutationResult {
    const r = mutate(this.dataset, spec);
    this.log(`emulator: mutate ${JSON.stringify(spec)} -> ${JSON.stringify(summary(r))}`);
    return r;
  }

  onRequest(route: string, n: number | 'every', fn: RequestHook): () => void {
    const hook: Hook = { route: normaliseRoute(route), n, seen: 0, fn, done: false };
    this.hooks.push(hook);
    return () => { this.hooks = this.hooks.filter((h) => h !== hook); };
  }

  revokeToken(identity: IdentityName): void { this.revoked.add(identity); }
  restoreToken(identity: IdentityName): void { this.revoked.delete(identity); }

  clearRequests(): void { this.requests.length = 0; }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) { clearTimeout(t.timer); t.resolve(); }
    this.timers.clear();
    for (const s of this.held) s.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------------------------------
  // Request handling

  private identityObject(name: IdentityName): Identity {
    const i = this.dataset.identities[name];
    if (!i) throw new Error(`unknown identity ${String(name)}`);
    return i;
  }

  /** The identity whose user id and token both match, or undefined. */
  private authenticate(req: IncomingMessage): Identity | undefined {
    const uid = req.headers['x-user-id'];
    const token = req.headers['x-auth-token'];
    if (typeof uid !== 'string' || typeof token !== 'string' || uid === '' || token === '') return undefined;
    const identity = this.dataset.identityByUserId(uid);
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = this.now();
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const path = url.pathname;
    if (path === '/_emulator' || path.startsWith('/_emulator/')) {
      await this.control(req, res, url);
      return;
    }
    const route = ROUTE_BY_PATH.get(path) ?? EXTRA_ROUTE_BY_PATH.get(path);
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
      entry.durationMs = this.now() - arrived;
      this.record(entry, route !== undefined);
    };

    if (!route || req.method !== 'GET') {
      const r = err.notFound();
      await sendJson(res, r.status, r.body);
      finish(r.status);
      return;
    }

    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.closed) return;
    await this.runHooks(path, url.searchParams, identity?.name ?? null);

    const fault = this.faults.match(path, identity?.name);
    if (fault) {
      this.log(`emulator: fault ${fault.kind} on ${path} #${n}`);
      const outcome = await applyFault(fault, req, res, {
        now: this.now,
        recordsKey: route.recordsKey,
        sleep: (ms) => this.sleep(ms),
        hold: (s) => { this.held.add(s); s.once('close', () => this.held.delete(s)); },
      });
      if (outcome !== 'continue') {
        if (outcome === 429) this.fault429s++;
        finish(outcome, { fault: fault.kind });
        return;
      }
      entry.fault = fault.kind;
      if (this.closed) return;
    }

    const { result, headers } = this.process(route, identity, url.searchParams, req.socket.remoteAddress ?? '');
    await sendJson(res, result.status, result.body, headers);
    const remaining = headers['X-RateLimit-Remaining'];
    finish(result.status, remaining === undefined ? {} : { rateLimitRemaining: Number(remaining) });
  }

  /** Query validation → authentication → permissions → rate limiter → handler (newest server code). */
  private process(
    route: RouteDef, identity: Identity | undefined, query: URLSearchParams, ip: string,
  ): { result: ApiResult; headers: Record<string, string> } {
    const invalid = validateRouteQuery(route, query) ?? validateExtraQuery(route, query);
    if (invalid) return { result: invalid, headers: {} };
    if (route.auth && !identity) return { result: err.unauthorized(), headers: {} };
    if (route.auth && identity) {
      const denied = checkPermissions(route, identity);
      if (denied) return { result: denied, headers: {} };
    }
    let headers: Record<string, string> = {};
    if (route.rateLimited && identity && !identity.bypassRateLimit && this.limiter.enabled) {
      const d = this.limiter.hit(route.path, 'GET', ip, identity.userId);
      headers = d.headers;
      if (!d.allowed) return { result: err.tooManyRequests(d.waitSeconds), headers };
    }
    const result = route.handle({
      ds: this.dataset, identity, query, settings: this.api, baseUrl: this.url, page: paginationItems(query, this.api),
    });
    return { result, headers };
  }

  private async runHooks(path: string, query: URLSearchParams, identity: IdentityName | null): Promise<void> {
    for (const h of this.hooks.slice()) {
      if (h.done || (h.route !== '*' && h.route !== path)) continue;
      h.seen++;
      if (h.n === 'every' || h.n === h.seen) {
        if (h.n !== 'every') h.done = true;
        await h.fn({ route: path, n: h.seen, query, identity }, this);
      }
    }
    this.hooks = this.hooks.filter((h) => !h.done);
  }

  private record(entry: RequestLogEntry, known: boolean): void {
    this.total++;
    const key = known ? entry.path : '(unknown)';
    let s = this.routeStats.get(key);
    if (!s) { s = { requests: 0, statuses: {} }; this.routeStats.set(key, s); }
    s.requests++;
    s.statuses[String(entry.status)] = (s.statuses[String(entry.status)] ?? 0) + 1;
    const who = entry.identity ?? '(none)';
    this.identityCounts.set(who, (this.identityCounts.get(who) ?? 0) + 1);
    this.requests.push(entry);
    if (this.logRequests) {
      const q = new URLSearchParams(entry.query).toString();
      this.log(`emulator: ${entry.method} ${entry.path}${q ? `?${q}` : ''} ${entry.status} ${entry.identity ?? '-'} ${entry.durationMs}ms${entry.fault ? ` fault=${entry.fault}` : ''}`);
    }
    if (this.requests.length > this.logLimit) this.requests.splice(0, this.requests.length - this.logLimit);
  }

  // ------------------------------------------------------------------------------------------
  // Control routes

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const ok = (body: unknown) => sendJson(res, 200, body as Record<string, never>);
    const bad = (status: number, message: string) => sendJson(res, status, { success: false, error: message });
    try {
      if (method === 'GET' && path === '/_emulator/stats') return await ok(this.stats());
      if (method === 'GET' && path === '/_emulator/identities') return await ok({ identities: this.identities });
      if (method === 'GET' && path === '/_emulator/expected') return await this.controlExpected(url, res);
      if (method === 'GET' && path === '/_emulator/requests') {
        const limit = Number(url.searchParams.get('limit') ?? '1000');
        return await ok({ requests: this.requests.slice(-Math.max(0, limit)) });
      }
      if (method === 'POST' && path === '/_emulator/requests/clear') { this.clearRequests(); return await ok({ success: true }); }
      if (method === 'GET' && path === '/_emulator/faults') return await ok({ faults: this.listFaults() });
      if (method === 'POST' && path === '/_emulator/faults') {
        const body = await readJson(req);
        const rules = Array.isArray(body) ? body : (body as { faults?: unknown }).faults;
        if (!Array.isArray(rules)) return await bad(400, 'expected a JSON array of fault rules or {"faults": [...]}');
        this.setFaults(rules as FaultRule[]);
        return await ok({ faults: this.listFaults() });
      }
      if (method === 'POST' && path === '/_emulator/mutate') {
        const body = await readJson(req);
        return await ok(this.mutate(body as MutationSpec));
      }
      if (method === 'POST' && path === '/_emulator/latency') {
        const body = (await readJson(req)) as { ms?: unknown };
        this.setLatency(Number(body.ms));
        return await ok({ latencyMs: this.latencyMs });
      }
      if (method === 'POST' && path === '/_emulator/rate-limit') {
        const body = (await readJson(req)) as RateLimitOptions & { reset?: boolean };
        if (body.enabled === false) this.setRateLimit(false);
        else if (body.reset && body.calls === undefined && body.windowMs === undefined && body.enabled === undefined) this.resetRateLimit();
        else this.setRateLimit(body);
        return await ok(this.stats().rateLimit);
      }
      if (method === 'POST' && (path === '/_emulator/revoke' || path === '/_emulator/restore')) {
        const body = (await readJson(req)) as { identity?: IdentityName };
        if (!body.identity || !IDENTITY_NAMES.includes(body.identity)) return await bad(400, `identity must be one of ${IDENTITY_NAMES.join(', ')}`);
        if (path.endsWith('revoke')) this.revokeToken(body.identity); else this.restoreToken(body.identity);
        return await ok({ success: true });
      }
      const extra = await workspaceControl(this.dataset, method, path, url.searchParams, () => readJson(req));
      if (extra) return await sendJson(res, extra.status, extra.body as Record<string, never>);
      return await bad(404, `unknown control route ${method} ${path}`);
    } catch (e) {
      return await bad(400, e instanceof Error ? e.message : String(e));
    }
  }

  private async controlExpected(url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams;
    const stream = q.get('stream') as StreamName | null;
    if (!stream) {
      await sendJson(res, 200, {
        streams: [...ROUTE_BY_STREAM.keys()], identities: [...IDENTITY_NAMES],
        usage: '/_emulator/expected?stream=users|teams|rooms|channels|roles|subscriptions|all&identity=admin[&updatedSince=ISO][&sort={"_id":1}]',
      });
      return;
    }
    if (stream === ('all' as StreamName)) {
      const identity = (q.get('identity') ?? 'admin') as IdentityName;
      if (!IDENTITY_NAMES.includes(identity)) {
        await sendJson(res, 400, { success: false, error: `unknown identity ${identity}` });
        return;
      }
      const out: Body = { identity };
      for (const name of ROUTE_BY_STREAM.keys()) {
        try {
          const r = this.expectedResult(name, identity);
          out[name] = r.remove ? { records: r.records, remove: r.remove } : { records: r.records };
        } catch (e) {
          if (!(e instanceof ExpectedError)) throw e;
          out[name] = { records: [], error: e.result.body as Doc, status: e.result.status };
        }
      }
      await sendJson(res, 200, out);
      return;
    }
    if (!ROUTE_BY_STREAM.has(stream)) {
      await sendJson(res, 400, { success: false, error: `unknown stream ${stream}` });
      return;
    }
    const identity = (q.get('identity') ?? 'admin') as IdentityName;
    if (!IDENTITY_NAMES.includes(identity)) {
      await sendJson(res, 400, { success: false, error: `unknown identity ${identity}` });
      return;
    }
    const opts: ExpectedOptions = {};
    const since = q.get('updatedSince');
    if (since !== null) opts.updatedSince = since;
    const sort = q.get('sort');
    if (sort !== null) opts.sort = sort;
    try {
      const r = this.expectedResult(stream, identity, opts);
      const body: Body = { stream, identity, count: r.records.length, records: r.records };
      if (r.remove) body.remove = r.remove;
      await sendJson(res, 200, body);
    } catch (e) {
      if (e instanceof ExpectedError) {
        await sendJson(res, 200, { stream, identity, count: 0, records: [], error: e.result.body as Doc, status: e.result.status });
      } else throw e;
    }
  }
}

function summary(r: MutationResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['rooms', 'subscriptions', 'users', 'teams', 'roles'] as const) {
    for (const op of ['updated', 'inserted', 'deleted'] as const) if (r[k][op].length) out[`${k}.${op}`] = r[k][op].length;
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
}

/** Starts an emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = new EmulatorImpl(options);
  await emu.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emu;
}

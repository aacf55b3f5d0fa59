/**
 * The Rocket.Chat 8.x API emulator: a node:http server on 127.0.0.1 (port 0 by default) serving
 * the routes of routes/registry.ts from a deterministic Dataset, with Rocket.Chat's
 * authentication, validation, permission, rate-limit and error behaviour (pipeline.ts),
 * scriptable faults, latency, mutations, and control routes under /_emulator/ (control-routes.ts).
 * This file is the programmatic API: `startEmulator` and the `Emulator` it returns.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleControl } from './control-routes.js';
import { Dataset } from './data/dataset.js';
import { expectedRead, type ExpectedOptions, type ExpectedResult } from './expected.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { sendJson } from './http-util.js';
import { IDENTITY_NAMES, type Identity, type IdentityName } from './identities.js';
import type { Doc } from './mongo.js';
import { mutate, type MutationResult, type MutationSpec } from './mutations/mutate.js';
import { storeOf } from './omnichannel/store.js';
import { expectedMessages, type ExpectedMessages, type ExpectedMessagesOptions } from './messages/expected.js';
import { applyOddValues } from './odd-values.js';
import { RequestPipeline } from './pipeline.js';
import { ProxyLimiter } from './proxy.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { RequestLog } from './request-log.js';
import { DEFAULT_API_SETTINGS, type StreamName } from './routes/common.js';
import { err } from './routes/errors.js';
import type { Emulator, EmulatorOptions, EmulatorStats, PublicIdentityInfo, RequestHook, RequestLogEntry } from './types.js';

export type {
  Emulator, EmulatorOptions, EmulatorStats, PublicIdentityInfo, RequestHook, RequestHookInfo, RequestLogEntry, RouteStats,
} from './types.js';
export type { FaultRule, FaultKind } from './faults.js';
export type { MutationSpec, MutationResult } from './mutations/mutate.js';
export type { RateLimitOptions } from './rate-limiter.js';
export type { ProxyOptions } from './proxy.js';
export type { DatasetSizes } from './data/dataset.js';
export type { IdentityName } from './identities.js';
export type { StreamName, ApiSettings } from './routes/common.js';
export type { ExpectedOptions } from './expected.js';
export type { ExpectedMessages, ExpectedMessagesOptions } from './messages/expected.js';

class EmulatorImpl implements Emulator {
  url = '';
  port = 0;
  readonly identities: Record<IdentityName, PublicIdentityInfo>;
  readonly dataset: Dataset;
  private readonly server: Server;
  private readonly limiter: RateLimiter;
  private readonly proxy: ProxyLimiter | undefined;
  private readonly faults: FaultInjector;
  private readonly log: (line: string) => void;
  private readonly requestLog: RequestLog;
  private readonly pipeline: RequestPipeline;
  private readonly startedAt: number;
  private closed = false;

  constructor(opts: EmulatorOptions) {
    const now = opts.now ?? Date.now;
    this.startedAt = now();
    this.log = opts.log ?? (() => {});
    this.requestLog = new RequestLog(opts.requestLogLimit ?? 100_000, opts.logRequests ? this.log : undefined);
    const sizes = { ...(opts.data ?? {}) };
    if (opts.seed !== undefined) sizes.seed = opts.seed;
    this.dataset = new Dataset(sizes, now);
    storeOf(this.dataset).enabled = opts.omnichannel !== false;
    if (opts.oddValues) applyOddValues(this.dataset);
    this.limiter = new RateLimiter(opts.rateLimit === false ? { enabled: false } : (opts.rateLimit ?? {}), now);
    this.proxy = opts.proxy ? new ProxyLimiter(opts.proxy, now) : undefined;
    this.faults = new FaultInjector(opts.faults ?? [], opts.faultSeed ?? this.dataset.seed, now);
    this.pipeline = new RequestPipeline({
      dataset: this.dataset, limiter: this.limiter, proxy: this.proxy, faults: this.faults, api: { ...DEFAULT_API_SETTINGS, ...(opts.api ?? {}) },
      requestLog: this.requestLog, now, log: this.log, latencyMs: opts.latencyMs ?? 0, gzip: opts.gzip ?? false, emulator: this,
    });
    const ids = {} as Record<IdentityName, PublicIdentityInfo>;
    for (const n of IDENTITY_NAMES) {
      const i = this.dataset.identities[n];
      ids[n] = { userId: i.userId, token: i.token, username: i.username, description: i.description };
    }
    this.identities = ids;
    this.server = createServer({ keepAlive: true, keepAliveTimeout: 5000 }, (req, res) => {
      this.dispatch(req, res).catch((e: unknown) => {
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

  /** Control routes under /_emulator, everything else through the request pipeline. */
  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const path = url.pathname;
    if (path === '/_emulator' || path.startsWith('/_emulator/')) await handleControl(this, req, res, url);
    else await this.pipeline.handle(req, res, url);
  }

  get requests(): RequestLogEntry[] {
    return this.requestLog.entries;
  }

  expectedResult(stream: StreamName, identity: IdentityName = 'admin', opts: ExpectedOptions = {}): ExpectedResult {
    return expectedRead(this.dataset, stream, this.identityObject(identity), opts, this.url);
  }

  expected(stream: StreamName, identity: IdentityName = 'admin', opts: ExpectedOptions = {}): Doc[] {
    return this.expectedResult(stream, identity, opts).records;
  }

  expectedMessages(identity: IdentityName = 'admin', opts: ExpectedMessagesOptions = {}): ExpectedMessages {
    return expectedMessages(this.dataset, this.identityObject(identity), opts);
  }

  expectedRemove(stream: 'rooms' | 'subscriptions' | 'messages', identity: IdentityName, updatedSince: string): Doc[] {
    return this.expectedResult(stream, identity, { updatedSince }).remove ?? [];
  }

  stats(): EmulatorStats {
    const ds = this.dataset;
    const log = this.requestLog;
    const limiter = this.limiter;
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      requests: log.total,
      byRoute: log.byRoute(),
      byIdentity: Object.fromEntries(log.identityCounts),
      rateLimited: limiter.rejected,
      fault429s: log.fault429s,
      proxyRateLimited: this.proxy?.rejected ?? 0,
      faultsFired: this.faults.totalFired,
      faultsByKind: { ...this.faults.firedByKind },
      latencyMs: this.pipeline.latencyMs,
      rateLimit: { enabled: limiter.enabled, calls: limiter.calls, windowMs: limiter.windowMs, perUser: limiter.perUser },
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
    this.pipeline.latencyMs = ms;
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
    return this.pipeline.onRequest(route, n, fn);
  }

  revokeToken(identity: IdentityName): void { this.pipeline.revoked.add(identity); }
  restoreToken(identity: IdentityName): void { this.pipeline.revoked.delete(identity); }

  clearRequests(): void { this.requestLog.entries.length = 0; }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pipeline.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private identityObject(name: IdentityName): Identity {
    const i = this.dataset.identities[name];
    if (!i) throw new Error(`unknown identity ${String(name)}`);
    return i;
  }
}

function summary(r: MutationResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['rooms', 'subscriptions', 'users', 'teams', 'roles'] as const) {
    for (const op of ['updated', 'inserted', 'deleted'] as const) if (r[k][op].length) out[`${k}.${op}`] = r[k][op].length;
  }
  return out;
}

/** Starts an emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = new EmulatorImpl(options);
  await emu.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emu;
}

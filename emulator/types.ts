/** The emulator's public types: its options, its programmatic API, its request log and stats. */
import type { Dataset, DatasetSizes } from './data/dataset.js';
import type { ExpectedOptions, ExpectedResult } from './expected.js';
import type { ExpectedMessages, ExpectedMessagesOptions } from './messages/expected.js';
import type { FaultKind, FaultRule } from './faults.js';
import type { IdentityName } from './identities.js';
import type { Doc } from './mongo.js';
import type { MutationResult, MutationSpec } from './mutations/mutate.js';
import type { ProxyOptions } from './proxy.js';
import type { RateLimitOptions } from './rate-limiter.js';
import type { ApiSettings, StreamName } from './routes/common.js';

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
  /**
   * Proxy mode: a rate-limiting proxy in front of the server that limits every caller on every
   * /api path and answers an HTML 429 with Retry-After and no X-RateLimit-* headers. Default off.
   */
  proxy?: ProxyOptions;
  /** Fixed delay added to every /api request, in ms. Default 0. */
  latencyMs?: number;
  /**
   * Gzip JSON bodies of 1 KB or more for clients that send Accept-Encoding: gzip, as a reverse
   * proxy with gzip on (or compression middleware) does. Default off.
   */
  gzip?: boolean;
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
  /** Give union-typed fields every JSON shape (emulator/odd-values.ts). Default false. */
  oddValues?: boolean;
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
  /** Answered 429 by the proxy (proxy mode); the server never saw it. */
  proxy?: boolean;
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
  /** 429s sent by the proxy (proxy mode). */
  proxyRateLimited: number;
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
  /** Messages and tombstones `identity` reads per room (chat.syncMessages rules). */
  expectedMessages(identity?: IdentityName, opts?: ExpectedMessagesOptions): ExpectedMessages;
  /** rooms/subscriptions: the `remove` list of a read with `updatedSince`. */
  expectedRemove(stream: 'rooms' | 'subscriptions' | 'messages', identity: IdentityName, updatedSince: string): Doc[];
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

import type { TapSettings } from './config.js';
import type { StreamDef } from './streams.js';
import type { SingerWriter } from './output.js';
import type { StateTracker } from './state.js';

type Params = Record<string, string | number | undefined>;
export type RequestOptions = { stream?: string; permission?: string; expectKey?: string; signal?: AbortSignal };

/** What the sync needs of the HTTP client (src/client.ts). */
export interface ApiClient {
  get(path: string, params: Params, ctx?: RequestOptions): Promise<Record<string, unknown>>;
  /** `get`, also returning the body's bytes, so records can be copied out as they were sent. */
  getWithBytes?(path: string, params: Params, ctx?: RequestOptions): Promise<{ body: Record<string, unknown>; bytes: Buffer }>;
  /** Whether the route answered with rate-limit headers (its requests are scarce). */
  isRateLimited?(path: string): boolean;
}

/** What every stream's read shares within one run. */
export interface SyncContext {
  client: ApiClient;
  writer: SingerWriter;
  state: StateTracker;
  settings: TapSettings;
  signal: AbortSignal;
  /** Epoch ms the run started: the version stamped on full-table records (Singer convention). */
  runStartedMs: number;
}

export interface StreamSummary {
  stream: string;
  records: number;
  deletions: number;
}

/** The request options of a stream's requests: what 403s name and what the body must hold. */
export function requestOptions(def: StreamDef, signal?: AbortSignal): RequestOptions {
  // chat.syncMessages nests its records (result.updated); src/messages/sync-messages-api.ts checks them.
  const expectKey = def.read === 'per-room' ? undefined : def.recordsKey;
  return { stream: def.name, permission: def.permission, expectKey, signal };
}

import type { TapSettings } from './config.js';
import type { StreamDef } from './streams.js';
import type { SingerWriter } from './output.js';
import type { StateTracker } from './state.js';
import type { ProgressSink } from './progress.js';

import type { BodyExpectation, RequestOptions } from './client-options.js';

type Params = Record<string, string | number | readonly string[] | undefined>;

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
  /** Where readers report how far they are (src/progress.ts); optional so tests can leave it out. */
  progress?: ProgressSink;
}

export interface StreamSummary {
  stream: string;
  records: number;
  deletions: number;
  /** An optional stream the workspace or token could not serve (src/skip.ts). */
  skipped?: boolean;
}

/** The request options of a stream's requests: what 403s name and what the body must hold. */
export function requestOptions(def: StreamDef, signal?: AbortSignal): RequestOptions {
  return { stream: def.name, permission: def.permission, expect: bodyExpectation(def), signal };
}

function bodyExpectation(def: StreamDef): BodyExpectation | undefined {
  switch (def.read) {
    case 'offset':
    case 'natural':
    case 'admin-rooms':
    case 'closed-range':
      return { recordsKey: def.recordsKey, total: true, ids: true };
    case 'document':
      // The body is the record: src/read-document.ts checks its _id.
      return undefined;
    case 'single':
      return { recordsKey: def.recordsKey, ids: true };
    case 'delta':
      return { recordsKey: def.recordsKey, removedKey: def.incremental.removedKey, ids: true };
    case 'per-room':
      // chat.syncMessages: {result: {updated, deleted, cursor?}} (docs/rocketchat-api-notes.md#messages).
      return { within: 'result', recordsKey: 'updated', removedKey: 'deleted', ids: true };
  }
}

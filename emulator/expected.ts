/**
 * What a complete read of a stream returns right now: the route's own handler, run with every
 * page at once and no limits, so tests compare the tap's output with exactly what was served.
 */
import type { Dataset } from './data/dataset.js';
import type { Identity } from './identities.js';
import type { Doc } from './mongo.js';
import { checkPermissions, DEFAULT_API_SETTINGS, RecordList, type ApiResult, type StreamName } from './routes/common.js';
import { expectedMessages } from './messages/expected.js';
import { ROUTE_BY_STREAM } from './routes/registry.js';

export class ExpectedError extends Error {
  constructor(readonly result: ApiResult) {
    super(`the endpoint would answer ${result.status}: ${JSON.stringify(result.body)}`);
  }
}

export interface ExpectedOptions {
  /** For rooms and subscriptions: what an incremental read with this updatedSince returns. */
  updatedSince?: string;
  /** JSON sort, as the tap would send it (paginated streams). */
  sort?: string;
  /** channels.list `_id` filter. */
  _id?: string;
}

export interface ExpectedResult {
  records: Doc[];
  /** rooms/subscriptions only: the `remove` list. */
  remove?: Doc[];
}

/** What a complete read of `stream` by `identity` returns right now (every page, no limits). */
export function expectedRead(ds: Dataset, stream: StreamName, identity: Identity, opts: ExpectedOptions = {}, baseUrl = ''): ExpectedResult {
  if (stream === 'messages') return expectedTapMessages(ds, identity, opts, baseUrl);
  const route = ROUTE_BY_STREAM.get(stream);
  if (!route) throw new Error(`unknown stream ${stream}`);
  const q = new URLSearchParams();
  if (opts.updatedSince !== undefined) q.set('updatedSince', opts.updatedSince);
  if (opts.sort !== undefined) q.set('sort', opts.sort);
  if (opts._id !== undefined) q.set('_id', opts._id);
  const denied = checkPermissions(route, identity);
  if (denied) throw new ExpectedError(denied);
  const res = route.handle({ ds, identity, query: q, settings: { ...DEFAULT_API_SETTINGS }, baseUrl, page: { offset: 0, count: 0 } });
  if (res.status !== 200) throw new ExpectedError(res);
  const raw = res.body[route.recordsKey as string];
  const records = raw instanceof RecordList ? raw.toArray() : (raw as Doc[]);
  const out: ExpectedResult = { records: structuredClone(records) };
  if (route.recordsKey === 'update') out.remove = structuredClone(res.body.remove as Doc[]);
  return out;
}

/**
 * The messages a tap reads in the subscribed scope: the rooms of rooms.get plus the public
 * channels of channels.list (when the caller may list them), each room's visible messages (with
 * `updatedSince`: changed after it) and, as `remove`, its tombstones. Rooms the caller cannot
 * read are left out, as the tap skips them.
 */
function expectedTapMessages(ds: Dataset, identity: Identity, opts: ExpectedOptions, baseUrl: string): ExpectedResult {
  const rids = new Set(expectedRead(ds, 'rooms', identity, {}, baseUrl).records.map((r) => r._id as string));
  try {
    for (const c of expectedRead(ds, 'channels', identity, {}, baseUrl).records) rids.add(c._id as string);
  } catch (e) {
    if (!(e instanceof ExpectedError)) throw e;
  }
  const read = expectedMessages(ds, identity, { rids: [...rids], ...(opts.updatedSince ? { since: opts.updatedSince } : {}) });
  return { records: read.rooms.flatMap((r) => r.updated), remove: read.rooms.flatMap((r) => r.deleted.map((d) => ({ ...d, rid: r.rid }))) };
}

/**
 * THE stream table. Adding a stream of an existing read mode is one row here plus one schema
 * file in schemas/streams/<name>.json. Facts behind each row: README.md (Streams) and
 * docs/rocketchat-api-notes.md#list-endpoints.
 *
 * A row's `read` says how the route is read, and only the fields that mode uses exist on it, so a
 * row cannot combine fields that do nothing together (an offset-paged row with a replication key
 * would silently be read in full). The reader of each mode is in src/read-<mode>.ts; the
 * dispatch in src/sync-stream.ts is exhaustive over `read`, so a new mode does not compile until
 * it has a reader. A mode for child streams (read once per parent record, with a bookmark per
 * parent: messages per room) is a new member of `StreamDef` and a new reader file.
 */
interface StreamBase {
  /** Singer stream name and the schema file name (schemas/streams/<name>.json). */
  readonly name: string;
  /** Route under the workspace URL. */
  readonly path: string;
  /** Key of the records array in the response body. */
  readonly recordsKey: string;
  /** Permission(s) Rocket.Chat checks on the route, named in the error when it answers 403. */
  readonly permission?: string;
}

/** `offset`/`count`/`total` pages of a full table. */
export interface OffsetStream extends StreamBase {
  readonly read: 'offset';
  /**
   * Explicit sort, so pages are stable and `_id` grows monotonically through the stream (the
   * paginator relies on it to drop duplicates when data shifts between pages).
   */
  readonly sort: string;
}

/**
 * One response carries the whole table. Such routes must not be sent count/offset/sort
 * (docs/rocketchat-api-notes.md#list-endpoints: subscriptions.get answers 400 to them).
 */
export interface SingleStream extends StreamBase {
  readonly read: 'single';
}

/** The server-side incremental read of a route that answers `{update, remove}`. */
export interface DeltaIncremental {
  /** Records with `key > param` are returned (docs/rocketchat-api-notes.md#incremental-reads-and-deletions). */
  readonly key: '_updatedAt';
  /** Query parameter carrying the bookmark. */
  readonly param: 'updatedSince';
  /** Key of the `{_id, _deletedAt}` deletions list in the response body. */
  readonly removedKey: 'remove';
}

/** One response with what changed since a bookmark (or everything, without one), deletions included. */
export interface DeltaStream extends StreamBase {
  readonly read: 'delta';
  readonly incremental: DeltaIncremental;
}

/**
 * A child stream read once per room, with a bookmark per room (src/read-per-room.ts). The rooms
 * come from the room lists of src/messages/room-list.ts.
 */
export interface PerRoomStream extends StreamBase {
  readonly read: 'per-room';
  readonly incremental: { readonly key: '_updatedAt' };
}

export type StreamDef = OffsetStream | SingleStream | DeltaStream | PerRoomStream;
export type ReadMode = StreamDef['read'];

const DELTA: DeltaIncremental = { key: '_updatedAt', param: 'updatedSince', removedKey: 'remove' };
const BY_ID = '{"_id":1}';

export const STREAMS = [
  { name: 'teams', path: '/api/v1/teams.list', recordsKey: 'teams', read: 'offset', sort: BY_ID },
  { name: 'rooms', path: '/api/v1/rooms.get', recordsKey: 'update', read: 'delta', incremental: DELTA },
  {
    name: 'channels', path: '/api/v1/channels.list', recordsKey: 'channels', read: 'offset', sort: BY_ID,
    permission: 'view-c-room or view-joined-room',
  },
  { name: 'roles', path: '/api/v1/roles.list', recordsKey: 'roles', read: 'single' },
  { name: 'subscriptions', path: '/api/v1/subscriptions.get', recordsKey: 'update', read: 'delta', incremental: DELTA },
  { name: 'users', path: '/api/v1/users.list', recordsKey: 'users', read: 'offset', sort: BY_ID, permission: 'view-d-room' },
  { name: 'messages', path: '/api/v1/chat.syncMessages', recordsKey: 'result', read: 'per-room', incremental: { key: '_updatedAt' } },
] as const satisfies readonly StreamDef[];

export type StreamName = (typeof STREAMS)[number]['name'];

/** Every stream's primary key. */
export const KEY_PROPERTIES = ['_id'] as const;

/** The replication key, for streams the API can read incrementally. */
export function replicationKey(def: StreamDef): string | undefined {
  return 'incremental' in def ? def.incremental.key : undefined;
}

/** Where a read stands: the page of an offset read, the bookmark-derived lower bound of a delta read. */
export interface ReadPosition {
  offset?: number;
  count?: number;
  /** ISO timestamp; absent reads a delta route in full. */
  since?: string;
  /** The parent room of a per-room read. */
  roomId?: string;
}

/** The query parameters of one request, for the sync and for `--test` alike. */
export function requestParams(def: StreamDef, at: ReadPosition = {}): Record<string, string | number> {
  switch (def.read) {
    case 'offset':
      return { offset: at.offset ?? 0, count: at.count ?? 1, sort: def.sort };
    case 'delta':
      return at.since ? { [def.incremental.param]: at.since } : {};
    case 'single':
      return {};
    case 'per-room':
      // Cursor mode from `since` (or from the start): the request a room's backfill begins with.
      return { roomId: at.roomId ?? '', type: 'UPDATED', next: String(at.since ? Date.parse(at.since) : 0), count: at.count ?? 1 };
  }
}

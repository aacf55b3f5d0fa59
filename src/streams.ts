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
  /** Query parameters sent on every request of the stream (an array repeats the key). */
  readonly params?: Readonly<Record<string, string | readonly string[]>>;
  /** `false`: not selected in the discovered catalog (many workspaces do not use Omnichannel). */
  readonly selectedByDefault?: false;
  /**
   * The workspace or the token may be unable to serve it (Omnichannel off, a permission missing,
   * an older server without the route): then the stream is skipped with one warning, the others
   * finish, and the run exits 3 (src/skip.ts).
   */
  readonly optional?: true;
}

/** `offset`/`count`/`total` pages of a full table. */
export interface OffsetStream extends StreamBase {
  readonly read: 'offset';
  /**
   * Explicit sort, so pages are stable and `_id` grows monotonically through the stream (the
   * paginator relies on it to drop duplicates when data shifts between pages).
   */
  readonly sort: string;
  /** Disjoint filters whose union is the table: the route is read once per variant. */
  readonly variants?: readonly Readonly<Record<string, string>>[];
}

/**
 * `offset`/`count`/`total` pages of a route that accepts no sort (teams.listAll: natural order).
 * Records are de-duplicated by `_id` within the run (src/read-natural.ts).
 */
export interface NaturalStream extends StreamBase {
  readonly read: 'natural';
}

/**
 * One response carries the whole table. Such routes must not be sent count/offset/sort
 * (docs/rocketchat-api-notes.md#list-endpoints: subscriptions.get answers 400 to them).
 */
export interface SingleStream extends StreamBase {
  readonly read: 'single';
}

/** The body itself is one record (statistics): a snapshot per run, never retired (no ACTIVATE_VERSION). */
export interface DocumentStream extends StreamBase {
  readonly read: 'document';
  /** Fields never emitted (secrets). */
  readonly omit: readonly string[];
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
 * The rooms stream in the workspace scope (src/read-admin-rooms.ts): every room from
 * rooms.adminRooms, paged by `_id`, with the token's own rooms enriched from `enrichFrom`
 * (rooms.get: `_updatedAt`, `lm`, `lastMessage`...). Incremental runs still list every room and
 * add deletion records from rooms.get's workspace-wide `remove` since the bookmark.
 */
export interface AdminRoomsStream extends StreamBase {
  readonly read: 'admin-rooms';
  readonly sort: string;
  readonly incremental: DeltaIncremental;
  readonly enrichFrom: string;
}

/**
 * livechat/rooms (src/read-closed-range.ts): closed rooms incrementally through the inclusive
 * `closedAt` range, the boundary de-duplicated; rooms in each of `openStates` in full every run.
 */
export interface ClosedRangeStream extends StreamBase {
  readonly read: 'closed-range';
  readonly sort: string;
  readonly incremental: { readonly key: 'closedAt'; readonly param: 'closedAt' };
  /** Filters whose union is every room that is not closed (served, queued, on hold). */
  readonly openStates: readonly Readonly<Record<string, string>>[];
  /** Filter of every closed room (the first run without a start date). */
  readonly closedFilter: Readonly<Record<string, string>>;
}

/**
 * A child stream read once per room, with a bookmark per room (src/read-per-room.ts). The rooms
 * come from the room lists of src/messages/room-list.ts.
 */
export interface PerRoomStream extends StreamBase {
  readonly read: 'per-room';
  readonly incremental: { readonly key: '_updatedAt' };
}

export type StreamDef =
  | OffsetStream | NaturalStream | SingleStream | DocumentStream | DeltaStream | AdminRoomsStream | ClosedRangeStream | PerRoomStream;
export type ReadMode = StreamDef['read'];

export const DELTA: DeltaIncremental = { key: '_updatedAt', param: 'updatedSince', removedKey: 'remove' };
export const BY_ID = '{"_id":1}';
/** Omnichannel and statistics: off by default, skipped when the workspace or token cannot serve them. */
const OPTIONAL = { selectedByDefault: false, optional: true } as const;

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
  {
    name: 'livechat_rooms', path: '/api/v1/livechat/rooms', recordsKey: 'rooms', read: 'closed-range', sort: BY_ID,
    incremental: { key: 'closedAt', param: 'closedAt' }, openStates: [{ open: 'true' }, { queued: 'true' }, { onhold: 'true' }],
    closedFilter: { open: 'false' }, permission: 'view-livechat-rooms', ...OPTIONAL,
  },
  {
    name: 'livechat_agents', path: '/api/v1/livechat/users/agent', recordsKey: 'users', read: 'offset', sort: BY_ID,
    permission: 'transfer-livechat-guest or edit-omnichannel-contact', ...OPTIONAL,
  },
  {
    name: 'livechat_departments', path: '/api/v1/livechat/department', recordsKey: 'departments', read: 'offset', sort: BY_ID,
    params: { showArchived: 'true' }, permission: 'view-livechat-departments or view-l-room', ...OPTIONAL,
  },
  {
    name: 'livechat_contacts', path: '/api/v1/omnichannel/contacts.search', recordsKey: 'contacts', read: 'offset', sort: BY_ID,
    variants: [{ unknown: 'false' }, { unknown: 'true' }], permission: 'view-livechat-contact', ...OPTIONAL,
  },
  {
    name: 'statistics', path: '/api/v1/statistics', recordsKey: '', read: 'document', omit: ['statsToken'],
    permission: 'view-statistics', ...OPTIONAL,
  },
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
  /** A variant or state filter of the stream (OffsetStream.variants, ClosedRangeStream.openStates). */
  filter?: Readonly<Record<string, string>>;
}

type Query = Record<string, string | number | readonly string[]>;

/** The query parameters of one request, for the sync and for `--test` alike. */
export function requestParams(def: StreamDef, at: ReadPosition = {}): Query {
  const fixed: Query = { ...(def.params ?? {}), ...(at.filter ?? {}) };
  const page = { offset: at.offset ?? 0, count: at.count ?? 1 };
  switch (def.read) {
    case 'offset':
    case 'admin-rooms':
      return { ...page, sort: def.sort, ...fixed };
    case 'natural':
      return { ...page, ...fixed };
    case 'closed-range': {
      const closed: Query = at.since ? { [def.incremental.param]: JSON.stringify({ start: at.since }) } : {};
      return { ...page, sort: def.sort, ...closed, ...fixed };
    }
    case 'delta':
      return at.since ? { [def.incremental.param]: at.since } : {};
    case 'single':
    case 'document':
      return fixed;
    case 'per-room':
      // Cursor mode from `since` (or from the start): the request a room's backfill begins with.
      return { roomId: at.roomId ?? '', type: 'UPDATED', next: String(at.since ? Date.parse(at.since) : 0), count: at.count ?? 1 };
  }
}

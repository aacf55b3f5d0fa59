/**
 * THE stream table. Adding a stream is one row here plus one schema file in schemas/streams/.
 * Facts behind each row: ../README.md (Streams) and Rocket.Chat's route definitions.
 */
export interface StreamDef {
  /** Singer stream name and the schema file name (schemas/streams/<name>.json). */
  readonly name: string;
  /** Route under the workspace URL. */
  readonly path: string;
  /** Key of the records array in the response body. */
  readonly recordsKey: string;
  /**
   * `offset`: offset/count/total pages. `none`: one response carries everything; such routes must
   * not be sent count/offset/sort (subscriptions.get answers 400 to them).
   */
  readonly paging: 'offset' | 'none';
  /**
   * Explicit sort for offset paging, so pages are stable and `_id` grows monotonically through
   * the stream (the paginator relies on it to drop duplicates when data shifts between pages).
   */
  readonly sort?: string;
  /** Server-side incremental key: records with `_updatedAt > updatedSince` are returned. */
  readonly replicationKey?: '_updatedAt';
  /** Query parameter carrying the bookmark. */
  readonly sinceParam?: 'updatedSince';
  /** Key of the `{_id, _deletedAt}` deletions list in the response body. */
  readonly removedKey?: 'remove';
  /** Permission(s) Rocket.Chat checks on the route, named in the error when it answers 403. */
  readonly permission?: string;
}

export const STREAMS = [
  { name: 'teams', path: '/api/v1/teams.list', recordsKey: 'teams', paging: 'offset', sort: '{"_id":1}' },
  {
    name: 'rooms', path: '/api/v1/rooms.get', recordsKey: 'update', paging: 'none',
    replicationKey: '_updatedAt', sinceParam: 'updatedSince', removedKey: 'remove',
  },
  {
    name: 'channels', path: '/api/v1/channels.list', recordsKey: 'channels', paging: 'offset', sort: '{"_id":1}',
    permission: 'view-c-room or view-joined-room',
  },
  { name: 'roles', path: '/api/v1/roles.list', recordsKey: 'roles', paging: 'none' },
  {
    name: 'subscriptions', path: '/api/v1/subscriptions.get', recordsKey: 'update', paging: 'none',
    replicationKey: '_updatedAt', sinceParam: 'updatedSince', removedKey: 'remove',
  },
  {
    name: 'users', path: '/api/v1/users.list', recordsKey: 'users', paging: 'offset', sort: '{"_id":1}',
    permission: 'view-d-room',
  },
] as const satisfies readonly StreamDef[];

export type StreamName = (typeof STREAMS)[number]['name'];

/** Every stream's primary key. */
export const KEY_PROPERTIES = ['_id'] as const;

export function findStream(name: string): StreamDef | undefined {
  return STREAMS.find((s) => s.name === name);
}

import { HttpError } from '../errors.js';
import { logger } from '../log.js';
import { offsetPages, type Page } from '../paginate.js';
import type { SyncContext } from '../sync-context.js';
import { ADMIN_ROOM_TYPES, ADMIN_ROOMS_PATH } from '../scope.js';
import type { RoomRef } from './room-filter.js';

const log = logger('tap-rocketchat');

/**
 * The rooms the token can read in the subscribed scope: every room its user is subscribed to
 * (rooms.get, without updatedSince: the whole list) plus every public channel it may see
 * (channels.list), joined or not, since chat.syncMessages reads a public channel with
 * view-c-room alone (docs/rocketchat-api-notes.md#room-access).
 */
export async function subscribedScopeRooms(ctx: SyncContext): Promise<RoomRef[]> {
  const rooms = new Map<string, RoomRef>();
  const joined = await ctx.client.get('/api/v1/rooms.get', {}, { stream: 'messages', expect: { recordsKey: 'update', ids: true }, signal: ctx.signal });
  for (const r of joined.update as RoomRef[]) rooms.set(r._id, r);
  try {
    for await (const r of publicChannels(ctx)) if (!rooms.has(r._id)) rooms.set(r._id, r);
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 403) throw err;
    log.warn('messages: channels.list is not permitted for this token (view-c-room), so only the rooms it is subscribed to are read');
  }
  return [...rooms.values()];
}

async function* publicChannels(ctx: SyncContext): AsyncGenerator<RoomRef> {
  const fetchPage = async (offset: number, count: number): Promise<Page> => {
    const body = await ctx.client.get('/api/v1/channels.list', { offset, count, sort: '{"_id":1}' }, {
      stream: 'messages', permission: 'view-c-room', expect: { recordsKey: 'channels', total: true, ids: true }, signal: ctx.signal,
    });
    return { records: body.channels as Page['records'], total: body.total as number };
  };
  const pages = offsetPages(fetchPage, { pageSize: ctx.settings.pageSize, concurrency: ctx.settings.maxConcurrency, anchorEveryPage: () => true });
  for await (const batch of pages) yield* batch.records as RoomRef[];
}

/** The rooms of the workspace scope, and how many of them the token cannot read at all. */
export interface WorkspaceRooms {
  rooms: RoomRef[];
  /** Private groups and direct messages the token's user is not in: never requested. */
  unreadable: number;
}

/**
 * The rooms the token can read in the workspace scope: every room of the workspace
 * (rooms.adminRooms, every type named, paged by `_id`), the token's own rooms taken from rooms.get
 * (which carry `_updatedAt`, so unchanged rooms can be skipped). A private group or direct message
 * its user is not in cannot be read even by an admin (no access rule grants it,
 * docs/rocketchat-api-notes.md#room-access), so those are counted and never requested; a
 * discussion inherits its parent's access and is tried.
 */
export async function workspaceScopeRooms(ctx: SyncContext): Promise<WorkspaceRooms> {
  const joined = await ctx.client.get('/api/v1/rooms.get', {}, { stream: 'messages', expect: { recordsKey: 'update', ids: true }, signal: ctx.signal });
  const mine = new Map((joined.update as RoomRef[]).map((r) => [r._id, r]));
  const rooms: RoomRef[] = [];
  let unreadable = 0;
  const fetchPage = async (offset: number, count: number): Promise<Page> => {
    const body = await ctx.client.get(ADMIN_ROOMS_PATH, { offset, count, sort: '{"_id":1}', types: ADMIN_ROOM_TYPES }, {
      stream: 'messages', permission: 'view-room-administration', expect: { recordsKey: 'rooms', total: true, ids: true }, signal: ctx.signal,
    });
    return { records: body.rooms as Page['records'], total: body.total as number };
  };
  const pages = offsetPages(fetchPage, { pageSize: ctx.settings.pageSize, concurrency: ctx.settings.maxConcurrency, anchorEveryPage: () => true });
  for await (const batch of pages) {
    for (const room of batch.records as RoomRef[]) {
      const own = mine.get(room._id);
      if (own) rooms.push(own);
      else if ((room.t === 'p' || room.t === 'd') && !room.prid) unreadable++;
      else rooms.push(room);
    }
  }
  return { rooms, unreadable };
}

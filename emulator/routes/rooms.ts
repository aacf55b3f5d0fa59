/** rooms.get (the rooms stream) and channels.list (the channels stream). */
import { defineExtension } from '../data/dataset.js';
import type { Identity } from '../identities.js';
import { omitFields, sortSpecKey, type Doc, type SortSpec } from '../mongo.js';
import {
  isResult, pageOf, parseSince, parseSortOr, stableSort, subscribedRoomIds, type HandlerContext, type RouteDef,
} from './common.js';
import { err } from './errors.js';
import { updateAndRemove } from './incremental.js';

/** roomFields (https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/lib/publishFields.ts): what rooms.get returns. */
export const ROOM_FIELDS: ReadonlySet<string> = new Set([
  '_id', 'name', 'fname', 't', 'cl', 'u', 'lm', 'teamId', 'teamMain', 'topic', 'announcement', 'announcementDetails',
  'muted', 'unmuted', '_updatedAt', 'archived', 'description', 'default', 'customFields', 'lastMessage', 'retention',
  'prid', 'avatarETag', 'usersCount', 'msgs', 'tags', 'sms', 'code', 'joinCodeRequired', 'open', 'label', 'ro',
  'reactWhenReadOnly', 'sysMes', 'sentiment', 'streamingOptions', 'broadcast', 'encrypted', 'e2eKeyId',
  'livechatData', 'priorityId', 'priorityWeight', 'slaId', 'estimatedWaitingTimeQueue', 'v', 'departmentId',
  'servedBy', 'source', 'transcriptRequest', 'onHold', 'metrics', 'ts', 'waitingResponse', 'queuedAt',
  'federated', 'usernames', 'uids', 'queue', 'callDuration', 'callTotalHoldTime', 'callWaitingTime',
  'usersWaitingForE2EKeys',
]);

/** API.v1.defaultFieldsToExclude: never returned by channels.list. */
export const DEFAULT_EXCLUDED: ReadonlySet<string> = new Set(['joinCode', 'members', 'importIds', 'e2e']);

export const roomsGet: RouteDef = {
  path: '/api/v1/rooms.get', auth: true, rateLimited: true, stream: 'rooms', recordsKey: 'update',
  handle(ctx) {
    const since = parseSince(ctx.query.get('updatedSince'));
    if (since === 'invalid') return err.roomsUpdatedSince();
    const mine = subscribedRoomIds(ctx.ds, (ctx.identity as Identity).userId);
    return updateAndRemove(ctx.ds.rooms, ctx.ds.roomTrash, since, ROOM_FIELDS, (r) => mine.has(r._id as string));
  },
};

/**
 * Sorted channels.list results by dataset version, caller and sort: paging through a workspace
 * with many channels should not re-sort every page. Mutations bump the version.
 */
const CHANNELS_CACHE = defineExtension('channels.list cache', () => new Map<string, Doc[]>());

function sortedChannels(ctx: HandlerContext, spec: SortSpec): Doc[] {
  const { ds } = ctx;
  const identity = ctx.identity as Identity;
  const mine = subscribedRoomIds(ds, identity.userId);
  const all = identity.permissions.has('view-c-room');
  const onlyId = ctx.query.get('_id');
  const cache = ds.extension(CHANNELS_CACHE);
  const cacheKey = `${ds.version}|${identity.userId}|${all}|${onlyId}|${sortSpecKey(spec)}`;
  let sorted = cache.get(cacheKey);
  if (!sorted) {
    const matching = ds.rooms.filter((r) => r.t === 'c'
      && (onlyId === null || r._id === onlyId)
      && (!r.teamId || mine.has(r._id as string))
      && (all || mine.has(r._id as string)));
    sorted = stableSort(matching, spec);
    if (cache.size > 32) cache.clear();
    cache.set(cacheKey, sorted);
  }
  return sorted;
}

export const channelsList: RouteDef = {
  path: '/api/v1/channels.list', auth: true, rateLimited: true, stream: 'channels', recordsKey: 'channels',
  schema: { allowed: new Set(['_id', 'query', 'count', 'offset', 'sort', 'fields']), numbers: ['count', 'offset'] },
  anyPermission: ['view-c-room', 'view-joined-room'],
  handle(ctx) {
    const sort = parseSortOr(ctx);
    if (isResult(sort)) return sort;
    const { page } = ctx;
    const sorted = sortedChannels(ctx, sort ?? [['name', 1]]);
    const records = pageOf(sorted, page).map((r) => omitFields(r, DEFAULT_EXCLUDED));
    return { status: 200, body: { channels: records, count: records.length, offset: page.offset, total: sorted.length, success: true } };
  },
};

/**
 * Workspace-wide endpoints: rooms.adminRooms, teams.listAll, rooms.info
 * (https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/app/api/server/v1/rooms.ts,
 * .../v1/teams.ts; docs/rocketchat-api-notes.md#workspace-endpoints).
 */
import type { Dataset } from '../data/dataset.js';
import type { HandlerContext, RouteDef } from '../routes/common.js';
import type { Identity } from '../identities.js';
import { pickFields, type Doc, type SortSpec } from '../mongo.js';
import { canAccessRoom } from './access.js';
import { containsCi, envelope, pageSlice, sortStable } from './list.js';
import {
  failure, isResult, paramsOf, plainError, schemaError, sortOf, typedCheck, type ParamSchema, type Params,
} from './params.js';

/** apps/meteor/lib/rooms/adminFields.ts (8.7+ with customFields): no _updatedAt, lm or lastMessage. */
export const ADMIN_FIELDS: ReadonlySet<string> = new Set([
  '_id', 'prid', 'fname', 'name', 't', 'cl', 'u', 'usernames', 'usersCount', 'muted', 'unmuted', 'ro', 'reactWhenReadOnly',
  'default', 'favorite', 'featured', 'topic', 'msgs', 'archived', 'teamId', 'teamMain', 'announcement', 'description',
  'broadcast', 'uids', 'avatarETag', 'federated', 'ts', 'customFields',
]);

const ADMIN_TYPES = ['c', 'd', 'p', 'l', 'discussions', 'teams'] as const;

/** isRoomsAdminRoomsProps (newer builds validate it, before authentication). */
export const ADMIN_ROOMS_SCHEMA: ParamSchema = {
  fields: { filter: 'string', types: 'string[]', offset: 'number', count: 'number', sort: 'string' },
};

export function adminTypesError(p: Params): string | undefined {
  for (const t of p.get('types') ?? []) if (!(ADMIN_TYPES as readonly string[]).includes(t)) return 'must be equal to one of the allowed values';
  return undefined;
}

function typeMatcher(types: readonly string[] | undefined): (r: Doc) => boolean {
  if (!types || types.length === 0) return (r) => r.prid === undefined && r.teamMain !== true;
  const plain = types.filter((t) => t !== 'discussions' && t !== 'teams');
  const discussions = types.includes('discussions');
  const teams = types.includes('teams');
  return (r) => (plain.includes(r.t as string) && r.prid === undefined && r.teamMain !== true)
    || (discussions && r.prid !== undefined) || (teams && r.teamMain === true);
}

function filterMatcher(filter: string | undefined): (r: Doc) => boolean {
  const text = filter?.trim();
  if (!text) return () => true;
  const m = containsCi(text);
  return (r) => (m(r.name) && r.federated !== true) || m(r.fname)
    || (r.t === 'd' && Array.isArray(r.usernames) && r.usernames.some((u) => m(u)));
}

export const DEFAULT_ADMIN_SORT: SortSpec = [['default', -1], ['name', 1]];

export const adminRooms: RouteDef = {
  path: '/api/v1/rooms.adminRooms', auth: true, rateLimited: true, recordsKey: 'rooms',
  validate: (q) => typedCheck(q, (p) => schemaError(ADMIN_ROOMS_SCHEMA, p) ?? adminTypesError(p)),
  handle(ctx) {
    const p = paramsOf(ctx.query);
    const sort = sortOf(p);
    if (isResult(sort)) return sort;
    if (!(ctx.identity as Identity).permissions.has('view-room-administration')) return plainError('error-not-authorized');
    const byType = typeMatcher(p.get('types'));
    const byFilter = filterMatcher(p.get('filter')?.[0]);
    const matching = ctx.ds.rooms.filter((r) => byType(r) && byFilter(r));
    const sorted = sortStable(matching, sort ?? DEFAULT_ADMIN_SORT);
    const records = pageSlice(sorted, ctx.page).map((r) => pickFields(r, ADMIN_FIELDS));
    return envelope('rooms', records, ctx.page, sorted.length);
  },
};

export function teamInfo(ds: Dataset, team: Doc): Doc {
  let rooms = 0;
  for (const r of ds.rooms) if (r.teamId === team._id) rooms++;
  const members = ds.teamMembers.get(team._id as string)?.size ?? 0;
  return { ...team, rooms, numberOfUsers: members + (ds.teamExtraMembers.get(team._id as string) ?? 0) };
}

export const teamsListAll: RouteDef = {
  path: '/api/v1/teams.listAll', auth: true, rateLimited: true, recordsKey: 'teams', anyPermission: ['view-all-teams'],
  handle(ctx) {
    const all = ctx.ds.teams;
    const records = pageSlice(all, ctx.page).map((t) => teamInfo(ctx.ds, t));
    return { status: 200, body: { teams: records, total: all.length, count: records.length, offset: ctx.page.offset, success: true } };
  },
};

const PARENT_FIELDS: ReadonlySet<string> = new Set(['_id', 'name', 'fname', 't', 'prid', 'u']);

function parentOf(ds: Dataset, room: Doc): Doc | undefined {
  let parent: Doc | undefined;
  if (typeof room.prid === 'string') parent = ds.roomById.get(room.prid);
  else if (room.teamId && room.teamMain !== true) {
    const team = ds.teams.find((t) => t._id === room.teamId);
    parent = team ? ds.roomById.get(team.roomId as string) : undefined;
  }
  return parent ? pickFields(parent, PARENT_FIELDS) : undefined;
}

export const roomsInfo: RouteDef = {
  path: '/api/v1/rooms.info', auth: true, rateLimited: true,
  handle(ctx: HandlerContext) {
    const idOrName = ctx.query.get('roomId') || ctx.query.get('roomName');
    if (!idOrName) return failure('error-roomid-param-not-provided');
    const { ds } = ctx;
    const room = ds.roomById.get(idOrName) ?? ds.rooms.find((r) => r.name === idOrName);
    if (!room) return failure('error-room-not-found');
    if (!canAccessRoom(ds, room, ctx.identity as Identity)) return failure('not-allowed', 'Not Allowed');
    const body: Doc = { room: structuredClone(room) };
    const team = room.teamId ? ds.teams.find((t) => t._id === room.teamId) : undefined;
    if (team) body.team = structuredClone(team);
    const parent = parentOf(ds, room);
    if (parent) body.parent = parent;
    body.success = true;
    return { status: 200, body };
  },
};


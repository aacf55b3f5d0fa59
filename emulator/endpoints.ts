/**
 * Rocket.Chat 8.x REST semantics, as pure functions over a Dataset: query validation, pagination,
 * sort, scope, projections and error bodies of the endpoints behind the tap's six streams, plus
 * /api/v1/me and /api/info (rocketchat-api.md §1–§3). The HTTP server (server.ts) applies them in
 * the order of the newest server code: query validation → authentication → permissions → rate
 * limiter → handler.
 */
import type { Dataset } from './data.js';
import { identityUserIndex, type Identity } from './identities.js';
import {
  InvalidSortError, makeComparator, mongoToLower, omitFields, parseSort, pickFields, sortSpecKey, type Doc, type Json,
  type SortSpec,
} from './mongo.js';
import { getDeletedMessagesRoute } from './messages/deleted-messages.js';
import { syncMessagesRoute } from './messages/sync-messages.js';

export interface ApiSettings {
  /** API_Default_Count (default 50). */
  defaultCount: number;
  /** API_Upper_Count_Limit (default 100). */
  maxCount: number;
  /** API_Allow_Infinite_Count (default true): count=0 returns everything. */
  allowInfiniteCount: boolean;
  /** Full server version, e.g. "8.8.1". */
  version: string;
}

export const DEFAULT_API_SETTINGS: Readonly<ApiSettings> = {
  defaultCount: 50, maxCount: 100, allowInfiniteCount: true, version: '8.8.1',
};

/** A records array produced lazily (users.list with count=0 on a huge workspace). */
export class RecordList {
  constructor(readonly length: number, readonly get: (i: number) => Doc) {}
  toArray(): Doc[] {
    const out: Doc[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

export type Body = { [key: string]: Json | RecordList | Doc[] | undefined };

export interface ApiResult {
  status: number;
  body: Body;
}

// ---------------------------------------------------------------------------------------------
// Error bodies (samples/errors.json)

const LOGIN_MSG = 'You must be logged in to do this.';

export const err = {
  unauthorized: (): ApiResult => ({
    status: 401, body: { success: false, error: LOGIN_MSG, status: 'error', message: LOGIN_MSG },
  }),
  permission: (): ApiResult => ({
    status: 403, body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
  }),
  forbidden: (): ApiResult => ({ status: 403, body: { success: false, error: 'unauthorized' } }),
  invalidParams: (message: string): ApiResult => ({
    status: 400, body: { success: false, errorType: 'error-invalid-params', error: message },
  }),
  invalidSort: (raw: string): ApiResult => ({
    status: 400,
    body: {
      success: false, error: `Invalid sort parameter provided: "${raw}" [error-invalid-sort]`, errorType: 'error-invalid-sort',
      details: { helperMethod: 'parseJsonQuery' },
    },
  }),
  notFound: (): ApiResult => ({ status: 404, body: { success: false, error: 'Resource not found' } }),
  internal: (): ApiResult => ({ status: 500, body: { success: false, error: 'Internal server error' } }),
  unavailable: (): ApiResult => ({ status: 503, body: { success: false, error: 'Service Unavailable' } }),
  tooManyRequests: (waitSeconds: number): ApiResult => ({
    status: 429,
    body: {
      success: false,
      error: `Error, too many requests. Please slow down. You must wait ${waitSeconds} seconds before trying this endpoint again. [error-too-many-requests]`,
    },
  }),
  roomsUpdatedSince: (): ApiResult => ({
    status: 400,
    body: {
      success: false, error: 'The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]',
      errorType: 'error-updatedSince-param-invalid',
    },
  }),
  subscriptionsUpdatedSince: (): ApiResult => ({
    status: 400,
    body: {
      success: false, error: 'The "lastUpdate" query parameter must be a valid date. [error-roomId-param-invalid]',
      errorType: 'error-roomId-param-invalid',
    },
  }),
};

// ---------------------------------------------------------------------------------------------
// Query validation (typed routes: additionalProperties:false, ajv with type coercion)

interface QuerySchema {
  allowed: ReadonlySet<string>;
  numbers?: readonly string[];
  nonEmpty?: readonly string[];
}

function validateQuery(schema: QuerySchema, q: URLSearchParams): ApiResult | undefined {
  for (const key of q.keys()) if (!schema.allowed.has(key)) return err.invalidParams('must NOT have additional properties');
  for (const key of schema.numbers ?? []) {
    const v = q.get(key);
    if (v === null) continue;
    const n = v.trim() === '' ? 0 : Number(v);
    if (!Number.isFinite(n)) return err.invalidParams('must be number');
    if (n < 0) return err.invalidParams('must be >= 0');
  }
  for (const key of schema.nonEmpty ?? []) {
    const v = q.get(key);
    if (v !== null && v.length < 1) return err.invalidParams('must NOT have fewer than 1 characters');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Pagination (getPaginationItems, §2.4)

export interface Page {
  offset: number;
  /** 0 = no limit. */
  count: number;
}

export function paginationItems(q: URLSearchParams, s: ApiSettings): Page {
  const hardUpperLimit = s.maxCount > 0 ? s.maxCount : 100;
  const defaultCount = s.defaultCount > 0 ? s.defaultCount : 50;
  const rawOffset = q.get('offset');
  let offset = rawOffset ? parseInt(rawOffset, 10) : 0;
  if (!Number.isFinite(offset) || offset < 0) offset = 0;
  const rawCount = q.get('count');
  let count = rawCount !== null ? parseInt(rawCount || '0', 10) : defaultCount;
  if (!Number.isFinite(count) || count < 0) count = defaultCount;
  if (count > hardUpperLimit) count = hardUpperLimit;
  if (count === 0 && !s.allowInfiniteCount) count = defaultCount;
  return { offset, count };
}

function pageOf<T>(all: readonly T[], page: Page): T[] {
  return page.count === 0 ? all.slice(page.offset) : all.slice(page.offset, page.offset + page.count);
}

function stableSort(docs: Doc[], spec: SortSpec | undefined): Doc[] {
  if (!spec || spec.length === 0) return docs;
  const cmp = makeComparator(spec);
  return docs.map((d, i) => [d, i] as const).sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]).map(([d]) => d);
}

// ---------------------------------------------------------------------------------------------
// Projections

/** roomFields (apps/meteor/lib/publishFields.ts): what rooms.get returns. */
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

/** subscriptionFields (+ _id): what subscriptions.get returns. */
export const SUBSCRIPTION_FIELDS: ReadonlySet<string> = new Set([
  '_id', 't', 'ts', 'ls', 'lr', 'name', 'fname', 'rid', 'code', 'f', 'u', 'open', 'alert', 'roles', 'unread', 'prid',
  'userMentions', 'groupMentions', 'archived', 'audioNotificationValue', 'desktopNotifications',
  'mobilePushNotifications', 'emailNotifications', 'desktopPrefOrigin', 'mobilePrefOrigin', 'emailPrefOrigin',
  'unreadAlert', '_updatedAt', 'blocked', 'blocker', 'autoTranslate', 'autoTranslateLanguage', 'disableNotifications',
  'hideUnreadStatus', 'hideMentionStatus', 'muteGroupMentions', 'ignored', 'E2EKey', 'E2ESuggestedKey', 'tunread',
  'tunreadGroup', 'tunreadUser', 'department', 'v', 'onHold',
]);

/** users.list fields for callers with view-full-other-user-info, and for everyone else (§3.6). */
export const USER_FIELDS_FULL: ReadonlySet<string> = new Set([
  '_id', 'username', 'name', 'emails', 'roles', 'status', 'active', 'avatarETag', 'lastLogin', 'type',
]);
export const USER_FIELDS_LIMITED: ReadonlySet<string> = new Set(['_id', 'username', 'name', 'status', 'active', 'avatarETag', 'type']);

export function projectUser(doc: Doc, full: boolean): Doc {
  const out = pickFields(doc, full ? USER_FIELDS_FULL : USER_FIELDS_LIMITED);
  out.nameInsensitive = mongoToLower(doc.name);
  return out;
}

const ME_EXCLUDED: ReadonlySet<string> = new Set(['services', 'inviteToken', 'e2e', 'importIds', 'appId']);

// ---------------------------------------------------------------------------------------------
// Handlers

export interface HandlerContext {
  ds: Dataset;
  identity: Identity | undefined;
  query: URLSearchParams;
  settings: ApiSettings;
  /** Base URL of the emulator (for avatarUrl / workspaceUrl). */
  baseUrl: string;
  page: Page;
}

export type StreamName = 'teams' | 'rooms' | 'channels' | 'roles' | 'subscriptions' | 'users';

export interface RouteDef {
  readonly path: string;
  readonly auth: boolean;
  readonly rateLimited: boolean;
  /** Typed query schema; absent = unknown params ignored. */
  readonly schema?: QuerySchema;
  /** A route's own query validation (checked like `schema`, before authentication). */
  readonly validate?: (q: URLSearchParams) => ApiResult | undefined;
  /** permissionsRequired, operation hasAny. */
  readonly anyPermission?: readonly string[];
  readonly stream?: StreamName;
  /** Key of the records in a success body. */
  readonly recordsKey?: string;
  handle(ctx: HandlerContext): ApiResult;
}

function parseSortOr(ctx: HandlerContext): SortSpec | undefined | ApiResult {
  try {
    return parseSort(ctx.query.get('sort'));
  } catch (e) {
    if (e instanceof InvalidSortError) return err.invalidSort(e.raw);
    throw e;
  }
}

function isResult(v: unknown): v is ApiResult {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

function parseSince(raw: string | null): number | undefined | 'invalid' {
  if (raw === null || raw === '') return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? 'invalid' : ms;
}

function subscribedRoomIds(ds: Dataset, userId: string): Set<string> {
  const out = new Set<string>();
  for (const s of ds.subscriptions) if ((s.u as Doc)._id === userId) out.add(s.rid as string);
  return out;
}

const teamsList: RouteDef = {
  path: '/api/v1/teams.list', auth: true, rateLimited: true, stream: 'teams', recordsKey: 'teams',
  handle(ctx) {
    const sort = parseSortOr(ctx);
    if (isResult(sort)) return sort;
    const { ds, page } = ctx;
    const uid = (ctx.identity as Identity).userId;
    const mine = stableSort(ds.teamsOf(uid), sort);
    const records = pageOf(mine, page).map((t) => {
      let rooms = 0;
      for (const r of ds.rooms) if (r.teamId === t._id) rooms++;
      const members = ds.teamMembers.get(t._id as string)?.size ?? 0;
      return { ...t, rooms, numberOfUsers: members + (ds.teamExtraMembers.get(t._id as string) ?? 0) };
    });
    return { status: 200, body: { teams: records, total: mine.length, count: records.length, offset: page.offset, success: true } };
  },
};

const roomsGet: RouteDef = {
  path: '/api/v1/rooms.get', auth: true, rateLimited: true, stream: 'rooms', recordsKey: 'update',
  handle(ctx) {
    const since = parseSince(ctx.query.get('updatedSince'));
    if (since === 'invalid') return err.roomsUpdatedSince();
    const { ds } = ctx;
    const mine = subscribedRoomIds(ds, (ctx.identity as Identity).userId);
    const update: Doc[] = [];
    for (const r of ds.rooms) {
      if (!mine.has(r._id as string)) continue;
      if (since !== undefined && !(Date.parse(r._updatedAt as string) > since)) continue;
      update.push(pickFields(r, ROOM_FIELDS));
    }
    const remove = since === undefined ? [] : ds.roomTrash
      .filter((t) => Date.parse(t._deletedAt) > since)
      .map((t) => ({ _id: t._id, _deletedAt: t._deletedAt }));
    return { status: 200, body: { update, remove, success: true } };
  },
};

/**
 * Sorted channels.list results by dataset version, caller and sort: paging through a workspace
 * with many channels should not re-sort every page. Mutations bump the version.
 */
const channelsCaches = new WeakMap<Dataset, Map<string, Doc[]>>();

const channelsList: RouteDef = {
  path: '/api/v1/channels.list', auth: true, rateLimited: true, stream: 'channels', recordsKey: 'channels',
  schema: { allowed: new Set(['_id', 'query', 'count', 'offset', 'sort', 'fields']), numbers: ['count', 'offset'] },
  anyPermission: ['view-c-room', 'view-joined-room'],
  handle(ctx) {
    const sort = parseSortOr(ctx);
    if (isResult(sort)) return sort;
    const { ds, page } = ctx;
    const identity = ctx.identity as Identity;
    const mine = subscribedRoomIds(ds, identity.userId);
    const all = identity.permissions.has('view-c-room');
    const onlyId = ctx.query.get('_id');
    const spec = sort ?? [['name', 1]];
    const cacheKey = `${ds.version}|${identity.userId}|${all}|${onlyId}|${sortSpecKey(spec)}`;
    let channelsCache = channelsCaches.get(ds);
    if (!channelsCache) {
      channelsCache = new Map();
      channelsCaches.set(ds, channelsCache);
    }
    let sorted = channelsCache.get(cacheKey);
    if (!sorted) {
      const matching = ds.rooms.filter((r) => r.t === 'c'
        && (onlyId === null || r._id === onlyId)
        && (!r.teamId || mine.has(r._id as string))
        && (all || mine.has(r._id as string)));
      sorted = stableSort(matching, spec);
      if (channelsCache.size > 32) channelsCache.clear();
      channelsCache.set(cacheKey, sorted);
    }
    const records = pageOf(sorted, page).map((r) => omitFields(r, DEFAULT_EXCLUDED));
    return { status: 200, body: { channels: records, count: records.length, offset: page.offset, total: sorted.length, success: true } };
  },
};

const rolesList: RouteDef = {
  path: '/api/v1/roles.list', auth: true, rateLimited: true, stream: 'roles', recordsKey: 'roles',
  handle(ctx) {
    const roles = ctx.ds.roles.map((r) => omitFields(r, new Set(['_updatedAt'])));
    return { status: 200, body: { roles, success: true } };
  },
};

const subscriptionsGet: RouteDef = {
  path: '/api/v1/subscriptions.get', auth: true, rateLimited: true, stream: 'subscriptions', recordsKey: 'update',
  schema: { allowed: new Set(['updatedSince']) },
  handle(ctx) {
    const since = parseSince(ctx.query.get('updatedSince'));
    if (since === 'invalid') return err.subscriptionsUpdatedSince();
    const uid = (ctx.identity as Identity).userId;
    const update: Doc[] = [];
    for (const s of ctx.ds.subscriptions) {
      if ((s.u as Doc)._id !== uid) continue;
      if (since !== undefined && !(Date.parse(s._updatedAt as string) > since)) continue;
      update.push(pickFields(s, SUBSCRIPTION_FIELDS));
    }
    const remove = since === undefined ? [] : ctx.ds.subscriptionTrash
      .filter((t) => t.uid === uid && Date.parse(t._deletedAt) > since)
      .map((t) => ({ _id: t._id, _deletedAt: t._deletedAt }));
    return { status: 200, body: { update, remove, success: true } };
  },
};

/** users.list sort with the tie-breakers the server adds ({name} → +nameInsensitive, {status} → +active). */
function usersSort(spec: SortSpec | undefined): SortSpec {
  if (!spec || spec.length === 0) return [['username', 1]];
  const out: SortSpec = [];
  const keys = new Set(spec.map(([k]) => k));
  for (const [k, d] of spec) {
    out.push([k, d]);
    if (k === 'name' && !keys.has('nameInsensitive')) out.push(['nameInsensitive', d]);
    if (k === 'status' && !keys.has('active')) out.push(['active', d]);
  }
  return out;
}

const usersList: RouteDef = {
  path: '/api/v1/users.list', auth: true, rateLimited: true, stream: 'users', recordsKey: 'users',
  schema: {
    allowed: new Set(['fields', 'query', 'count', 'offset', 'sort', 'email']), numbers: ['count', 'offset'], nonEmpty: ['email'],
  },
  anyPermission: ['view-d-room'],
  handle(ctx) {
    const identity = ctx.identity as Identity;
    const full = identity.fullUserInfo;
    const email = ctx.query.get('email');
    if (email !== null && !full) return err.forbidden();
    const parsed = parseSortOr(ctx);
    if (isResult(parsed)) return parsed;
    const spec = usersSort(parsed);
    const { ds, page } = ctx;
    const users = ds.users;
    const project = (i: number) => projectUser(users.doc(i), full);
    let order: ArrayLike<number>;
    if (email !== null) {
      const matches = users.byEmail(email).filter((i) => users.visible(i, 'full'));
      const cmp = makeComparator(spec);
      const docs = new Map(matches.map((i) => [i, project(i)] as const));
      order = matches.sort((a, b) => cmp(docs.get(a) as Doc, docs.get(b) as Doc) || a - b);
    } else {
      order = users.view(full ? 'full' : 'limited', spec, project);
    }
    const start = Math.min(page.offset, order.length);
    const end = page.count === 0 ? order.length : Math.min(order.length, start + page.count);
    const n = end - start;
    const records: Doc[] | RecordList = n > 2000
      ? new RecordList(n, (k) => project(order[start + k] as number))
      : Array.from({ length: n }, (_, k) => project(order[start + k] as number));
    return { status: 200, body: { users: records, count: n, offset: page.offset, total: order.length, success: true } };
  },
};

const me: RouteDef = {
  path: '/api/v1/me', auth: true, rateLimited: true,
  handle(ctx) {
    const identity = ctx.identity as Identity;
    const doc = ctx.ds.users.doc(identityUserIndex(identity.name));
    const out: Body = {};
    for (const [k, v] of Object.entries(omitFields(doc, ME_EXCLUDED))) {
      out[k] = v;
      if (k === '_id') out.services = { password: { exists: true } };
    }
    out.avatarUrl = `${ctx.baseUrl}/avatar/${identity.username}`;
    out.isOAuthUser = false;
    out.success = true;
    return { status: 200, body: out };
  },
};

const info: RouteDef = {
  path: '/api/info', auth: false, rateLimited: false,
  handle(ctx) {
    const full = ctx.settings.version;
    const trimmed = full.split('.').slice(0, 2).join('.');
    const stats = ctx.identity?.permissions.has('view-statistics') ?? false;
    const body: Body = {
      workspaceUrl: `${ctx.baseUrl}/`,
      hashedWorkspaceUrl: '0e3c5d8c2f1f6e34f1b1a1d4b1f0b9a7',
      version: stats ? full : trimmed,
      minimumClientVersions: { desktop: '3.9.6', mobile: '4.39.0' },
    };
    if (stats) {
      body.info = {
        version: full,
        build: { date: '2025-06-30T12:00:00.000Z', nodeVersion: 'v22.16.0', arch: 'x64', platform: 'linux', osRelease: 'emulator', totalMemory: 0, freeMemory: 0, cpus: 2 },
        marketplaceApiVersion: '1.52.0',
        commit: { hash: 'emulator', date: '2025-06-30', author: 'tap-rocketchat emulator', subject: 'emulated', tag: full, branch: 'release' },
      };
    }
    body.success = true;
    return { status: 200, body };
  },
};

export const ROUTES: readonly RouteDef[] = [
  info, me, teamsList, roomsGet, channelsList, rolesList, subscriptionsGet, usersList, syncMessagesRoute, getDeletedMessagesRoute,
];
export const ROUTE_BY_PATH: ReadonlyMap<string, RouteDef> = new Map(ROUTES.map((r) => [r.path, r]));
export const ROUTE_BY_STREAM: ReadonlyMap<StreamName, RouteDef> = new Map(
  ROUTES.filter((r) => r.stream).map((r) => [r.stream as StreamName, r]),
);

/** Query validation for a route (400 body, or undefined when valid). */
export function validateRouteQuery(route: RouteDef, q: URLSearchParams): ApiResult | undefined {
  if (route.validate) return route.validate(q);
  return route.schema ? validateQuery(route.schema, q) : undefined;
}

/** Permission check (403 body, or undefined). */
export function checkPermissions(route: RouteDef, identity: Identity): ApiResult | undefined {
  if (!route.anyPermission) return undefined;
  return route.anyPermission.some((p) => identity.permissions.has(p)) ? undefined : err.permission();
}

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

/**
 * GET /api/v1/livechat/rooms
 * (https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/api/v1/omnichannel/rooms.ts,
 * LivechatRooms.findRoomsWithCriteria; docs/rocketchat-api-notes.md#omnichannel).
 * Order inside the action: pagination, sort, the createdAt/closedAt JSON ranges, the permission
 * (view-livechat-rooms, or view-l-room with agents exactly [caller]), customFields, the query.
 */
import type { ApiResult, HandlerContext, RouteDef } from '../routes/common.js';
import { err } from '../routes/errors.js';
import type { Identity } from '../identities.js';
import type { Doc } from '../mongo.js';
import { envelope, escapeRegExp, pageSlice, sortStable } from '../workspace/list.js';
import {
  isResult, legacyInvalid, omnichannelDisabled, one, paramsOf, plainError, schemaError, sortOf, type ParamSchema, type Params,
} from '../workspace/params.js';
import { departmentById, isLivechat, storeOf } from './store.js';

export const LIVECHAT_ROOMS_SCHEMA: ParamSchema = {
  fields: {
    count: 'number', offset: 'number', sort: 'string', query: 'string', fields: 'string', createdAt: 'string',
    customFields: 'string', closedAt: 'string', agents: 'string[]', roomName: 'string', departmentId: 'string|string[]',
    open: 'string|boolean', onhold: 'string|boolean', queued: 'string|boolean', tags: 'string[]', units: 'string[]',
  },
};

type Range = { start?: number; end?: number } | 'none' | undefined;

/** validateDateParams: JSON.parse errors and invalid dates are plain Errors (400). */
function dateRange(property: string, raw: string | undefined): Range | ApiResult {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return plainError((e as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object') {
    // a JSON string has keys ('0', '1', ...): the query becomes `{ts: {}}` and matches nothing
    return typeof parsed === 'string' && parsed.length > 0 ? 'none' : undefined;
  }
  const { start, end } = parsed as { start?: unknown; end?: unknown };
  if (start && Number.isNaN(Date.parse(String(start)))) return plainError(`The "${property}.start" query parameter must be a valid date.`);
  if (end && Number.isNaN(Date.parse(String(end)))) return plainError(`The "${property}.end" query parameter must be a valid date.`);
  if (Object.keys(parsed).length === 0) return undefined;
  const out: { start?: number; end?: number } = {};
  if (start) out.start = new Date(start as string).getTime();
  if (end) out.end = new Date(end as string).getTime();
  return out;
}

function inRange(value: unknown, range: Range): boolean {
  if (range === undefined) return true;
  if (range === 'none' || typeof value !== 'string') return false;
  const ms = Date.parse(value);
  return (range.start === undefined || ms >= range.start) && (range.end === undefined || ms <= range.end);
}

const truthy = (v: string | undefined): boolean => v !== undefined && ['t', 'true', '1'].includes(v);

type Pred = (r: Doc) => boolean;

/** findRoomsWithCriteria: later keys of the query object override earlier ones (open → onhold → queued). */
function stateFilters(p: Params): Pred[] {
  const keys = new Map<string, Pred>();
  const open = one(p, 'open');
  if (open === 'true' || open === 'false') {
    const want = open === 'true';
    keys.set('open', (r) => (r.open !== undefined) === want);
    keys.set('onHold', (r) => r.onHold !== true);
    if (want) keys.set('servedBy', (r) => r.servedBy !== undefined);
  }
  if (truthy(one(p, 'onhold'))) keys.set('onHold', (r) => r.onHold === true);
  if (truthy(one(p, 'queued'))) {
    keys.set('servedBy', (r) => r.servedBy === undefined);
    keys.set('open', (r) => r.open === true);
    keys.set('onHold', (r) => r.onHold !== true);
  }
  return [...keys.values()];
}

function customFieldFilters(raw: string | undefined): Pred[] | ApiResult {
  if (!raw) return [];
  const bad = plainError('The "customFields" query parameter must be a valid JSON.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return bad;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad;
  const out: Pred[] = [];
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    let re: RegExp;
    try {
      re = new RegExp(String(v), 'i');
    } catch (e) {
      return plainError((e as Error).message);
    }
    out.push((r) => {
      const x = (r.livechatData as Doc | undefined)?.[k];
      return typeof x === 'string' && re.test(x);
    });
  }
  return out;
}

function criteria(p: Params, created: Range, closed: Range, custom: Pred[]): Pred[] {
  const preds: Pred[] = [isLivechat];
  const agents = p.get('agents');
  if (agents) preds.push((r) => agents.includes((r.servedBy as Doc | undefined)?._id as string) || agents.includes((r.servedBy as Doc | undefined)?.username as string));
  const roomName = one(p, 'roomName');
  if (roomName) {
    const re = new RegExp(escapeRegExp(roomName), 'i');
    preds.push((r) => typeof r.fname === 'string' && re.test(r.fname));
  }
  const dept = p.get('departmentId');
  if (dept && dept[0] !== 'undefined') preds.push((r) => dept.includes(r.departmentId as string));
  if (created !== undefined) preds.push((r) => inRange(r.ts, created));
  if (closed !== undefined) preds.push((r) => inRange(r.closedAt, closed));
  const tags = p.get('tags');
  if (tags) preds.push((r) => Array.isArray(r.tags) && r.tags.some((t) => tags.includes(t as string)));
  return [...preds, ...custom, ...stateFilters(p)];
}

function canList(identity: Identity, p: Params): boolean {
  if (identity.permissions.has('view-livechat-rooms')) return true;
  const agents = p.get('agents');
  return identity.permissions.has('view-l-room') && agents !== undefined && agents.length === 1 && agents[0] === identity.userId;
}

export const livechatRoomsRoute: RouteDef = {
  path: '/api/v1/livechat/rooms', auth: true, rateLimited: true, recordsKey: 'rooms',
  handle(ctx: HandlerContext) {
    const { ds } = ctx;
    if (!storeOf(ds).enabled) return omnichannelDisabled();
    const p = paramsOf(ctx.query);
    const invalid = schemaError(LIVECHAT_ROOMS_SCHEMA, p);
    if (invalid) return legacyInvalid(invalid);
    const sort = sortOf(p);
    if (isResult(sort)) return sort;
    const created = dateRange('createdAt', one(p, 'createdAt'));
    if (isResult(created)) return created;
    const closed = dateRange('closedAt', one(p, 'closedAt'));
    if (isResult(closed)) return closed;
    if (!canList(ctx.identity as Identity, p)) return err.forbidden();
    const custom = customFieldFilters(one(p, 'customFields'));
    if (isResult(custom)) return custom;
    const preds = criteria(p, created, closed, custom);
    const matching = ds.rooms.filter((r) => preds.every((f) => f(r)));
    const sorted = sortStable(matching, sort ?? [['ts', -1]]);
    const records = pageSlice(sorted, ctx.page).map((r) => {
      const out = structuredClone(r);
      const dept = departmentById(storeOf(ds), r.departmentId);
      if (dept) out.department = { _id: dept._id as string, name: dept.name as string };
      return out;
    });
    return envelope('rooms', records, ctx.page, sorted.length);
  },
};


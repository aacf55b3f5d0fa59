/**
 * GET /api/v1/chat.syncMessages: the legacy route of Rocket.Chat 8.x with the typed validation
 * body, checks in the server's order, lastUpdate mode (whole delta, `ts` descending, trash
 * `{_id,_deletedAt}`, no `cursor` key) and cursor mode (`type` + `next`/`previous`, limit count+1,
 * tokens from mountNextCursor/mountPreviousCursor). Sources:
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/app/api/server/v1/chat.ts and
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/publications/messages.ts
 */
import { iso } from '../data/common.js';
import type { ApiResult, HandlerContext, RouteDef } from '../routes/common.js';
import type { Identity } from '../identities.js';
import type { Doc, Json } from '../mongo.js';
import { canAccessRoom, canReadRoom } from './access.js';
import { deletedAfter, deletedPage, updatedAfter, updatedPage } from './queries.js';
import { messageStore } from './registry.js';
import { servedDoc } from './render.js';
import type { MessageStore, RoomSlot } from './store.js';
import { validate, type MessageSchema } from './validate.js';

export const SYNC_MESSAGES_SCHEMA: MessageSchema = {
  required: ['roomId'],
  fields: [
    { name: 'roomId', type: 'string' }, { name: 'lastUpdate', type: 'string' }, { name: 'count', type: 'number' },
    { name: 'next', type: 'string' }, { name: 'previous', type: 'string' },
    { name: 'type', type: 'string', enum: ['UPDATED', 'DELETED'] }, { name: 'fromTs', type: 'string', format: 'iso-date-time' },
  ],
};

export function meteorError(code: string, reason: string, details?: Doc): ApiResult {
  const body: ApiResult['body'] = { success: false, error: `${reason} [${code}]`, errorType: code };
  if (details) body.details = details;
  return { status: 400, body };
}

export const plainError = (message: string): ApiResult => ({ status: 400, body: { success: false, error: message } });

/** A row as the cursor helpers see it (the original code reads `_updatedAt`/`_deletedAt` of documents). */
interface CursorRow { _updatedAt?: number; _deletedAt?: number }

function cursorFrom(m: CursorRow | undefined, type: string): string {
  const row = m as CursorRow; // undefined throws a TypeError, as in the server
  if (type === 'UPDATED' && row._updatedAt !== undefined) return String(row._updatedAt);
  if (type === 'DELETED' && row._deletedAt !== undefined) return String(row._deletedAt);
  throw new CursorError();
}

class CursorError extends Error {}

/** mountNextCursor, line by line. */
export function nextCursor(rows: CursorRow[], count: number, type: string, next?: string, previous?: string): string | null {
  if (rows.length === 0) return null;
  if (previous) return cursorFrom(rows[0], type);
  if (rows.length <= count && next) return null;
  if (rows.length > count && next) return cursorFrom(rows[rows.length - 2], type);
  return cursorFrom(rows[rows.length - 1], type);
}

/** mountPreviousCursor, line by line. */
export function previousCursor(rows: CursorRow[], count: number, type: string, next?: string, previous?: string): string | null {
  if (rows.length === 0) return null;
  if (rows.length <= count && next) return cursorFrom(rows[0], type);
  if (rows.length > count && next) return cursorFrom(rows[0], type);
  if (rows.length <= count && previous) return null;
  if (rows.length > count && previous) return cursorFrom(rows[rows.length - 2], type);
  return cursorFrom(rows[0], type);
}

class InvalidDate extends Error {}

/** extractTimestampFromCursor: parseInt, then a valid Date or Error('Invalid Date'). */
export function cursorMs(token: string): number {
  const t = parseInt(token, 10);
  if (Number.isNaN(t) || Number.isNaN(new Date(t).getTime())) throw new InvalidDate('Invalid Date');
  return t;
}

interface Params { roomId: string; lastUpdate?: string; type?: string; next?: string; previous?: string; count?: number }

function handle(ctx: HandlerContext): ApiResult {
  const v = validate(SYNC_MESSAGES_SCHEMA, ctx.query);
  if ('error' in v) return v.error;
  const q = v.values as Record<string, Json>;
  const roomId = q.roomId as string;
  const lastUpdate = q.lastUpdate as string | null | undefined;
  const type = q.type as string | null | undefined;
  if (!roomId) return meteorError('error-param-required', 'The required "roomId" query param is missing');
  if (!lastUpdate && !type) return meteorError('error-param-required', 'The "type" or "lastUpdate" parameters must be provided');
  if (lastUpdate && Number.isNaN(Date.parse(lastUpdate))) {
    return meteorError('error-lastUpdate-param-invalid', 'The "lastUpdate" query parameter must be a valid date');
  }
  const p: Params = { roomId };
  if (lastUpdate) p.lastUpdate = lastUpdate;
  if (q.next) p.next = q.next as string;
  if (q.previous) p.previous = q.previous as string;
  if (q.count) p.count = q.count as number;
  if (type) p.type = type;
  try {
    return messageHistory(ctx, p);
  } catch (e) {
    if (e instanceof InvalidDate || e instanceof TypeError) return plainError(e.message);
    if (e instanceof CursorError) return meteorError('error-cursor-not-found', 'Cursor not found', { method: 'messages/get' });
    throw e;
  }
}

/** getMessageHistory with the REST handler's options. */
function messageHistory(ctx: HandlerContext, p: Params): ApiResult {
  const identity = ctx.identity as Identity;
  const room = ctx.ds.roomById.get(p.roomId);
  if (!canAccessRoom(ctx.ds, identity, room)) return meteorError('error-not-allowed', 'Not allowed', { method: 'messages/get' });
  const { next, previous, type, lastUpdate } = p;
  const count = p.count ?? 20;
  if ((next || previous) && !type) {
    return meteorError('error-type-param-required', 'The "type" parameter is required when using the "next" or "previous" parameters');
  }
  if (next && previous) return meteorError('error-cursor-conflict', 'You cannot provide both "next" and "previous" parameters');
  if ((next || previous) && lastUpdate) {
    return meteorError('error-cursor-and-lastUpdate-conflict', 'The attributes "next", "previous" and "lastUpdate" cannot be used together');
  }
  const ok = (result: Record<string, Json>): ApiResult => ({ status: 200, body: { result, success: true } });
  const store = messageStore(ctx.ds);
  const slot = store.slotOf(p.roomId);
  if (!((next || previous) && type) && !lastUpdate) {
    // getChannelHistory: its result has no `updated`, so the route answers empty lists; false → failure()
    return canReadRoom(ctx.ds, identity, room) ? ok({ updated: [], deleted: [] }) : { status: 400, body: { success: false } };
  }
  if (lastUpdate) {
    const ms = new Date(lastUpdate).getTime();
    const updated = slot ? updatedAfter(store, slot, ms).map((i) => servedDoc(store, i, identity.userId)) : [];
    const deleted = slot ? deletedAfter(store, slot, ms).map((r) => ({ _id: store.id(r.i), _deletedAt: iso(r.del) })) : [];
    return ok({ updated, deleted });
  }
  return ok(cursorPagination(store, slot, type as string, count, next, previous, identity.userId));
}

function cursorPagination(
  store: MessageStore, slot: RoomSlot | undefined, type: string, count: number, next: string | undefined, previous: string | undefined, reader: string,
): Record<string, Json> {
  const dir = next ? 'next' : 'previous';
  const ms = cursorMs((next ?? previous) as string);
  const limit = count + 1;
  let rows: CursorRow[];
  let ids: number[] = [];
  let dels: number[] = [];
  if (type === 'UPDATED') {
    ids = slot ? updatedPage(store, slot, dir, ms, limit) : [];
    rows = ids.map((i) => ({ _updatedAt: store.upd[i] as number }));
  } else {
    const t = slot ? deletedPage(store, slot, dir, ms, limit) : [];
    ids = t.map((r) => r.i);
    dels = t.map((r) => r.del);
    rows = t.map((r) => ({ _deletedAt: r.del }));
  }
  const cursor = { next: nextCursor(rows, count, type, next, previous), previous: previousCursor(rows, count, type, next, previous) };
  const n = rows.length > count ? rows.length - 1 : rows.length;
  const updated = type === 'UPDATED' ? ids.slice(0, n).map((i) => servedDoc(store, i, reader)) : [];
  const deleted = type === 'DELETED' ? ids.slice(0, n).map((i, k) => ({ _id: store.id(i), _deletedAt: iso(dels[k] as number) })) : [];
  return { updated, deleted, cursor };
}

export const syncMessagesRoute: RouteDef = {
  path: '/api/v1/chat.syncMessages', auth: true, rateLimited: true, stream: 'messages',
  validate: (q) => { const v = validate(SYNC_MESSAGES_SCHEMA, q); return 'error' in v ? v.error : undefined; },
  handle,
};

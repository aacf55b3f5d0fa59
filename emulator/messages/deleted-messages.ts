/**
 * GET /api/v1/chat.getDeletedMessages?roomId=&since=: ids of a room's trash entries deleted after
 * `since`, natural order, offset/count/total (getPaginationItems). No room-access check at all: any
 * logged-in caller lists any room's deletions, even of rooms that no longer exist. An Invalid Date
 * that passes the format check (`…T23:59:60Z`) reaches MongoDB as epoch 0 [inferred: js-bson
 * serialises NaN dates as 0], so it lists everything. Source:
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/app/api/server/v1/chat.ts
 */
import type { ApiResult, HandlerContext, RouteDef } from '../routes/common.js';
import { trashRows } from './queries.js';
import { messageStore } from './registry.js';
import { validate, type MessageSchema } from './validate.js';

export const DELETED_MESSAGES_SCHEMA: MessageSchema = {
  required: ['roomId', 'since'],
  fields: [
    { name: 'roomId', type: 'string', minLength: 1 }, { name: 'since', type: 'string', minLength: 1, format: 'iso-date-time' },
    { name: 'count', type: 'number' }, { name: 'offset', type: 'number' }, { name: 'sort', type: 'string' },
  ],
};

function handle(ctx: HandlerContext): ApiResult {
  const v = validate(DELETED_MESSAGES_SCHEMA, ctx.query);
  if ('error' in v) return v.error;
  const roomId = v.values.roomId as string;
  let since = new Date(v.values.since as string).getTime();
  if (Number.isNaN(since)) since = 0;
  const store = messageStore(ctx.ds);
  const slot = store.slotOf(roomId);
  const rows = slot ? trashRows(store, slot).filter((r) => r.del > since) : [];
  const { offset, count } = ctx.page;
  const page = count === 0 ? rows.slice(offset) : rows.slice(offset, offset + count);
  const messages = page.map((r) => ({ _id: store.id(r.i) }));
  return { status: 200, body: { messages, count: messages.length, offset, total: rows.length, success: true } };
}

export const getDeletedMessagesRoute: RouteDef = {
  path: '/api/v1/chat.getDeletedMessages', auth: true, rateLimited: true,
  validate: (q) => { const v = validate(DELETED_MESSAGES_SCHEMA, q); return 'error' in v ? v.error : undefined; },
  handle,
};

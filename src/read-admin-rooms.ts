import type { SelectedStream } from './catalog.js';
import { applyIncremental, updatedSince, type Removal } from './incremental.js';
import { logger } from './log.js';
import type { ApiRecord } from './paginate.js';
import { sortedPages } from './read-offset.js';
import type { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import type { AdminRoomsStream } from './streams.js';
import type { SyncContext } from './sync-context.js';

const log = logger('tap-rocketchat');

export interface AdminRoomsResult {
  bookmark: Bookmark;
  deletions: number;
}

/**
 * The rooms stream in the workspace scope. rooms.adminRooms lists every room (all types named,
 * paged by `_id`) but projects a short field list without `_updatedAt`, `lm` or `lastMessage`;
 * the rooms the token's user is in are completed from one rooms.get, whose documents carry every
 * field the subscribed scope emits. Every run emits every room (no route filters rooms by change
 * workspace-wide), so a FULL_TABLE read retires deleted rooms by ACTIVATE_VERSION; an
 * INCREMENTAL read also emits deletion records from rooms.get's `remove`, which is
 * workspace-wide, since the bookmark (docs/rocketchat-api-notes.md#workspace-endpoints).
 */
export async function readAdminRooms(
  def: AdminRoomsStream, sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean,
): Promise<AdminRoomsResult> {
  const previous = ctx.state.bookmark(def.name);
  const since = incremental ? updatedSince(previous, ctx.settings.startDate) : undefined;
  const expect = { recordsKey: 'update', removedKey: def.incremental.removedKey, ids: true };
  const options = { stream: def.name, expect, signal: ctx.signal };
  const own = (await ctx.client.get(def.enrichFrom, {}, options)).update as ApiRecord[];
  const full = new Map(own.map((r) => [r._id, r]));
  let listed = 0;
  let enriched = 0;
  for await (const batch of sortedPages(def, ctx, { emitter })) {
    const records = batch.records.map((room) => {
      const doc = full.get(room._id);
      if (!doc) return room;
      enriched++;
      return { ...room, ...doc };
    });
    listed += records.length;
    await emitter.emit(records);
  }
  log.info(`rooms: ${listed} rooms in the workspace, ${enriched} of them completed from rooms.get (the token's user is in them)`);
  if (!incremental) return { bookmark: {}, deletions: 0 };
  const removed = since ? ((await ctx.client.get(def.enrichFrom, { [def.incremental.param]: since }, options)).remove as Removal[]) : [];
  const result = applyIncremental(own, removed, previous);
  const wantDeletions = !sel.fields || sel.fields.has('_sdc_deleted_at');
  if (wantDeletions) await emitter.emit(result.deletions);
  return { bookmark: result.bookmark ?? previous ?? {}, deletions: wantDeletions ? result.deletions.length : 0 };
}

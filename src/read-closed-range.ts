import type { SelectedStream } from './catalog.js';
import { OVERLAP_MS } from './incremental.js';
import { logger } from './log.js';
import type { ApiRecord } from './paginate.js';
import { sortedPages } from './read-offset.js';
import type { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import type { ClosedRangeStream } from './streams.js';
import type { SyncContext } from './sync-context.js';

const log = logger('tap-rocketchat');

/** The livechat_rooms bookmark: the newest `closedAt` read, and what was emitted near it. */
export interface ClosedRangeBookmark extends Bookmark {
  replication_key: 'closedAt';
  replication_key_value: string;
  /** `_id` → `closedAt` of the rooms emitted within OVERLAP_MS of the bookmark. */
  overlap: Record<string, string>;
  /** When an incremental run last read every room (livechat_rooms_full_read_hours). */
  full_read_at?: string;
}

export interface ClosedRangeResult {
  bookmark: Bookmark;
  deletions: number;
}

/**
 * livechat/rooms has no `updatedSince`; it filters on `closedAt` (inclusive at both ends) and on
 * the room state (docs/rocketchat-api-notes.md#omnichannel). An incremental run reads
 * 1. the rooms closed since the bookmark, asking from OVERLAP_MS before it (`closedAt` is set by
 *    the server when the room closes; the window covers rooms committed out of order) and
 *    dropping the rooms the previous run emitted at those instants, then
 * 2. every room that is not closed: served, queued and on hold, in full (a support workspace has
 *    few at a time),
 * in that order, so a room closing during the run is read once now or by the next run. A room
 * seen twice in one run (it moved between states while we read) is emitted once. Changes to a
 * room after it closed (tags, custom fields, a transcript) are not visible this way: a FULL_TABLE
 * read, or livechat_rooms_full_read_hours, reads every room again.
 * A full read asks for every room at once, without a state or date filter.
 */
export async function readClosedRange(
  def: ClosedRangeStream, _sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean,
): Promise<ClosedRangeResult> {
  const emitted = new Set<string>();
  const emit = async (records: readonly ApiRecord[]): Promise<void> => {
    const fresh = records.filter((r) => !emitted.has(r._id) && Boolean(emitted.add(r._id)));
    await emitter.emit(fresh);
  };
  if (!incremental) {
    for await (const batch of sortedPages(def, ctx, { emitter })) await emit(batch.records);
    return { bookmark: {}, deletions: 0 };
  }
  const previous = ctx.state.bookmark(def.name) as Partial<ClosedRangeBookmark> | undefined;
  const mark = typeof previous?.replication_key_value === 'string' ? previous.replication_key_value : undefined;
  const hours = ctx.settings.livechatRoomsFullReadHours;
  const fullRead = hours > 0 && (previous?.full_read_at === undefined || ctx.runStartedMs - Date.parse(previous.full_read_at) >= hours * 3_600_000);
  const tracker = new ClosedTracker(mark, fullRead ? {} : (previous?.overlap ?? {}));
  if (fullRead) {
    log.info(`${def.name}: reading every room (the last full read is more than ${hours} hours old)`);
    for await (const batch of sortedPages(def, ctx, { emitter })) await emit(tracker.fresh(batch.records));
  } else {
    const since = mark ? new Date(Date.parse(mark) - OVERLAP_MS).toISOString() : ctx.settings.startDate;
    const at = since ? { since } : { filter: def.closedFilter };
    for await (const batch of sortedPages(def, ctx, { at, emitter })) await emit(tracker.fresh(batch.records));
    for (const filter of def.openStates) {
      for await (const batch of sortedPages(def, ctx, { at: { filter }, emitter })) await emit(batch.records);
    }
  }
  const bookmark: Bookmark = tracker.bookmark() ?? { ...(previous ?? {}) };
  const fullAt = fullRead ? new Date(ctx.runStartedMs).toISOString() : previous?.full_read_at;
  if (fullAt !== undefined) bookmark.full_read_at = fullAt;
  log.info(`${def.name}: ${emitted.size} rooms${mark && !fullRead ? ` (closed since ${mark}, and every open, queued and on-hold room)` : ''}`);
  return { bookmark, deletions: 0 };
}

/** Drops the closed rooms the previous run emitted at the same `closedAt`, and finds the next bookmark. */
class ClosedTracker {
  private newestMs: number;
  private readonly stamps: Array<[string, string, number]> = [];

  constructor(private newest: string | undefined, private readonly seen: Record<string, string>) {
    this.newestMs = newest ? Date.parse(newest) : -Infinity;
  }

  fresh(records: readonly ApiRecord[]): ApiRecord[] {
    return records.filter((r) => {
      const stamp = r.closedAt;
      if (typeof stamp !== 'string' || Number.isNaN(Date.parse(stamp))) return true;
      const ms = Date.parse(stamp);
      this.stamps.push([r._id, stamp, ms]);
      if (ms > this.newestMs) {
        this.newestMs = ms;
        this.newest = stamp;
      }
      return this.seen[r._id] !== stamp;
    });
  }

  bookmark(): ClosedRangeBookmark | undefined {
    if (this.newest === undefined) return undefined;
    const windowStart = this.newestMs - OVERLAP_MS;
    const overlap: Record<string, string> = {};
    for (const [id, stamp] of Object.entries(this.seen)) if (Date.parse(stamp) > windowStart) overlap[id] = stamp;
    for (const [id, stamp, ms] of this.stamps) if (ms > windowStart) overlap[id] = stamp;
    return { replication_key: 'closedAt', replication_key_value: this.newest, overlap };
  }
}

import type { SelectedStream } from './catalog.js';
import { logger } from './log.js';
import { readRoom, type RoomReader } from './messages/read-room.js';
import { RoomBookmarks, type RoomPartition } from './messages/room-bookmarks.js';
import { narrowsRooms, roomSelected, type RoomRef } from './messages/room-filter.js';
import { subscribedScopeRooms, workspaceScopeRooms } from './messages/room-list.js';
import { isRoomRefused } from './messages/sync-messages-api.js';
import type { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import type { PerRoomStream } from './streams.js';
import type { SyncContext } from './sync-context.js';
import { errorMessage } from './errors.js';

const log = logger('tap-rocketchat');

/** STATE after a page or a room at most this often, unless the room emitted a page's worth or more (then always). */
const STATE_INTERVAL_MS = 1000;
/** Trash entries expire after 30 days (docs/rocketchat-api-notes.md#message-deletions). */
const TOMBSTONE_TTL_MS = 30 * 86_400_000;

export interface PerRoomResult {
  bookmark: Bookmark;
  deletions: number;
  /** Whether every room of the stream was read: only then may a full read retire vanished rows. */
  complete: boolean;
}

interface RunCounts {
  records: number;
  deletions: number;
  read: number;
  unchanged: number;
  refused: string[];
}

/**
 * The messages of every selected room, each room from its own bookmark. Rooms are read
 * `max_concurrency` at a time; an ordinary token's shared chat.syncMessages budget paces them
 * (src/rate-limit.ts). A room the server refuses is skipped with a warning, never fatal.
 */
export async function readPerRoom(def: PerRoomStream, sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean): Promise<PerRoomResult> {
  const bookmarks = new RoomBookmarks(incremental ? ctx.state.bookmark(def.name) : undefined);
  // The live object: every STATE from now on carries each room's progress.
  ctx.state.setBookmark(def.name, bookmarks.value, () => bookmarks.jsonParts());
  const m = ctx.settings.messages;
  const workspace = ctx.settings.scope === 'workspace';
  const listed = workspace ? await workspaceScopeRooms(ctx) : { rooms: await subscribedScopeRooms(ctx), unreadable: 0 };
  const rooms = listed.rooms.filter((room) => roomSelected(room, m.rooms));
  const fullPass = !m.skipUnchangedRooms || passDue(bookmarks.value.full_pass_at, m.fullPassHours);
  warnStaleBookmarks(rooms, bookmarks);
  const counts: RunCounts = { records: 0, deletions: 0, read: 0, unchanged: 0, refused: [] };
  const reader = roomReader(def, sel, ctx, emitter);
  const queue = [...rooms];
  let done = 0;
  const track = (): void => ctx.progress?.track(def.name, { unit: 'rooms', total: rooms.length, done, records: emitter.count });
  track();
  const worker = async (): Promise<void> => {
    for (let room = queue.shift(); room; room = queue.shift()) {
      await readOne(room, bookmarks, reader, fullPass, counts, !workspace);
      done++;
      track();
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.settings.maxConcurrency, Math.max(1, rooms.length)) }, worker));
  const complete = counts.refused.length === 0 && !narrowsRooms(m.rooms);
  if (fullPass && counts.refused.length === 0) bookmarks.value.full_pass_at = new Date(ctx.runStartedMs).toISOString();
  if (workspace && listed.unreadable + counts.refused.length > 0) {
    log.warn(
      `messages: ${listed.unreadable + counts.refused.length} rooms of the workspace cannot be read by this token and are skipped ` +
        `(${listed.unreadable} private groups and direct messages its user is not a member of, which no admin permission opens; ` +
        `${counts.refused.length} refused by the server when asked)`,
    );
  }
  log.info(
    `messages: ${rooms.length} rooms selected: ${counts.read} read, ${counts.unchanged} unchanged since their last read (skipped), ` +
      `${counts.refused.length} refused by the server; ${counts.records} messages, ${counts.deletions} deletions`,
  );
  return { bookmark: bookmarks.value, deletions: counts.deletions, complete };
}

function roomReader(def: PerRoomStream, sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter): RoomReader {
  let lastState = Date.now();
  return {
    ctx, def, emitter,
    pageSize: ctx.settings.messages.pageSize,
    startMs: ctx.settings.startDate ? Date.parse(ctx.settings.startDate) : undefined,
    wantDeletions: !sel.fields || sel.fields.has('_sdc_deleted_at'),
    checkpoint: async (emitted) => {
      // After a page that emitted messages always, so a killed run re-reads at most that page.
      if (!emitted && Date.now() - lastState < STATE_INTERVAL_MS) return;
      lastState = Date.now();
      await ctx.writer.stateParts(ctx.state.jsonParts());
    },
  };
}

async function readOne(room: RoomRef, bookmarks: RoomBookmarks, reader: RoomReader, fullPass: boolean, counts: RunCounts, warnEach: boolean): Promise<void> {
  const known = bookmarks.get(room._id);
  if (!fullPass && known && unchanged(room, known)) {
    counts.unchanged++;
    return;
  }
  const p = bookmarks.open(room._id);
  try {
    const got = await readRoom(room, p, reader);
    counts.records += got.records;
    counts.deletions += got.deletions;
    counts.read++;
    if (room._updatedAt) p.room_updated_at = room._updatedAt;
    // A room that emitted a page's worth or more is checkpointed at once, so a killed run re-reads
    // none of it. Smaller rooms wait for the next checkpoint (at most STATE_INTERVAL_MS): a STATE
    // carries every room's bookmark, so one per room made the STATE bytes grow with rooms²
    // (818 rooms, 100k messages: 69 MB of STATE for 55 MB of records); a killed run re-reads
    // at most their one page each.
    if (got.records + got.deletions >= reader.pageSize) await reader.ctx.writer.stateParts(reader.ctx.state.jsonParts());
    else if (got.records + got.deletions > 0) await reader.checkpoint(false);
  } catch (err) {
    if (!isRoomRefused(err)) throw err;
    counts.refused.push(room._id);
    if (warnEach) log.warn(`messages: room ${roomLabel(room)} is skipped: the server refused to read it (${errorMessage(err)})`);
  } finally {
    bookmarks.close(p);
  }
}

/** Nothing was posted, deleted or re-stamped in the room since its last read. */
function unchanged(room: RoomRef, p: RoomPartition): boolean {
  return p.backfill === undefined && p.replication_key_value !== undefined && room._updatedAt !== undefined && p.room_updated_at === room._updatedAt;
}

function passDue(lastPass: string | undefined, hours: number): boolean {
  return hours === 0 || lastPass === undefined || Date.now() - Date.parse(lastPass) >= hours * 3_600_000;
}

function warnStaleBookmarks(rooms: readonly RoomRef[], bookmarks: RoomBookmarks): void {
  const stale = rooms.filter((room) => {
    const mark = bookmarks.get(room._id)?.replication_key_value;
    return mark !== undefined && Date.now() - Date.parse(mark) > TOMBSTONE_TTL_MS && room._updatedAt !== bookmarks.get(room._id)?.room_updated_at;
  });
  if (stale.length > 0) {
    log.warn(
      `messages: ${stale.length} rooms were last read more than 30 days ago: deletions older than 30 days are no longer visible ` +
        '(Rocket.Chat keeps tombstones 30 days); a FULL_TABLE read of messages retires them',
    );
  }
}

function roomLabel(room: RoomRef): string {
  const name = room.fname ?? room.name;
  return name ? `${JSON.stringify(name)} (${room._id})` : room._id;
}

import { applyIncremental, OVERLAP_MS } from '../incremental.js';
import type { EncodedRecords } from '../paginate.js';
import type { Bookmark } from '../state.js';
import type { RecordEmitter } from '../record-emitter.js';
import type { PerRoomStream } from '../streams.js';
import type { SyncContext } from '../sync-context.js';
import type { RoomPartition } from './room-bookmarks.js';
import type { RoomRef } from './room-filter.js';
import { syncMessages, type MessageRow, type SyncMessagesPage } from './sync-messages-api.js';
import { TieSafeCursor } from './tie-safe-cursor.js';
import { rewrite } from './emitted-message.js';

export interface RoomReader {
  ctx: SyncContext;
  def: PerRoomStream;
  emitter: RecordEmitter;
  pageSize: number;
  /** Epoch ms of start_date: a backfill reads messages updated after it. */
  startMs: number | undefined;
  wantDeletions: boolean;
  /**
   * Called after each page's records and the room's partition are up to date: writes STATE at
   * once when the page emitted records, otherwise at most every second.
   */
  checkpoint: (emitted: boolean) => Promise<void>;
}

export interface RoomCounts {
  records: number;
  deletions: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads one room: a backfill (resumed where a killed run left it) or one incremental request. */
export async function readRoom(room: RoomRef, p: RoomPartition, r: RoomReader): Promise<RoomCounts> {
  return p.replication_key_value !== undefined && p.backfill === undefined ? incremental(room, p, r) : backfill(room, p, r);
}

/**
 * Cursor mode over `_updatedAt`, tie-safe (src/messages/tie-safe-cursor.ts). Tombstones are not
 * read: a first read never had the deleted messages. The bookmark it leaves is the greatest stamp
 * seen, but never later than when the backfill began, so that deletions made during a long
 * backfill (of messages it had already emitted) are caught by the next incremental read.
 */
async function backfill(room: RoomRef, p: RoomPartition, r: RoomReader): Promise<RoomCounts> {
  const started = p.backfill?.started ?? iso(Date.now() - OVERLAP_MS);
  const cursor = new TieSafeCursor(p.backfill?.next ?? r.startMs ?? 0, r.pageSize, p.backfill?.at_edge);
  const tail = new OverlapTail();
  let records = 0;
  while (!cursor.done) {
    const { next, count } = cursor.request;
    const page = await syncMessages(r.def, r.ctx, room._id, { mode: 'cursor', next, count }, !r.emitter.projects);
    const fresh = cursor.accept(page.updated, page.more);
    records += await emitMessages(fresh, page, r);
    tail.addPage(page.updated);
    const { next: at, atEdge } = cursor.position;
    p.backfill = { next: at, at_edge: atEdge, started };
    // At once while the room goes on; its last page is checkpointed with the room (src/read-per-room.ts).
    await r.checkpoint(fresh.length > 0 && !cursor.done);
  }
  const startedMs = Date.parse(started);
  delete p.backfill;
  p.replication_key = '_updatedAt';
  if (tail.newestMs !== undefined && tail.newestMs < startedMs) {
    p.replication_key_value = tail.newest;
    p.overlap = tail.window();
  } else {
    p.replication_key_value = started;
    delete p.overlap;
  }
  return { records, deletions: 0 };
}

/**
 * lastUpdate mode from the bookmark minus the overlap: every update and every tombstone since,
 * in one response (docs/rocketchat-api-notes.md#messages); what the previous read emitted in
 * the overlap window is dropped (src/incremental.ts).
 */
async function incremental(room: RoomRef, p: RoomPartition, r: RoomReader): Promise<RoomCounts> {
  const lastUpdate = iso(Date.parse(p.replication_key_value!) - OVERLAP_MS);
  const page = await syncMessages(r.def, r.ctx, room._id, { mode: 'lastUpdate', lastUpdate }, !r.emitter.projects);
  const result = applyIncremental(page.updated, page.deleted, p as unknown as Bookmark);
  const records = await emitMessages(result.records as MessageRow[], page, r);
  let deletions = 0;
  if (r.wantDeletions && result.deletions.length > 0) {
    await r.emitter.emit(result.deletions.map((d) => ({ _id: d._id, rid: room._id, _sdc_deleted_at: d._sdc_deleted_at })));
    deletions = result.deletions.length;
  }
  if (result.bookmark) {
    p.replication_key = '_updatedAt';
    p.replication_key_value = result.bookmark.replication_key_value;
    p.overlap = result.bookmark.overlap;
  }
  await r.checkpoint(false); // the caller writes STATE after a room that emitted records
  return { records, deletions };
}

/**
 * Emits messages, copying their bytes out of the response where it can; only a message that
 * must be changed first (see `rewrite`) is encoded again. (Re-encoding the whole page instead
 * made nearly every page of 1,000 pay JSON.stringify: about 1 in 200 messages is a `t:'rm'`.)
 */
async function emitMessages(rows: MessageRow[], page: SyncMessagesPage, r: RoomReader): Promise<number> {
  if (rows.length === 0) return 0;
  await r.emitter.emit(rows, subset(rows, page), rewrite);
  return rows.length;
}

/** The byte spans of `rows`, a subset of the page's `updated` in its order. */
function subset(rows: readonly MessageRow[], page: SyncMessagesPage): EncodedRecords | undefined {
  const { encoded } = page;
  if (!encoded) return undefined;
  if (rows.length === page.updated.length) return encoded;
  // Usually the page less its first rows (the edge millisecond already emitted): an ordered
  // subset whose ends sit as far apart as its length is that contiguous run.
  const from = page.updated.length - rows.length;
  if (rows.length > 0 && rows[0] === page.updated[from] && rows[rows.length - 1] === page.updated[page.updated.length - 1]) {
    return { bytes: encoded.bytes, spans: encoded.spans.slice(from) };
  }
  const index = new Map(page.updated.map((m, i) => [m, i]));
  return { bytes: encoded.bytes, spans: rows.map((m) => encoded.spans[index.get(m)!]!) };
}

/**
 * The newest stamp seen, and the ids within OVERLAP_MS under it (the bookmark's overlap map).
 * Pages come in ascending `_updatedAt`, so only each page's last rows can enter the window.
 */
class OverlapTail {
  newestMs: number | undefined;
  newest: string | undefined;
  /** `_id` → [stamp, epoch ms], in the order the rows came. */
  private readonly entries = new Map<string, [string, number]>();

  addPage(rows: readonly MessageRow[]): void {
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    const lastMs = Date.parse(last._updatedAt);
    if (this.newestMs === undefined || lastMs > this.newestMs) {
      this.newestMs = lastMs;
      this.newest = last._updatedAt;
    }
    const cutoff = this.newestMs - OVERLAP_MS;
    for (const [id, [, ms]] of this.entries) if (ms <= cutoff) this.entries.delete(id);
    let first = rows.length;
    while (first > 0 && Date.parse(rows[first - 1]!._updatedAt) > cutoff) first--;
    for (let i = first; i < rows.length; i++) this.entries.set(rows[i]!._id, [rows[i]!._updatedAt, Date.parse(rows[i]!._updatedAt)]);
  }

  window(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, [stamp]] of this.entries) out[id] = stamp;
    return out;
  }
}

import type { SelectedStream } from './catalog.js';
import { logger } from './log.js';
import { timer } from './metrics.js';
import { readDelta } from './read-delta.js';
import { readOffset } from './read-offset.js';
import { readPerRoom } from './read-per-room.js';
import { readSingle } from './read-single.js';
import { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import { readAdminRooms } from './read-admin-rooms.js';
import { readClosedRange } from './read-closed-range.js';
import { readDocument } from './read-document.js';
import { readNatural } from './read-natural.js';
import { scoped } from './scope.js';
import { unservableReason } from './skip.js';
import { KEY_PROPERTIES, replicationKey, type StreamDef } from './streams.js';
import type { StreamSummary, SyncContext } from './sync-context.js';


const log = logger('tap-rocketchat');

interface ReadResult {
  bookmark: Bookmark;
  deletions: number;
  /** False when part of a full read was skipped: then no ACTIVATE_VERSION may retire rows. */
  complete?: boolean;
}

/** Dispatches on the stream's read mode; a mode without a reader here does not compile. */
async function read(def: StreamDef, sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean): Promise<ReadResult> {
  switch (def.read) {
    case 'offset':
      await readOffset(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'natural':
      await readNatural(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'single':
      await readSingle(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'document':
      await readDocument(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'delta':
      return readDelta(def, sel, ctx, emitter, incremental);
    case 'admin-rooms':
      return readAdminRooms(def, sel, ctx, emitter, incremental);
    case 'closed-range':
      return readClosedRange(def, sel, ctx, emitter, incremental);
    case 'per-room':
      return readPerRoom(def, sel, ctx, emitter, incremental);
  }
}

/** Reads one stream, in full or from its bookmark, and writes SCHEMA, RECORDs and a STATE. */
export async function syncStream(sel: SelectedStream, ctx: SyncContext): Promise<StreamSummary> {
  const def = scoped(sel.def, ctx.settings.scope);
  const started = Date.now();
  const key = replicationKey(def);
  const incremental = sel.replicationMethod === 'INCREMENTAL' && key !== undefined;
  // Full reads carry a version so a target can retire rows that vanished (ACTIVATE_VERSION);
  // a snapshot stream keeps its history, so it is never versioned.
  const version = !incremental && ctx.settings.activateVersion && def.read !== 'document' ? ctx.runStartedMs : undefined;
  await ctx.writer.schema(def.name, sel.schema, KEY_PROPERTIES, incremental ? [key] : undefined);
  const emitter = new RecordEmitter(sel, ctx, version);

  let result: ReadResult;
  try {
    result = await read(def, sel, ctx, emitter, incremental);
  } catch (err) {
    const reason = def.optional ? unservableReason(def, err) : undefined;
    if (reason === undefined) throw err;
    log.warn(`stream ${def.name} is skipped: ${reason} (GET ${def.path}); the other streams go on`);
    emitter.finish();
    return { stream: def.name, records: emitter.count, deletions: 0, skipped: true };
  }
  let { bookmark } = result;
  const { deletions, complete } = result;
  if (version !== undefined && complete !== false) {
    // Only after a complete read: a version activated before the records, or by a run that then
    // failed, would make the target retire rows that still exist.
    await ctx.writer.activateVersion(def.name, version);
    bookmark = { ...bookmark, version };
  } else if (version !== undefined) {
    log.warn(`${def.name}: not every room was read in this full read, so no ACTIVATE_VERSION is sent (it would retire the rows of the rooms not read)`);
  }
  emitter.finish();
  ctx.state.setBookmark(def.name, bookmark);
  await ctx.writer.stateParts(ctx.state.jsonParts());
  timer('sync_duration', (Date.now() - started) / 1000, { stream: def.name });
  return { stream: def.name, records: emitter.count - deletions, deletions };
}

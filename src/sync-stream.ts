import type { SelectedStream } from './catalog.js';
import { logger } from './log.js';
import { timer } from './metrics.js';
import { readDelta } from './read-delta.js';
import { readOffset } from './read-offset.js';
import { readPerRoom } from './read-per-room.js';
import { readSingle } from './read-single.js';
import { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import { KEY_PROPERTIES, replicationKey } from './streams.js';
import type { StreamSummary, SyncContext } from './sync-context.js';


const log = logger('tap-rocketchat');

interface ReadResult {
  bookmark: Bookmark;
  deletions: number;
  /** False when part of a full read was skipped: then no ACTIVATE_VERSION may retire rows. */
  complete?: boolean;
}

/** Dispatches on the stream's read mode; a mode without a reader here does not compile. */
async function read(sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean): Promise<ReadResult> {
  const { def } = sel;
  switch (def.read) {
    case 'offset':
      await readOffset(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'single':
      await readSingle(def, ctx, emitter);
      return { bookmark: {}, deletions: 0 };
    case 'delta':
      return readDelta(def, sel, ctx, emitter, incremental);
    case 'per-room':
      return readPerRoom(def, sel, ctx, emitter, incremental);
  }
}

/** Reads one stream, in full or from its bookmark, and writes SCHEMA, RECORDs and a STATE. */
export async function syncStream(sel: SelectedStream, ctx: SyncContext): Promise<StreamSummary> {
  const { def } = sel;
  const started = Date.now();
  const key = replicationKey(def);
  const incremental = sel.replicationMethod === 'INCREMENTAL' && key !== undefined;
  // Full reads carry a version so a target can retire rows that vanished (ACTIVATE_VERSION).
  const version = !incremental && ctx.settings.activateVersion ? ctx.runStartedMs : undefined;
  await ctx.writer.schema(def.name, sel.schema, KEY_PROPERTIES, incremental ? [key] : undefined);
  const emitter = new RecordEmitter(sel, ctx, version);

  let { bookmark, deletions, complete } = await read(sel, ctx, emitter, incremental);
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
  await ctx.writer.state(ctx.state.value());
  timer('sync_duration', (Date.now() - started) / 1000, { stream: def.name });
  return { stream: def.name, records: emitter.count - deletions, deletions };
}

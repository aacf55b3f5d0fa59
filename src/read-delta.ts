import type { SelectedStream } from './catalog.js';
import { applyIncremental, updatedSince, type Removal } from './incremental.js';
import { logger } from './log.js';
import type { ApiRecord } from './paginate.js';
import type { RecordEmitter } from './record-emitter.js';
import type { Bookmark } from './state.js';
import { requestParams, type DeltaStream } from './streams.js';
import { requestOptions, type SyncContext } from './sync-context.js';

const log = logger('tap-rocketchat');

export interface DeltaResult {
  bookmark: Bookmark;
  deletions: number;
}

/**
 * One request to a route that answers `{update, remove}`. Incremental: from the bookmark (with
 * an overlap, see src/incremental.ts), with `remove` turned into deletion records. Full: no
 * bookmark parameter, `remove` ignored. Returns the stream's next bookmark.
 */
export async function readDelta(def: DeltaStream, sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean): Promise<DeltaResult> {
  const previous = ctx.state.bookmark(def.name);
  const since = incremental ? updatedSince(previous, ctx.settings.startDate) : undefined;
  const body = await ctx.client.get(def.path, requestParams(def, { since }), requestOptions(def, ctx.signal));
  const records = body[def.recordsKey] as ApiRecord[];
  if (!incremental) {
    await emitter.emit(records);
    return { bookmark: {}, deletions: 0 };
  }
  const removed = body[def.incremental.removedKey];
  const result = applyIncremental(records, Array.isArray(removed) ? (removed as Removal[]) : [], previous);
  await emitter.emit(result.records);
  // A deselected _sdc_deleted_at means the user does not want deletion records.
  const wantDeletions = !sel.fields || sel.fields.has('_sdc_deleted_at');
  if (wantDeletions) await emitter.emit(result.deletions);
  if (since) log.info(`${def.name}: ${result.records.length} changed and ${result.deletions.length} deleted since ${since}`);
  return { bookmark: result.bookmark ?? previous ?? {}, deletions: wantDeletions ? result.deletions.length : 0 };
}

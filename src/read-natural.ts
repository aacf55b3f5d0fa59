import type { ApiRecord } from './paginate.js';
import type { RecordEmitter } from './record-emitter.js';
import { requestParams, type NaturalStream } from './streams.js';
import { requestOptions, type SyncContext } from './sync-context.js';

/**
 * Every page of a route that pages by offset but accepts no sort (teams.listAll: natural order,
 * docs/rocketchat-api-notes.md#list-endpoints). Pages are read one after the other until `total`
 * is reached or a page is empty; a record seen on an earlier page is not emitted again. A record
 * deleted during the read can shift a later one past the read position: the next run has it.
 */
export async function readNatural(def: NaturalStream, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  const options = requestOptions(def, ctx.signal);
  const seen = new Set<string>();
  for (let offset = 0; ;) {
    const body = await ctx.client.get(def.path, requestParams(def, { offset, count: ctx.settings.pageSize }), options);
    const records = body[def.recordsKey] as ApiRecord[];
    const fresh = records.filter((r) => !seen.has(r._id) && Boolean(seen.add(r._id)));
    await emitter.emit(fresh);
    offset += records.length;
    if (records.length === 0 || offset >= (body.total as number)) return;
  }
}

import type { ApiRecord } from './paginate.js';
import type { RecordEmitter } from './record-emitter.js';
import { requestParams, type SingleStream } from './streams.js';
import { requestOptions, type SyncContext } from './sync-context.js';

/** The whole table in one response (roles.list). */
export async function readSingle(def: SingleStream, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  const body = await ctx.client.get(def.path, requestParams(def), requestOptions(def, ctx.signal));
  await emitter.emit(body[def.recordsKey] as ApiRecord[]);
}

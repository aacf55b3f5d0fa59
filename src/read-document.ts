import { HttpError } from './errors.js';
import type { RecordEmitter } from './record-emitter.js';
import { requestParams, type DocumentStream } from './streams.js';
import { requestOptions, type SyncContext } from './sync-context.js';

/**
 * A route whose body is one document (statistics: the last statistics snapshot the server
 * generated, `success` merged in). One record per run, keyed by the document's `_id`, so a target
 * keeps every snapshot; the stream is never versioned (src/sync-stream.ts), so none is retired.
 */
export async function readDocument(def: DocumentStream, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  const body = await ctx.client.get(def.path, requestParams(def), requestOptions(def, ctx.signal));
  const record: Record<string, unknown> = { ...body };
  delete record.success;
  for (const field of def.omit) delete record[field];
  if (typeof record._id !== 'string' || record._id === '') {
    throw new HttpError(`GET ${def.path} returned a ${def.name} document without an _id`, 200, def.path, 1);
  }
  await emitter.emit([record]);
}

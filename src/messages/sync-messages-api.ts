import { isDateTimeString } from '../dates.js';
import { HttpError } from '../errors.js';
import { isObject } from '../is-object.js';
import { arraySpans } from '../json-spans.js';
import type { EncodedRecords } from '../paginate.js';
import type { PerRoomStream } from '../streams.js';
import { requestOptions, type SyncContext } from '../sync-context.js';

/** A message as the tap handles it; the rest of the document is passed through untouched. */
export interface MessageRow extends Record<string, unknown> {
  _id: string;
  rid?: string;
  _updatedAt: string;
  t?: string;
}

export interface Tombstone {
  _id: string;
  _deletedAt: string;
}

export interface SyncMessagesPage {
  updated: MessageRow[];
  deleted: Tombstone[];
  /** Cursor mode only: whether `cursor.next` was not null (more rows after this page). */
  more: boolean;
  /** Where `updated` sits in the response bytes, when it can be copied out as it is. */
  encoded?: EncodedRecords;
}

export type SyncMessagesQuery =
  | { mode: 'cursor'; next: number; count: number }
  | { mode: 'lastUpdate'; lastUpdate: string };

/**
 * GET chat.syncMessages for one room, in one of its two modes, never with offset, sort, query or
 * fields, which the route rejects (docs/rocketchat-api-notes.md#messages). `type` always goes
 * with `next`: `type` alone is an empty success.
 */
export async function syncMessages(def: PerRoomStream, ctx: SyncContext, roomId: string, q: SyncMessagesQuery, copyBytes: boolean): Promise<SyncMessagesPage> {
  const params: Record<string, string | number> =
    q.mode === 'cursor' ? { roomId, type: 'UPDATED', next: String(q.next), count: q.count } : { roomId, lastUpdate: q.lastUpdate };
  const options = requestOptions(def, ctx.signal);
  let body: Record<string, unknown>;
  let bytes: Buffer | undefined;
  if (copyBytes && ctx.client.getWithBytes) ({ body, bytes } = await ctx.client.getWithBytes(def.path, params, options));
  else body = await ctx.client.get(def.path, params, options);
  // The classifier checked result.updated and result.deleted and their ids (src/classify.ts).
  const result = body.result as Record<string, unknown>;
  const updated = result.updated as MessageRow[];
  for (const m of updated) {
    if (!isDateTimeString(m._updatedAt)) {
      throw new HttpError(`GET ${def.path} for room ${roomId} returned message ${m._id} without a valid _updatedAt`, 200, def.path, 1);
    }
  }
  const cursor = isObject(result.cursor) ? result.cursor : undefined;
  const page: SyncMessagesPage = { updated, deleted: result.deleted as Tombstone[], more: cursor?.next !== null && cursor?.next !== undefined };
  const spans = bytes && !bytes.includes(0x0a) ? arraySpans(bytes, ['result', 'updated']) : undefined;
  if (bytes && spans && spans.length === updated.length) page.encoded = { bytes, spans };
  return page;
}

/** Whether the server refused the room: no access, or it no longer exists (400 error-not-allowed). */
export function isRoomRefused(err: unknown): boolean {
  return err instanceof HttpError && err.status === 400 && /error-not-allowed|\bNot allowed\b/i.test(err.message);
}

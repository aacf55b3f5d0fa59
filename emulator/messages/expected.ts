/**
 * What a caller reads, for tests to compare a tap's output with id for id: per room, the visible
 * messages (served to that caller) with `_updatedAt > since` and the tombstones with
 * `_deletedAt > since` still in the trash — what one lastUpdate read (or a complete, tie-safe
 * cursor walk plus the trash) returns. Rooms the caller cannot access are listed as denied.
 */
import { iso } from '../data/common.js';
import { type Dataset } from '../data/dataset.js';
import type { Identity } from '../identities.js';
import type { Doc } from '../mongo.js';
import { canAccessRoom } from './access.js';
import { deletedAfter, updatedAfter } from './queries.js';
import { messageStore } from './registry.js';
import { servedDoc } from './render.js';

export interface ExpectedRoomMessages {
  rid: string;
  /** Served documents, `ts` descending. */
  updated: Doc[];
  /** `{_id, _deletedAt}`, `ts` descending. */
  deleted: Doc[];
}

export interface ExpectedMessagesOptions {
  /** Rooms to read (default: every room the caller can access). */
  rids?: readonly string[];
  /** ISO date: only changes after it (default: everything). */
  since?: string;
}

export interface ExpectedMessages {
  rooms: ExpectedRoomMessages[];
  /** Requested rooms the caller may not read (or that do not exist): the route answers error-not-allowed. */
  denied: string[];
}

/** Rooms whose messages `identity` may read with chat.syncMessages, in natural order. */
export function readableRooms(ds: Dataset, identity: Identity): string[] {
  return ds.rooms.filter((r) => canAccessRoom(ds, identity, r)).map((r) => r._id as string);
}

export function expectedMessages(ds: Dataset, identity: Identity, opts: ExpectedMessagesOptions = {}): ExpectedMessages {
  const store = messageStore(ds);
  const since = opts.since === undefined ? -Infinity : Date.parse(opts.since);
  if (Number.isNaN(since)) throw new Error(`since is not a date: ${opts.since}`);
  const out: ExpectedMessages = { rooms: [], denied: [] };
  for (const rid of opts.rids ?? readableRooms(ds, identity)) {
    if (!canAccessRoom(ds, identity, ds.roomById.get(rid))) { out.denied.push(rid); continue; }
    const slot = store.slotOf(rid);
    out.rooms.push({
      rid,
      updated: slot ? updatedAfter(store, slot, since).map((i) => servedDoc(store, i, identity.userId)) : [],
      deleted: slot ? deletedAfter(store, slot, since).map((r) => ({ _id: store.id(r.i), _deletedAt: iso(r.del) })) : [],
    });
  }
  return out;
}

/** Every trash entry of a room still within the TTL, natural order (what chat.getDeletedMessages pages through). */
export function expectedDeletedIds(ds: Dataset, rid: string, since?: string): string[] {
  const store = messageStore(ds);
  const slot = store.slotOf(rid);
  const ms = since === undefined ? -Infinity : Date.parse(since);
  if (!slot) return [];
  const out: string[] = [];
  for (let k = 0; k < slot.trash.idx.length; k++) {
    const del = slot.trash.del[k] as number;
    if (del > ms && store.inTrash(del)) out.push(store.id(slot.trash.idx[k] as number));
  }
  return out;
}

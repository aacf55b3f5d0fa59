/**
 * The queries behind the message routes, over one room of the store:
 * findForUpdates `{rid, _hidden != true, _updatedAt: {$gt|$lt}}` and the trash finds
 * `{rid, _deletedAt: {$gt|$lt}}` (entries past the TTL are gone). Ties in a sort keep natural order
 * (ascending) or its reverse (descending), like a MongoDB index scan.
 */
import { F_HIDDEN, type MessageStore, type RoomSlot } from './store.js';

export interface TrashRow {
  i: number;
  del: number;
}

/** Mongo `limit` semantics: 0 = none, negative = |n| (single batch); fractions truncated. */
export function effectiveLimit(limit: number): number {
  const n = Math.trunc(Math.abs(limit));
  return n === 0 ? Infinity : n;
}

/** Visible messages with _updatedAt > ms, sorted by ts descending (lastUpdate mode). */
export function updatedAfter(store: MessageStore, slot: RoomSlot, ms: number): number[] {
  const out: number[] = [];
  const start = slot.byUpd.lowerBound((v) => (store.upd[v] as number) <= ms);
  const k = slot.byUpd.length - start;
  if (k < slot.members.length / 8) {
    for (let p = start; p < slot.byUpd.length; p++) {
      const i = slot.byUpd.at(p);
      if (((store.flags[i] as number) & F_HIDDEN) === 0) out.push(i);
    }
    return out.sort((a, b) => (store.ts[b] as number) - (store.ts[a] as number) || b - a);
  }
  for (let p = slot.members.length - 1; p >= 0; p--) {
    const i = slot.members.at(p);
    if (store.isVisible(i) && (store.upd[i] as number) > ms) out.push(i);
  }
  return out;
}

/** One cursor query on messages: `_updatedAt > ms` ascending, or `< ms` descending. */
export function updatedPage(store: MessageStore, slot: RoomSlot, dir: 'next' | 'previous', ms: number, limit: number): number[] {
  const max = effectiveLimit(limit);
  const out: number[] = [];
  if (dir === 'next') {
    for (let p = slot.byUpd.lowerBound((v) => (store.upd[v] as number) <= ms); p < slot.byUpd.length && out.length < max; p++) {
      const i = slot.byUpd.at(p);
      if (((store.flags[i] as number) & F_HIDDEN) === 0) out.push(i);
    }
  } else {
    for (let p = slot.byUpd.lowerBound((v) => (store.upd[v] as number) < ms) - 1; p >= 0 && out.length < max; p--) {
      const i = slot.byUpd.at(p);
      if (((store.flags[i] as number) & F_HIDDEN) === 0) out.push(i);
    }
  }
  return out;
}

/** Trash entries of a room still within the TTL, natural order. */
export function trashRows(store: MessageStore, slot: RoomSlot): TrashRow[] {
  const out: TrashRow[] = [];
  const { idx, del } = slot.trash;
  for (let k = 0; k < idx.length; k++) {
    const d = del[k] as number;
    if (store.inTrash(d)) out.push({ i: idx[k] as number, del: d });
  }
  return out;
}

/** trashFindDeletedAfter with sort {ts:-1} (lastUpdate mode). */
export function deletedAfter(store: MessageStore, slot: RoomSlot, ms: number): TrashRow[] {
  return trashRows(store, slot).filter((r) => r.del > ms)
    .map((r, n) => ({ r, n })).sort((a, b) => (store.ts[b.r.i] as number) - (store.ts[a.r.i] as number) || b.n - a.n).map(({ r }) => r);
}

/** The DELETED cursor query: filtered on _deletedAt, but sorted on the original _updatedAt. */
export function deletedPage(store: MessageStore, slot: RoomSlot, dir: 'next' | 'previous', ms: number, limit: number): TrashRow[] {
  const rows = trashRows(store, slot).filter((r) => (dir === 'next' ? r.del > ms : r.del < ms));
  const sign = dir === 'next' ? 1 : -1;
  const sorted = rows.map((r, n) => ({ r, n }))
    .sort((a, b) => sign * ((store.upd[a.r.i] as number) - (store.upd[b.r.i] as number) || a.n - b.n))
    .map(({ r }) => r);
  const max = effectiveLimit(limit);
  return max === Infinity ? sorted : sorted.slice(0, max);
}

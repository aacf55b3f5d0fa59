/**
 * Builds the message store of a Dataset: `total` messages over every room that has had a message
 * (channels, groups, team rooms, DMs, discussions, livechat), one room (GENERAL) holding about 40 %
 * of them, thread replies with their parents' counters, one `discussion-created` message per
 * discussion in its parent room, blocks of messages re-stamped with one millisecond (read-receipt
 * bulk updates) sized to straddle cursor pages of 2…1000 rows, hidden messages, and a trash with
 * `_deletedAt` in the 45 days before the dataset clock (about a third already past the 30-day TTL).
 * A million messages take a few seconds: only typed-array columns are filled here.
 */
import { DATA_END_MS } from '../data/common.js';
import { type Dataset } from '../data/dataset.js';
import { FIXED_USERS, F_HUMAN } from '../data/user-flags.js';
import { identityUserIndex, IDENTITY_NAMES } from '../identities.js';
import type { Doc } from '../mongo.js';
import { chance, int, rngFor, type Rng } from '../prng.js';
import { IndexList } from './index-list.js';
import { CAP_MS, cap, kindFor, planOf, plannedUpdate, threadable } from './plan.js';
import { F_HIDDEN, F_TIE, F_TRASHED, K, MessageStore, type RoomSlot } from './store.js';

const S_LAYOUT = 32;
const S_SLOT = 33;
const HEAVY_SHARE = 0.4;
/** Read-receipt blocks, largest first; one longer than 1000 rows straddles every page size ≤ 1000. */
const TIE_SIZES = [1001, 610, 377, 233, 144, 89, 55, 34, 21, 13, 8, 5, 3, 2];

export function buildMessageStore(ds: Dataset, total: number): MessageStore {
  const rooms = ds.rooms.filter((r) => r.lm !== undefined);
  const discussionsByParent = new Map<string, Doc[]>();
  for (const r of ds.rooms) if (r.prid) discussionsByParent.set(r.prid as string, [...(discussionsByParent.get(r.prid as string) ?? []), r]);
  const counts = distribute(ds, rooms, Math.max(0, Math.floor(total)));
  let capacity = 0;
  for (const n of counts.values()) capacity += n;
  capacity += ds.rooms.filter((r) => r.prid).length;
  const store = new MessageStore(ds, capacity + 64);
  for (const r of ds.rooms) {
    if (r.t === 'c' && !r.teamId && typeof r.name === 'string') store.publicRooms.push({ _id: r._id as string, name: r.name });
  }
  for (const r of ds.rooms) initSlot(store, r);
  const trashBase = Math.max(DATA_END_MS, ds.now());
  const order = [...ds.rooms.filter((r) => r.prid), ...ds.rooms.filter((r) => !r.prid)];
  const heavy = heavyRoom(rooms);
  for (const room of order) {
    const n = counts.get(room._id as string) ?? 0;
    const extras = (discussionsByParent.get(room._id as string) ?? []).map((d) => discussionEvent(store, d));
    if (n === 0 && extras.length === 0) continue;
    fillRoom(store, room, n, extras, room === heavy);
  }
  for (const slot of store.slots) finishSlot(store, slot, trashBase);
  return store;
}

function heavyRoom(rooms: Doc[]): Doc | undefined {
  return rooms.find((r) => r._id === 'GENERAL') ?? rooms.find((r) => r.t === 'c');
}

/** Messages per room: 40 % to the heavy room, the rest by a heavy-tailed weight (at least 1 each when there is room). */
function distribute(ds: Dataset, rooms: Doc[], total: number): Map<string, number> {
  const out = new Map<string, number>();
  if (rooms.length === 0 || total === 0) return out;
  const rng = rngFor(ds.seed, S_LAYOUT);
  const heavy = heavyRoom(rooms);
  const others = rooms.filter((r) => r !== heavy);
  const heavyN = heavy ? Math.round(total * (others.length === 0 ? 1 : HEAVY_SHARE)) : 0;
  if (heavy) out.set(heavy._id as string, heavyN);
  const rest = total - heavyN;
  const weights = others.map((r) => {
    const w = Math.pow(1 - rng(), -0.9);
    return r.t === 'l' ? w * 0.1 : r.t === 'd' ? w * 0.5 : w;
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const base = rest >= others.length * 4 ? 1 : 0;
  let given = 0;
  others.forEach((r, k) => {
    const n = base + Math.floor(((rest - base * others.length) * (weights[k] as number)) / sum);
    out.set(r._id as string, n);
    given += n;
  });
  for (let k = 0; given < rest && others.length > 0; k = (k + 1) % others.length, given++) {
    const id = (others[k] as Doc)._id as string;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

function initSlot(store: MessageStore, room: Doc): void {
  const ds = store.ds;
  const s = store.slotFor(room._id as string, room.t as string);
  const slot = store.slots[s] as RoomSlot;
  slot.encrypted = room.encrypted === true;
  const rng = rngFor(ds.seed, S_SLOT, s);
  if (room.t === 'd') {
    slot.authors = ((room.uids as string[] | undefined) ?? []).map((id) => (id === 'rocket.cat' ? 0 : ds.users.indexOf(id))).filter((i) => i >= 0);
  } else if (room.t === 'l') {
    slot.authors = [-1, -1, identityUserIndex('admin')];
  } else {
    const pool: number[] = [];
    for (const n of IDENTITY_NAMES) if (ds.isSubscribed(ds.identities[n].userId, room._id as string)) pool.push(identityUserIndex(n));
    const humans = room._id === 'GENERAL' ? 60 : int(rng, 3, 40);
    for (let k = 0; k < humans; k++) pool.splice(int(rng, 0, pool.length), 0, randomHuman(ds, rng));
    slot.authors = pool;
  }
}

function randomHuman(ds: Dataset, rng: Rng): number {
  const n = ds.users.baseCount;
  for (let tries = 0; tries < 100; tries++) {
    const i = int(rng, FIXED_USERS, Math.max(FIXED_USERS, n - 1));
    if (i < n && ((ds.users.flags[i] ?? 0) & F_HUMAN) !== 0) return i;
  }
  return identityUserIndex('user');
}

interface Extra { ts: number; drid: string; dcount: number; dlm: number }

function discussionEvent(store: MessageStore, d: Doc): Extra {
  const slot = store.slotOf(d._id as string);
  let dlm = Date.parse(d.ts as string);
  let dcount = 0;
  if (slot) {
    for (let k = 0; k < slot.members.length; k++) {
      const i = slot.members.at(k);
      if (store.isVisible(i)) dcount++;
      dlm = Math.max(dlm, store.ts[i] as number);
    }
  }
  return { ts: cap(Date.parse(d.ts as string)), drid: d._id as string, dcount, dlm: cap(dlm) };
}

/** Sorted creation times for `n` messages between the room's creation and its last message. */
function timeline(rng: Rng, room: Doc, n: number): Float64Array {
  const t0 = Date.parse(room.ts as string) + 1_000;
  const t1 = Math.max(t0, cap(Date.parse((room.lm as string | undefined) ?? (room.ts as string))));
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = t0 + Math.floor(rng() * (t1 - t0 + 1));
  out.sort();
  if (n > 0) out[n - 1] = t1;
  return out;
}

function fillRoom(store: MessageStore, room: Doc, n: number, extras: Extra[], heavy: boolean): void {
  const s = store.slotByRid.get(room._id as string) as number;
  const slot = store.slots[s] as RoomSlot;
  const rng = rngFor(store.ds.seed, S_SLOT + 100, s);
  const times = timeline(rng, room, n);
  extras.sort((a, b) => a.ts - b.ts);
  const roots: number[] = [];
  let e = 0;
  for (let k = 0; k < n || e < extras.length; ) {
    const i = store.allocate();
    store.room[i] = s;
    const extra = extras[e];
    if (extra && (k >= n || extra.ts <= (times[k] as number))) {
      store.ts[i] = extra.ts;
      store.kind[i] = K.DISCUSSION;
      store.discussions.set(i, { drid: extra.drid, dcount: extra.dcount, dlm: extra.dlm });
      const p = planOf(store, i);
      store.author[i] = p.author;
      store.upd[i] = cap(Math.max(extra.ts, extra.dlm) + 1 + p.baseDelay);
      e++;
    } else {
      store.ts[i] = times[k] as number;
      placeMessage(store, slot, i, k, heavy, roots, rng);
      k++;
    }
    slot.members.push(i);
  }
}

function placeMessage(store: MessageStore, slot: RoomSlot, i: number, k: number, heavy: boolean, roots: number[], rng: Rng): void {
  const p = planOf(store, i);
  let kind = kindFor(p.kindRoll, slot.t, slot.encrypted);
  if (slot.t === 'l' && k === 0) kind = K.LIVECHAT_START;
  if (heavy && k >= 1 && k <= 24) kind = k === 1 ? K.LONG : K.NASTY_FIXED;
  store.kind[i] = kind;
  store.author[i] = kind === K.VISITOR ? -1 : kind === K.TEXT && slot.t === 'l' ? identityUserIndex('admin') : p.author === -1 ? identityUserIndex('admin') : p.author;
  const ts = store.ts[i] as number;
  store.upd[i] = plannedUpdate(p, kind, ts);
  if (kind === K.HIDDEN_COPY || (kind === K.TEXT && chance(rng, 0.004))) store.flags[i] = F_HIDDEN;
  if (!threadable(kind) || store.flags[i] !== 0) return;
  if (roots.length > 2 && chance(rng, 0.12)) {
    const parent = roots[int(rng, Math.max(0, roots.length - 20), roots.length - 1)] as number;
    store.parent[i] = parent;
    const info = store.threads.get(parent) ?? { count: 0, lastTs: 0, followers: [store.author[parent] as number] };
    info.count++;
    info.lastTs = ts;
    const a = store.author[i] as number;
    if (!info.followers.includes(a)) info.followers.push(a);
    store.threads.set(parent, info);
    store.upd[parent] = Math.max(store.upd[parent] as number, cap(ts + int(rng, 1, 30)));
  } else roots.push(i);
}

/** Ties, trash and the _updatedAt order of one room. */
function finishSlot(store: MessageStore, slot: RoomSlot, trashBase: number): void {
  const s = store.slotByRid.get(slot.rid) as number;
  const rng = rngFor(store.ds.seed, S_SLOT + 200, s);
  const n = slot.members.length;
  if (n >= 40 && tieRooms(store).has(slot.rid)) makeTies(store, slot, rng);
  const trashed: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const i = slot.members.at(k);
    const eligible = store.flags[i] === 0 && store.parent[i] === -1 && !store.threads.has(i) && store.kind[i] !== K.DISCUSSION;
    if (!eligible || !chance(rng, 0.05)) continue;
    const u = store.upd[i] as number;
    let del = Math.max(u + int(rng, 1_000, 5 * 86_400_000), trashBase - int(rng, 60_000, 45 * 86_400_000));
    if (del >= trashBase) del = Math.max(u + 1, trashBase - int(rng, 1_000, 59_000));
    store.flags[i] = F_TRASHED;
    trashed.push([i, del]);
  }
  trashed.sort((a, b) => a[1] - b[1]);
  for (const [i, del] of trashed) { slot.trash.idx.push(i); slot.trash.del.push(del); }
  const live: number[] = [];
  for (let k = 0; k < n; k++) { const i = slot.members.at(k); if (((store.flags[i] as number) & F_TRASHED) === 0) live.push(i); }
  const upd = store.upd;
  const sorted = Int32Array.from(live).sort((a, b) => (upd[a] as number) - (upd[b] as number) || a - b);
  slot.byUpd = IndexList.from(sorted);
}

const tieRoomCache = new WeakMap<MessageStore, Set<string>>();
/** The heavy room and the two next biggest rooms get read-receipt blocks. */
function tieRooms(store: MessageStore): Set<string> {
  let set = tieRoomCache.get(store);
  if (!set) {
    const bySize = store.slots.filter((sl) => sl.t !== 'l').sort((a, b) => b.members.length - a.members.length);
    set = new Set(bySize.slice(0, 3).map((sl) => sl.rid));
    tieRoomCache.set(store, set);
  }
  return set;
}

function makeTies(store: MessageStore, slot: RoomSlot, rng: Rng): void {
  const n = slot.members.length;
  let budget = Math.floor(n * 0.75);
  const sizes: number[] = [];
  for (const size of TIE_SIZES) if (size <= budget) { sizes.push(size); budget -= size; }
  const gaps = Math.max(0, Math.floor((n - 30) * 0.95) - sizes.reduce((a, b) => a + b, 0));
  let k = 25;
  for (const size of sizes.sort(() => rng() - 0.5)) {
    k += int(rng, 0, Math.max(0, Math.floor(gaps / (sizes.length + 1))));
    const block: number[] = [];
    while (block.length < size && k < n) {
      const i = slot.members.at(k++);
      if (store.flags[i] === 0) block.push(i);
    }
    if (block.length < 2) break;
    let ms = 0;
    for (const i of block) ms = Math.max(ms, store.upd[i] as number);
    ms = Math.min(ms + 1, CAP_MS);
    if (block.some((i) => (store.upd[i] as number) > ms)) continue;
    for (const i of block) { store.upd[i] = ms; store.flags[i] = F_TIE; }
    store.ties.push({ rid: slot.rid, ms, size: block.length });
  }
}

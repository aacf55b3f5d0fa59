/**
 * The messages collection and its trash, compact enough for a million messages: per message only
 * typed-array columns (room slot, ts, _updatedAt, kind, flags, author, thread parent); documents
 * are regenerated from (seed, index) on demand (generate.ts) and only mutated ones are kept as
 * objects. Per room: messages in natural (= ts) order, and the live ones sorted by
 * (_updatedAt, index), so a cursor page is a binary search plus the page; the trash in natural
 * (deletion) order with `_deletedAt` and a 30-day expiry measured on the dataset clock.
 */
import type { Dataset } from '../data/dataset.js';
import type { Doc } from '../mongo.js';
import { IndexList } from './index-list.js';
import { indexOfId, messageId, hiddenCopyId } from './ids.js';

export const F_HIDDEN = 1;
export const F_TRASHED = 2;
export const F_TIE = 4;

export const K = {
  TEXT: 0, SYSTEM: 1, FILE: 2, URL: 3, QUOTE: 4, INTEGRATION: 5, DISCUSSION: 6, E2E: 7, VISITOR: 8,
  LIVECHAT_SYS: 9, RM: 10, HIDDEN_COPY: 11, LONG: 12, NASTY: 13, NASTY_FIXED: 14, LIVECHAT_START: 15,
} as const;

/** Message settings (Rocket.Chat defaults, except UI_Use_Real_Name, on here). */
export interface MessageSettings {
  Message_KeepHistory: boolean;
  Message_ShowDeletedStatus: boolean;
  UI_Use_Real_Name: boolean;
  /** Trash TTL (`{_deletedAt:1}` expireAfterSeconds 2592000). */
  trashTtlMs: number;
}

export const DEFAULT_MESSAGE_SETTINGS: Readonly<MessageSettings> = {
  Message_KeepHistory: false, Message_ShowDeletedStatus: false, UI_Use_Real_Name: true, trashTtlMs: 30 * 86_400_000,
};

export interface TrashList {
  /** Message index of each entry, natural order. */
  idx: number[];
  del: number[];
}

export interface RoomSlot {
  rid: string;
  t: string;
  encrypted: boolean;
  /** Author pool (user indexes; -1 = the livechat visitor). */
  authors: number[];
  /** Every message ever stored in the room, natural order (= ts order). */
  members: IndexList;
  /** Live messages (not trashed), by (_updatedAt, index). */
  byUpd: IndexList;
  trash: TrashList;
}

export interface ThreadInfo {
  count: number;
  lastTs: number;
  /** User indexes following the thread (author first). */
  followers: number[];
}

export interface DiscussionInfo {
  drid: string;
  dcount: number;
  dlm: number;
}

export interface TieBlock {
  rid: string;
  ms: number;
  size: number;
}

export class MessageStore {
  n = 0;
  room = new Uint32Array(0);
  ts = new Float64Array(0);
  upd = new Float64Array(0);
  kind = new Uint8Array(0);
  flags = new Uint8Array(0);
  author = new Int32Array(0);
  parent = new Int32Array(0);
  readonly overrides = new Map<number, Doc>();
  readonly threads = new Map<number, ThreadInfo>();
  readonly discussions = new Map<number, DiscussionInfo>();
  readonly slots: RoomSlot[] = [];
  readonly slotByRid = new Map<string, number>();
  readonly ties: TieBlock[] = [];
  /** Public channels that messages may reference (`channels`). */
  readonly publicRooms: Array<{ _id: string; name: string }> = [];
  settings: MessageSettings = { ...DEFAULT_MESSAGE_SETTINGS };
  private userRefCache = new Map<number, Doc>();
  private userRefVersion = -1;
  private usernameIndex = new Map<string, number>();
  private usernameVersion = -1;

  constructor(readonly ds: Dataset, capacity: number) {
    this.grow(capacity);
  }

  grow(capacity: number): void {
    if (capacity <= this.room.length) return;
    const g = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old as never);
      return next;
    };
    this.room = g(this.room, (c) => new Uint32Array(c));
    this.ts = g(this.ts, (c) => new Float64Array(c));
    this.upd = g(this.upd, (c) => new Float64Array(c));
    this.kind = g(this.kind, (c) => new Uint8Array(c));
    this.flags = g(this.flags, (c) => new Uint8Array(c));
    this.author = g(this.author, (c) => new Int32Array(c));
    const p = new Int32Array(capacity).fill(-1);
    p.set(this.parent);
    this.parent = p;
  }

  slotFor(rid: string, t = 'c'): number {
    let s = this.slotByRid.get(rid);
    if (s === undefined) {
      s = this.slots.length;
      this.slots.push({ rid, t, encrypted: false, authors: [], members: new IndexList(), byUpd: new IndexList(), trash: { idx: [], del: [] } });
      this.slotByRid.set(rid, s);
    }
    return s;
  }

  slotOf(rid: string): RoomSlot | undefined {
    const s = this.slotByRid.get(rid);
    return s === undefined ? undefined : this.slots[s];
  }

  id(i: number): string {
    const o = this.overrides.get(i);
    if (o) return o._id as string;
    if (this.kind[i] === K.HIDDEN_COPY) return hiddenCopyId(this.ds.seed, i, this.ts[i] as number);
    return messageId(this.ds.seed, i);
  }

  /** The index of a message (live, hidden or trashed) by `_id`, or -1. */
  indexOf(id: string): number {
    const i = indexOfId(this.ds.seed, id);
    return i >= 0 && i < this.n && this.id(i) === id ? i : -1;
  }

  isLive(i: number): boolean {
    return ((this.flags[i] as number) & F_TRASHED) === 0;
  }

  isVisible(i: number): boolean {
    return ((this.flags[i] as number) & (F_TRASHED | F_HIDDEN)) === 0;
  }

  /** The dataset clock as the server sees it: never behind the last stamp handed out. */
  clockMs(): number {
    return Math.max(this.ds.now(), Date.parse(this.ds.lastStamp));
  }

  /** Whether a trash entry deleted at `delMs` still exists (TTL not yet expired). */
  inTrash(delMs: number): boolean {
    return delMs + this.settings.trashTtlMs > this.clockMs();
  }

  /** {_id, username, name?} of user `u` now (cached per dataset version). */
  userRef(u: number): Doc {
    if (this.userRefVersion !== this.ds.version) {
      this.userRefCache = new Map();
      this.userRefVersion = this.ds.version;
    }
    let r = this.userRefCache.get(u);
    if (!r) {
      r = this.ds.userRef(u);
      this.userRefCache.set(u, r);
    }
    return { ...r };
  }

  /** Index of the live user with this username, or -1 (index rebuilt per dataset version). */
  userByUsername(username: string): number {
    if (this.usernameVersion !== this.ds.version) {
      const users = this.ds.users;
      this.usernameIndex = new Map();
      for (let k = 0; k < users.usernames.length; k++) {
        const un = users.usernames[k];
        if (un !== undefined && users.isAlive(k)) this.usernameIndex.set(un, k);
      }
      this.usernameVersion = this.ds.version;
    }
    return this.usernameIndex.get(username) ?? -1;
  }

  /** Appends a new message index (columns set by the caller afterwards via `place`). */
  allocate(): number {
    if (this.n === this.room.length) this.grow(Math.ceil(this.n * 1.25) + 64);
    return this.n++;
  }

  /** Adds a freshly allocated message to its room's orderings (its ts and _updatedAt are the newest). */
  place(i: number): void {
    const slot = this.slots[this.room[i] as number] as RoomSlot;
    slot.members.push(i);
    slot.byUpd.push(i);
  }

  private cmpKey(i: number, ms: number, j: number): boolean {
    const u = this.upd[i] as number;
    return u < ms || (u === ms && i < j);
  }

  /**
   * Gives messages a new _updatedAt (one millisecond for all: a bulk write). `ms` must not be
   * older than any live stamp of those rooms, which holds for `Dataset.stamp()`.
   */
  restamp(indexes: readonly number[], ms: number): void {
    const bySlot = new Map<number, number[]>();
    for (const i of indexes) {
      if (!this.isLive(i)) continue;
      const s = this.room[i] as number;
      const list = bySlot.get(s);
      if (list) list.push(i); else bySlot.set(s, [i]);
    }
    for (const [s, list] of bySlot) {
      const slot = this.slots[s] as RoomSlot;
      list.sort((a, b) => a - b);
      if (list.length < 32) {
        for (const i of list) {
          const k = slot.byUpd.lowerBound((v) => this.cmpKey(v, this.upd[i] as number, i));
          if (slot.byUpd.at(k) === i) slot.byUpd.removeAt(k);
        }
      } else {
        const gone = new Set(list);
        slot.byUpd.filter((v) => !gone.has(v));
      }
      for (const i of list) {
        this.upd[i] = ms;
        slot.byUpd.push(i);
      }
    }
  }

  /** Moves messages to the trash (hard delete) with one `_deletedAt`. */
  trash(indexes: readonly number[], delMs: number): void {
    const bySlot = new Map<number, number[]>();
    for (const i of indexes) {
      if (!this.isLive(i)) continue;
      this.flags[i] = (this.flags[i] as number) | F_TRASHED;
      const s = this.room[i] as number;
      const list = bySlot.get(s);
      if (list) list.push(i); else bySlot.set(s, [i]);
    }
    for (const [s, list] of bySlot) {
      const slot = this.slots[s] as RoomSlot;
      const gone = new Set(list);
      slot.byUpd.filter((v) => !gone.has(v));
      for (const i of list) { slot.trash.idx.push(i); slot.trash.del.push(delMs); }
    }
  }

  setHidden(i: number, hidden: boolean): void {
    this.flags[i] = hidden ? (this.flags[i] as number) | F_HIDDEN : (this.flags[i] as number) & ~F_HIDDEN;
  }
}

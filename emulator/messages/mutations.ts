/**
 * Message changes between syncs, as the server makes them: each write stamps `_updatedAt` with the
 * next dataset stamp (bulk writes one millisecond for all), deletions follow the three outcomes of
 * deleteMessage() (trash / `t:'rm'` / `_hidden`), thread replies bump their parent, and a username
 * change re-stamps all the user's messages in one millisecond (updateAllUsernamesByUserId). Room
 * deletion (the room mutations' deleteRoomIds) moves the room's messages to the trash: roomDeleted().
 * Source: https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/lib/messages/deleteMessage.ts
 */
import type { Dataset } from '../data/dataset.js';
import { IDENTITY_NAMES, identityUserIndex, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { int, pick, rngFor, type Rng } from '../prng.js';
import { messageId } from './ids.js';
import { planOf, threadable } from './plan.js';
import { messageStore } from './registry.js';
import { rawDoc } from './render.js';
import { K, type MessageSettings, type MessageStore, type RoomSlot } from './store.js';
import { markdown } from './text.js';

export interface MessageMutationSpec {
  /** Who writes (default admin). */
  identity?: IdentityName;
  /** The room (default GENERAL). */
  rid?: string;
  /** Settings changed before anything else (e.g. `{Message_ShowDeletedStatus: true}`). */
  settings?: Partial<MessageSettings>;
  insert?: number;
  /** A number of random messages of the room, or explicit ids (any room). */
  edit?: number | string[];
  react?: number | string[];
  /** Thread replies: to random messages of the room, or to the given parent ids. */
  reply?: number | string[];
  /** Deleted with the current settings (thread parents always keep history and show status). */
  delete?: number | string[];
  /** Renames a user (id; `true` = the room's most active non-caller author): one bulk re-stamp. */
  rename?: string | true;
}

export interface MessageMutationResult {
  inserted: string[];
  updated: string[];
  /** Hard-deleted (now tombstones). */
  deleted: string[];
  /** Soft-deleted with `t:'rm'`. */
  softDeleted: string[];
  /** Hidden with `_hidden: true` (vanished). */
  hidden: string[];
  renamed?: { userId: string; from: string; to: string; ms: number; messages: string[]; mentions: string[] };
}

const S_MSG_MUTATE = 34;
const rngs = new WeakMap<Dataset, Rng>();
function mutationRng(ds: Dataset): Rng {
  let r = rngs.get(ds);
  if (!r) { r = rngFor(ds.seed, S_MSG_MUTATE); rngs.set(ds, r); }
  return r;
}

const stampMs = (ds: Dataset): number => Date.parse(ds.stamp());

export function mutateMessages(ds: Dataset, spec: MessageMutationSpec): MessageMutationResult {
  const store = messageStore(ds);
  const rng = mutationRng(ds);
  const who = spec.identity ?? 'admin';
  if (!IDENTITY_NAMES.includes(who)) throw new Error(`unknown identity ${String(who)}`);
  const rid = spec.rid ?? 'GENERAL';
  const room = ds.roomById.get(rid);
  if (!room) throw new Error(`unknown room ${rid}`);
  const res: MessageMutationResult = { inserted: [], updated: [], deleted: [], softDeleted: [], hidden: [] };
  if (spec.settings) store.settings = { ...store.settings, ...spec.settings };
  const author = identityUserIndex(who);
  const slot = store.slots[store.slotFor(rid, room.t as string)] as RoomSlot;
  for (let k = 0; k < (spec.insert ?? 0); k++) res.inserted.push(insertMessage(store, slot, author, pick(rng, ['new message', 'nouveau ✉️', '新しい', 'ping\u2028pong']), undefined));
  for (const i of targets(store, slot, rng, spec.edit, (j) => editable(store, j))) { editMessage(store, i, author); res.updated.push(store.id(i)); }
  for (const i of targets(store, slot, rng, spec.react, (j) => editable(store, j))) { reactTo(store, i, author, pick(rng, [':+1:', ':tada:', ':rocket:'])); res.updated.push(store.id(i)); }
  for (const p of targets(store, slot, rng, spec.reply, (j) => editable(store, j) && threadable(store.kind[j] as number) && store.parent[j] === -1)) {
    const pslot = store.slots[store.room[p] as number] as RoomSlot;
    res.inserted.push(insertMessage(store, pslot, author, 'reply in thread 🧵', p));
    res.updated.push(store.id(p));
  }
  for (const i of targets(store, slot, rng, spec.delete, (j) => editable(store, j))) deleteMessage(store, i, author, res);
  if (spec.rename !== undefined) res.renamed = rename(store, slot, spec.rename, rng);
  ds.version++;
  return res;
}

function editable(store: MessageStore, i: number): boolean {
  const kind = store.kind[i] as number;
  return store.isVisible(i) && kind !== K.SYSTEM && kind !== K.RM && kind !== K.DISCUSSION && kind !== K.LIVECHAT_START
    && kind !== K.LIVECHAT_SYS && kind !== K.HIDDEN_COPY && rawDoc(store, i).t !== 'rm';
}

function targets(store: MessageStore, slot: RoomSlot, rng: Rng, what: number | string[] | undefined, ok: (i: number) => boolean): number[] {
  if (what === undefined) return [];
  if (Array.isArray(what)) {
    return what.map((id) => {
      const i = store.indexOf(id);
      if (i < 0 || !store.isVisible(i)) throw new Error(`no visible message ${id}`);
      return i;
    });
  }
  const out: number[] = [];
  for (let tries = 0; out.length < what && tries < what * 200 && slot.byUpd.length > 0; tries++) {
    const i = slot.byUpd.at(int(rng, 0, slot.byUpd.length - 1));
    if (ok(i) && !out.includes(i)) out.push(i);
  }
  return out;
}

function keep(store: MessageStore, i: number, doc: Doc, ms: number): void {
  doc._updatedAt = new Date(ms).toISOString();
  store.overrides.set(i, doc);
  store.restamp([i], ms);
}

function roomTouched(store: MessageStore, rid: string, delta: number, lastMessage?: Doc): void {
  const room = store.ds.roomById.get(rid);
  if (!room) return;
  room.msgs = Math.max(0, ((room.msgs as number | undefined) ?? 0) + delta);
  if (lastMessage) { room.lm = lastMessage.ts as string; room.lastMessage = lastMessage; }
  room._updatedAt = store.ds.stamp();
}

function insertMessage(store: MessageStore, slot: RoomSlot, author: number, text: string, parent: number | undefined): string {
  const ms = stampMs(store.ds);
  const i = store.allocate();
  store.room[i] = store.slotByRid.get(slot.rid) as number;
  store.ts[i] = ms;
  store.upd[i] = ms;
  store.kind[i] = K.TEXT;
  store.author[i] = author;
  store.parent[i] = parent ?? -1;
  const doc: Doc = {
    _id: messageId(store.ds.seed, i), rid: slot.rid, msg: text, ts: new Date(ms).toISOString(), u: store.userRef(author),
    _updatedAt: new Date(ms).toISOString(), urls: [], mentions: [], channels: [], md: markdown(text),
  };
  if (parent !== undefined) doc.tmid = store.id(parent);
  store.overrides.set(i, doc);
  store.place(i);
  if (parent !== undefined) {
    const p = rawDoc(store, parent);
    p.tcount = ((p.tcount as number | undefined) ?? 0) + 1;
    p.tlm = doc.ts;
    const uid = (doc.u as Doc)._id as string;
    const replies = (p.replies as string[] | undefined) ?? [(p.u as Doc)._id as string];
    if (!replies.includes(uid)) replies.push(uid);
    p.replies = replies;
    keep(store, parent, p, stampMs(store.ds));
  }
  roomTouched(store, slot.rid, 1, parent === undefined ? structuredClone(doc) : undefined);
  return doc._id as string;
}

function editMessage(store: MessageStore, i: number, author: number): void {
  const ms = stampMs(store.ds);
  const doc = rawDoc(store, i);
  if (store.settings.Message_KeepHistory) hiddenCopy(store, i, doc, ms);
  const text = `${doc.msg as string} (edited ✏️)`;
  doc.msg = text;
  doc.md = markdown(text);
  doc.editedAt = new Date(ms).toISOString();
  const by = store.userRef(author);
  doc.editedBy = { _id: by._id, username: by.username };
  keep(store, i, doc, ms);
}

/** Message_KeepHistory: the old version as a hidden message of its own (ObjectId-like id, `parent`). */
function hiddenCopy(store: MessageStore, i: number, old: Doc, ms: number): void {
  const j = store.allocate();
  store.room[j] = store.room[i] as number;
  store.ts[j] = store.ts[i] as number;
  store.upd[j] = ms;
  store.kind[j] = K.HIDDEN_COPY;
  store.author[j] = store.author[i] as number;
  store.parent[j] = -1;
  store.flags[j] = 1;
  const copy: Doc = { ...structuredClone(old), _id: store.id(j), _hidden: true, parent: old._id, _updatedAt: new Date(ms).toISOString() };
  store.overrides.set(j, copy);
  store.place(j);
}

function reactTo(store: MessageStore, i: number, author: number, emoji: string): void {
  const doc = rawDoc(store, i);
  const reactions = (doc.reactions as Record<string, { usernames: string[] }> | undefined) ?? {};
  const un = store.userRef(author).username as string;
  const entry = reactions[emoji] ?? { usernames: [] };
  if (!entry.usernames.includes(un)) entry.usernames.push(un);
  reactions[emoji] = entry;
  doc.reactions = reactions;
  keep(store, i, doc, stampMs(store.ds));
}

/** deleteMessage(): keepHistory / showDeletedStatus from the settings, both forced for thread parents. */
function deleteMessage(store: MessageStore, i: number, author: number, res: MessageMutationResult): void {
  const doc = rawDoc(store, i);
  const parentOfThread = ((doc.tcount as number | undefined) ?? 0) > 0;
  const keepHistory = store.settings.Message_KeepHistory || parentOfThread;
  const showStatus = store.settings.Message_ShowDeletedStatus || parentOfThread;
  const ms = stampMs(store.ds);
  if (showStatus) {
    if (keepHistory) hiddenCopy(store, i, doc, ms);
    const by = store.userRef(author);
    Object.assign(doc, { t: 'rm', msg: '', urls: [], mentions: [], attachments: [], reactions: {}, editedAt: new Date(ms).toISOString(), editedBy: { _id: by._id, username: by.username } });
    delete doc.md; delete doc.blocks; delete doc.tshow;
    keep(store, i, doc, ms);
    res.softDeleted.push(doc._id as string);
  } else if (keepHistory) {
    doc._hidden = true;
    keep(store, i, doc, ms);
    store.setHidden(i, true);
    res.hidden.push(doc._id as string);
  } else {
    store.overrides.set(i, doc);
    store.trash([i], ms);
    res.deleted.push(doc._id as string);
  }
  const tmid = doc.tmid as string | undefined;
  if (tmid && !showStatus) {
    const p = store.indexOf(tmid);
    if (p >= 0 && store.isLive(p)) {
      const pd = rawDoc(store, p);
      pd.tcount = Math.max(0, ((pd.tcount as number | undefined) ?? 1) - 1);
      keep(store, p, pd, stampMs(store.ds));
    }
  }
  roomTouched(store, doc.rid as string, showStatus ? 0 : -1);
}

/** Hook for the room mutations: a deleted room's messages all go to the trash with its `_deletedAt`. */
export function roomDeleted(ds: Dataset, rid: string, deletedAt: string): void {
  const store = messageStore(ds);
  const slot = store.slotOf(rid);
  if (!slot) return;
  const live: number[] = [];
  for (let k = 0; k < slot.members.length; k++) { const i = slot.members.at(k); if (store.isLive(i)) live.push(i); }
  store.trash(live, Date.parse(deletedAt));
}

function rename(store: MessageStore, slot: RoomSlot, target: string | true, rng: Rng): MessageMutationResult['renamed'] {
  const ds = store.ds;
  const callers = new Set(IDENTITY_NAMES.map((n) => identityUserIndex(n)));
  const u = target === true ? slot.authors.find((a) => a > 0 && !callers.has(a)) ?? -1 : ds.users.indexOf(target);
  if (u < 0 || callers.has(u) || u === 0) throw new Error('rename: pick a user who is not an emulator caller');
  const before = structuredClone(ds.users.doc(u));
  const from = before.username as string;
  const to = `${from}.${pick(rng, ['renamed', 'neu', 'nouveau', '新'])}${int(rng, 1, 99)}`;
  const ms = stampMs(ds);
  ds.users.update(u, { ...before, username: to, _updatedAt: new Date(ms).toISOString() });
  ds.version++;
  const authored: number[] = [];
  const mentioning: number[] = [];
  for (let i = 0; i < store.n; i++) {
    if (!store.isLive(i)) continue;
    const kept = store.overrides.get(i);
    if (kept) {
      let hit = false;
      if ((kept.u as Doc | undefined)?._id === before._id) { (kept.u as Doc).username = to; authored.push(i); continue; }
      for (const m of (kept.mentions as Doc[] | undefined) ?? []) if (m._id === before._id) { m.username = to; hit = true; }
      if (hit) mentioning.push(i);
      continue;
    }
    if (store.author[i] === u) { authored.push(i); continue; }
    const p = planOf(store, i);
    const pool = (store.slots[store.room[i] as number] as RoomSlot).authors;
    if ((p.mention >= 0 && pool[p.mention] === u) || p.reactors.some((k) => pool[k] === u)) mentioning.push(i);
  }
  store.restamp(authored, ms);
  for (const i of authored) { const d = store.overrides.get(i); if (d) d._updatedAt = new Date(ms).toISOString(); }
  const ms2 = stampMs(ds);
  store.restamp(mentioning, ms2);
  for (const i of mentioning) { const d = store.overrides.get(i); if (d) d._updatedAt = new Date(ms2).toISOString(); }
  return { userId: before._id as string, from, to, ms, messages: authored.map((i) => store.id(i)), mentions: mentioning.map((i) => store.id(i)) };
}

/**
 * Omnichannel changes for tests: open a livechat room (queued or served), close it, reopen it,
 * transfer it to another agent or department, add agents and departments, switch Omnichannel off.
 * Touched rooms get a fresh `_updatedAt` stamp; the serving caller's subscription follows the room
 * (created when it serves an open room, moved on transfer, removed to the trash on close).
 */
import type { Dataset } from '../data/dataset.js';
import { identityUserIndex, IDENTITY_NAMES, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { chance, int, meteorId, pick } from '../prng.js';
import { closeFields, contactDoc, linkLastChat, livechatRoomDoc } from './generate.js';
import { agentFieldsOf, agentIndexes, recountAgents, servedOpenBy, storeOf } from './store.js';

export interface OmnichannelMutationSpec {
  /** New rooms of new visitors: served by `servedBy` (an identity, default admin) or queued. */
  openLivechatRooms?: number;
  servedBy?: IdentityName | 'queued';
  closeLivechatRoomIds?: string[];
  /** Closes that many open rooms picked at random. */
  closeLivechatRooms?: number;
  /** Closed rooms become open again, served by `servedBy` (emulator shortcut for a resumed chat). */
  reopenLivechatRoomIds?: string[];
  transferLivechatRoomIds?: string[];
  /** Transfer target: an identity, or a user id holding the livechat-agent role. */
  transferTo?: IdentityName | string;
  transferToDepartmentId?: string;
  /** Gives that many users without it the livechat-agent role. */
  addAgents?: number;
  addDepartments?: number;
  omnichannelEnabled?: boolean;
}

export interface OmnichannelMutationResult {
  rooms: { inserted: string[]; updated: string[] };
  subscriptions: { inserted: string[]; deleted: string[] };
  visitors: string[];
  agents: string[];
  departments: string[];
  lastStamp: string;
}

function agentIndex(ds: Dataset, who: IdentityName | string): number {
  if ((IDENTITY_NAMES as readonly string[]).includes(who)) return identityUserIndex(who as IdentityName);
  const i = ds.users.indexOf(who);
  if (i < 0 || !agentIndexes(ds).includes(i)) throw new Error(`${who} is not a livechat agent`);
  return i;
}

function addSubscription(ds: Dataset, room: Doc, s: string, out: OmnichannelMutationResult): void {
  const uid = (room.servedBy as Doc | undefined)?._id as string | undefined;
  const idn = uid ? ds.identityByUserId(uid) : undefined;
  if (!idn || !servedOpenBy(room, idn.userId) || ds.isSubscribed(idn.userId, room._id as string)) return;
  const v = room.v as Doc;
  const sub: Doc = {
    _id: meteorId(storeOf(ds).rng), open: true, alert: true, unread: 1, userMentions: 0, groupMentions: 0, ts: s,
    rid: room._id as string, name: v.username as string, fname: room.fname as string, t: 'l', u: ds.userRef(identityUserIndex(idn.name)),
    _updatedAt: s, ls: s, v: { _id: v._id as string, username: v.username as string, token: v.token as string },
  };
  ds.subscriptions.push(sub);
  out.subscriptions.inserted.push(sub._id as string);
}

function dropSubscriptions(ds: Dataset, room: Doc, s: string, out: OmnichannelMutationResult): void {
  for (const sub of ds.subscriptions.filter((x) => x.rid === room._id)) {
    ds.subscriptions.splice(ds.subscriptions.indexOf(sub), 1);
    ds.subscriptionTrash.push({ _id: sub._id as string, _deletedAt: s, uid: (sub.u as Doc)._id as string });
    out.subscriptions.deleted.push(sub._id as string);
  }
}

function openRooms(ds: Dataset, spec: OmnichannelMutationSpec, out: OmnichannelMutationResult): void {
  const store = storeOf(ds);
  const r = store.rng;
  for (let k = 0; k < (spec.openLivechatRooms ?? 0); k++) {
    const s = ds.stamp();
    const ms = Date.parse(s);
    const visitor: Doc = { _id: meteorId(r), username: `guest-${9000 + store.visitors.length}`, ts: s, _updatedAt: s, token: meteorId(r, 24), name: `New Visitor ${k} ✨`, visitorEmails: [{ address: `new.${store.visitors.length}@example.org` }], status: 'online' };
    store.visitors.push(visitor);
    store.contacts.push({ ...contactDoc(r, visitor, [], ds), createdAt: s, _updatedAt: s });
    out.visitors.push(visitor._id as string);
    const queued = spec.servedBy === 'queued';
    const agents = queued ? [] : [agentIndex(ds, spec.servedBy ?? 'admin')];
    const room = livechatRoomDoc({ ds, store, r, agents }, visitor, queued ? 'queued' : 'open', ms);
    Object.assign(room, { lm: s, queuedAt: s, msgs: 1, _updatedAt: s, metrics: { v: { lq: s } } });
    delete room.responseBy;
    (room.v as Doc).lastMessageTs = s;
    if (room.servedBy) (room.servedBy as Doc).ts = s;
    ds.addRoom(room);
    linkLastChat(store, room);
    addSubscription(ds, room, s, out);
    out.rooms.inserted.push(room._id as string);
  }
}

function closeRoom(ds: Dataset, room: Doc, out: OmnichannelMutationResult): void {
  if (room.open !== true) return;
  const s = ds.stamp();
  const by = room.servedBy as Doc | undefined;
  closeFields(room, Date.parse(s), by ? { _id: by._id, username: by.username } : undefined);
  room._updatedAt = s;
  dropSubscriptions(ds, room, s, out);
  out.rooms.updated.push(room._id as string);
}

function transferRoom(ds: Dataset, room: Doc, spec: OmnichannelMutationSpec, out: OmnichannelMutationResult): void {
  if (room.open !== true) throw new Error(`room ${String(room._id)} is closed and cannot be transferred`);
  const s = ds.stamp();
  if (spec.transferTo !== undefined) {
    dropSubscriptions(ds, room, s, out);
    const ref = ds.userRef(agentIndex(ds, spec.transferTo));
    room.servedBy = { _id: ref._id as string, username: ref.username as string, ts: s };
    addSubscription(ds, room, s, out);
  }
  if (spec.transferToDepartmentId !== undefined) {
    if (!storeOf(ds).departments.some((d) => d._id === spec.transferToDepartmentId)) throw new Error(`unknown department ${spec.transferToDepartmentId}`);
    room.departmentId = spec.transferToDepartmentId;
  }
  room._updatedAt = s;
  out.rooms.updated.push(room._id as string);
}

function addAgents(ds: Dataset, n: number, out: OmnichannelMutationResult): void {
  const r = storeOf(ds).rng;
  const agents = new Set(agentIndexes(ds));
  for (let k = 0, tries = 0; k < n && tries < 1000; tries++) {
    const i = int(r, 13, ds.users.ids.length - 1);
    if (agents.has(i) || !ds.users.isAlive(i)) continue;
    const doc = structuredClone(ds.users.doc(i));
    if (doc.type !== 'user' || doc.active !== true || typeof doc.username !== 'string') continue;
    doc.roles = [...((doc.roles as string[] | undefined) ?? ['user']), 'livechat-agent'];
    doc._updatedAt = ds.stamp();
    ds.users.update(i, doc);
    agents.add(i);
    agentFieldsOf(storeOf(ds), doc._id as string);
    const depts = storeOf(ds).departments.filter((d) => d.type !== 'u');
    if (depts.length > 0) storeOf(ds).departmentAgents.get(pick(r, depts)._id as string)?.push(doc._id as string);
    out.agents.push(doc._id as string);
    k++;
  }
  recountAgents(storeOf(ds));
}

function addDepartments(ds: Dataset, n: number, out: OmnichannelMutationResult): void {
  const store = storeOf(ds);
  for (let k = 0; k < n; k++) {
    const s = ds.stamp();
    const d: Doc = {
      _id: meteorId(store.rng), name: `Nuevo departamento ${store.departments.length}`, enabled: true, description: '',
      showOnRegistration: true, showOnOfflineForm: chance(store.rng, 0.5), email: `new${store.departments.length}@example.org`,
      offlineMessageChannelName: '', numAgents: 0, requestTagBeforeClosingChat: false, chatClosingTags: [], type: 'd', _updatedAt: s,
    };
    store.departments.push(d);
    store.departmentAgents.set(d._id as string, []);
    out.departments.push(d._id as string);
  }
}

function roomsById(ds: Dataset, ids: readonly string[] | undefined): Doc[] {
  return (ids ?? []).map((id) => {
    const room = ds.roomById.get(id);
    if (!room || room.t !== 'l') throw new Error(`no livechat room ${id}`);
    return room;
  });
}

export function omnichannelMutate(ds: Dataset, spec: OmnichannelMutationSpec): OmnichannelMutationResult {
  const out: OmnichannelMutationResult = {
    rooms: { inserted: [], updated: [] }, subscriptions: { inserted: [], deleted: [] }, visitors: [], agents: [], departments: [], lastStamp: '',
  };
  if (spec.omnichannelEnabled !== undefined) storeOf(ds).enabled = spec.omnichannelEnabled;
  addDepartments(ds, spec.addDepartments ?? 0, out);
  addAgents(ds, spec.addAgents ?? 0, out);
  openRooms(ds, spec, out);
  const open = ds.rooms.filter((x) => x.t === 'l' && x.open === true && !(spec.closeLivechatRoomIds ?? []).includes(x._id as string));
  const randomClose: Doc[] = [];
  for (let k = 0; k < (spec.closeLivechatRooms ?? 0) && open.length > 0; k++) randomClose.push(open.splice(int(storeOf(ds).rng, 0, open.length - 1), 1)[0] as Doc);
  for (const room of [...roomsById(ds, spec.closeLivechatRoomIds), ...randomClose]) closeRoom(ds, room, out);
  for (const room of roomsById(ds, spec.reopenLivechatRoomIds)) reopenRoom(ds, room, spec, out);
  for (const room of roomsById(ds, spec.transferLivechatRoomIds)) transferRoom(ds, room, spec, out);
  ds.version++;
  out.lastStamp = ds.lastStamp;
  return out;
}

function reopenRoom(ds: Dataset, room: Doc, spec: OmnichannelMutationSpec, out: OmnichannelMutationResult): void {
  if (room.open === true) return;
  const s = ds.stamp();
  for (const k of ['closedAt', 'closer', 'closedBy']) delete room[k];
  room.open = true;
  const ref = ds.userRef(agentIndex(ds, spec.servedBy === undefined || spec.servedBy === 'queued' ? 'admin' : spec.servedBy));
  room.servedBy = { _id: ref._id as string, username: ref.username as string, ts: s };
  room.v = { ...(room.v as Doc), status: 'online' };
  room._updatedAt = s;
  addSubscription(ds, room, s, out);
  out.rooms.updated.push(room._id as string);
}

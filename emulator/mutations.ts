/**
 * Changes to the workspace between syncs (or between page requests): updates, inserts and
 * deletions of rooms, subscriptions, users, teams and roles. Every touched record gets
 * `_updatedAt` = max(now, previous stamp + 1 ms), so stamps are strictly increasing; deleted rooms
 * and subscriptions go to the trash with `_deletedAt`, which is what rooms.get and
 * subscriptions.get report in `remove`.
 */
import { S_MUTATE, type Dataset } from './data.js';
import { IDENTITY_NAMES, identityUserIndex, type IdentityName } from './identities.js';
import type { Doc } from './mongo.js';
import { chance, int, meteorId, objectId, pick, rngFor, type Rng } from './prng.js';
import { mutateMessages, roomDeleted, type MessageMutationResult, type MessageMutationSpec } from './messages/mutations.js';

export interface MutationSpec {
  updateRooms?: number;
  insertRooms?: number;
  deleteRooms?: number;
  updateSubscriptions?: number;
  /** The caller joins rooms it was not in (new subscriptions; the rooms' usersCount changes). */
  insertSubscriptions?: number;
  /** The caller leaves rooms (subscriptions to the trash; the rooms' usersCount changes). */
  deleteSubscriptions?: number;
  insertUsers?: number;
  deleteUsers?: number;
  /** Users get a new name or status (users.list shows no _updatedAt, so only the values change). */
  updateUsers?: number;
  insertTeams?: number;
  updateTeams?: number;
  deleteTeams?: number;
  insertRoles?: number;
  deleteRoles?: number;
  /** Message changes (emulator/messages/mutations.ts), applied after the room changes. */
  messages?: MessageMutationSpec;
  /** Explicit targets, in addition to the counts above. */
  updateRoomIds?: string[];
  deleteRoomIds?: string[];
  updateSubscriptionIds?: string[];
  deleteSubscriptionIds?: string[];
  deleteUserIds?: string[];
  /**
   * Whose rooms and subscriptions are picked (default 'admin'): updated/deleted rooms are rooms
   * this identity is subscribed to, inserted rooms are created by it, subscription changes are its
   * own. '*' picks among every room and every caller's subscriptions.
   */
  identity?: IdentityName | '*';
}

export interface ChangeSet {
  updated: string[];
  inserted: string[];
  deleted: string[];
}

export interface MutationResult {
  rooms: ChangeSet;
  subscriptions: ChangeSet;
  users: ChangeSet;
  teams: ChangeSet;
  roles: ChangeSet;
  messages?: MessageMutationResult;
  /** The last stamp handed out (max _updatedAt / _deletedAt written so far). */
  lastStamp: string;
}

const rngs = new WeakMap<Dataset, Rng>();
function mutationRng(ds: Dataset): Rng {
  let r = rngs.get(ds);
  if (!r) {
    r = rngFor(ds.seed, S_MUTATE);
    rngs.set(ds, r);
  }
  return r;
}

const cs = (): ChangeSet => ({ updated: [], inserted: [], deleted: [] });

function take<T>(rng: Rng, pool: T[], n: number): T[] {
  const out: T[] = [];
  const copy = pool.slice();
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(rng() * copy.length), 1)[0] as T);
  return out;
}

const WORDS = ['alpha', 'bravo', 'café', 'delta', 'échange', 'foxtrot', 'nuevo', 'projekt', 'αβγ', '新しい'];

export function mutate(ds: Dataset, spec: MutationSpec): MutationResult {
  const rng = mutationRng(ds);
  const scope = spec.identity ?? 'admin';
  if (scope !== '*' && !IDENTITY_NAMES.includes(scope)) throw new Error(`unknown identity ${String(scope)}`);
  const scopeIds = new Set(scope === '*' ? IDENTITY_NAMES.map((n) => ds.identities[n].userId) : [ds.identities[scope].userId]);
  const result: MutationResult = { rooms: cs(), subscriptions: cs(), users: cs(), teams: cs(), roles: cs(), lastStamp: '' };

  const scopedRooms = (): Doc[] => {
    if (scope === '*') return ds.rooms.slice();
    const mine = new Set(ds.subscriptions.filter((s) => scopeIds.has((s.u as Doc)._id as string)).map((s) => s.rid as string));
    return ds.rooms.filter((r) => mine.has(r._id as string));
  };
  const scopedSubs = (): Doc[] => ds.subscriptions.filter((s) => scopeIds.has((s.u as Doc)._id as string));

  // ---- rooms: delete, update, insert
  const deletable = scopedRooms().filter((r) => r._id !== 'GENERAL' && !r.teamMain && r.t !== 'l');
  const toDelete = [
    ...(spec.deleteRoomIds ?? []).map((id) => ds.roomById.get(id)).filter((r): r is Doc => r !== undefined),
    ...take(rng, deletable.filter((r) => !(spec.deleteRoomIds ?? []).includes(r._id as string)), spec.deleteRooms ?? 0),
  ];
  for (const room of toDelete) deleteRoom(ds, room, result);

  const updatable = scopedRooms();
  const toUpdate = [
    ...(spec.updateRoomIds ?? []).map((id) => ds.roomById.get(id)).filter((r): r is Doc => r !== undefined),
    ...take(rng, updatable.filter((r) => !(spec.updateRoomIds ?? []).includes(r._id as string)), spec.updateRooms ?? 0),
  ];
  for (const room of toUpdate) {
    const s = ds.stamp();
    if (chance(rng, 0.25) && room.t !== 'd' && room.t !== 'l') {
      room.topic = `Topic changed ${s}`;
    } else {
      const poster: IdentityName = scope === '*' ? 'admin' : scope;
      const uids = room.t === 'd' ? (room.uids as string[]) : undefined;
      const author = uids && !uids.includes(ds.identities[poster].userId) ? uids[0] as string : ds.identities[poster].userId;
      const idn = ds.identityByUserId(author);
      const ai = idn ? identityUserIndex(idn.name) : author === 'rocket.cat' ? 0 : ds.users.indexOf(author);
      const text = pick(rng, ['new message', 'nouveau message ✉️', '新しいメッセージ', 'ping']);
      room.msgs = (room.msgs as number) + 1;
      room.lm = s;
      room.lastMessage = {
        _id: meteorId(rng), rid: room._id as string, msg: text, ts: s, u: ai >= 0 ? ds.userRef(ai) : { _id: author },
        _updatedAt: s, urls: [], mentions: [], channels: [], md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
      };
    }
    room._updatedAt = s;
    result.rooms.updated.push(room._id as string);
  }

  for (let k = 0; k < (spec.insertRooms ?? 0); k++) {
    const creatorName: IdentityName = scope === '*' ? 'admin' : scope;
    const s = ds.stamp();
    const ms = Date.parse(s);
    const t = chance(rng, 0.7) ? 'c' : 'p';
    let name = `${t === 'c' ? 'new' : 'private-new'}-${pick(rng, WORDS)}-${ds.rooms.length}`;
    while (ds.rooms.some((r) => r.name === name)) name += 'x';
    const room: Doc = {
      _id: chance(rng, 0.6) ? objectId(rng, ms) : meteorId(rng), fname: name, _updatedAt: s, customFields: {}, topic: '',
      broadcast: false, encrypted: false, name, t, msgs: 0, usersCount: 0, u: ds.userRef(identityUserIndex(creatorName)),
      ts: s, ro: false, default: false, sysMes: true,
    };
    ds.addRoom(room);
    const joiners: IdentityName[] = [creatorName, ...IDENTITY_NAMES.filter((n) => n !== creatorName && chance(rng, 0.4))];
    for (const n of joiners) {
      const sub = newSubscription(ds, rng, n, room, s);
      if (n === creatorName) sub.roles = ['owner'];
      result.subscriptions.inserted.push(sub._id as string);
    }
    room.usersCount = joiners.length + int(rng, 0, 20);
    result.rooms.inserted.push(room._id as string);
  }

  // ---- subscriptions: delete (leave), update, insert (join)
  const leavable = scopedSubs().filter((s) => s.t !== 'd' && s.t !== 'l' && !s.teamMain);
  const subsToDelete = [
    ...(spec.deleteSubscriptionIds ?? []).map((id) => ds.subscriptions.find((s) => s._id === id)).filter((s): s is Doc => s !== undefined),
    ...take(rng, leavable.filter((s) => !(spec.deleteSubscriptionIds ?? []).includes(s._id as string)), spec.deleteSubscriptions ?? 0),
  ];
  for (const sub of subsToDelete) {
    const s = ds.stamp();
    removeSubscription(ds, sub, s);
    result.subscriptions.deleted.push(sub._id as string);
    const room = ds.roomById.get(sub.rid as string);
    if (room) {
      room.usersCount = Math.max(0, (room.usersCount as number) - 1);
      room._updatedAt = ds.stamp();
      result.rooms.updated.push(room._id as string);
    }
  }

  const subsToUpdate = [
    ...(spec.updateSubscriptionIds ?? []).map((id) => ds.subscriptions.find((s) => s._id === id)).filter((s): s is Doc => s !== undefined),
    ...take(rng, scopedSubs().filter((s) => !(spec.updateSubscriptionIds ?? []).includes(s._id as string)), spec.updateSubscriptions ?? 0),
  ];
  for (const sub of subsToUpdate) {
    const s = ds.stamp();
    const x = rng();
    if (x < 0.5) { sub.unread = 0; sub.alert = false; sub.userMentions = 0; sub.groupMentions = 0; sub.ls = s; sub.lr = s; }
    else if (x < 0.8) { sub.unread = (sub.unread as number) + 1; sub.alert = true; }
    else sub.f = !sub.f;
    sub._updatedAt = s;
    result.subscriptions.updated.push(sub._id as string);
  }

  for (let k = 0; k < (spec.insertSubscriptions ?? 0); k++) {
    const who: IdentityName = scope === '*' ? pick(rng, IDENTITY_NAMES) : scope;
    const uid = ds.identities[who].userId;
    const mine = new Set(ds.subscriptionsOf(uid).map((s) => s.rid as string));
    const candidates = ds.rooms.filter((r) => (r.t === 'c' || r.t === 'p') && !r.teamId && !mine.has(r._id as string));
    if (candidates.length === 0) break;
    const room = pick(rng, candidates);
    const s = ds.stamp();
    const sub = newSubscription(ds, rng, who, room, s);
    result.subscriptions.inserted.push(sub._id as string);
    room.usersCount = (room.usersCount as number) + 1;
    room._updatedAt = ds.stamp();
    result.rooms.updated.push(room._id as string);
  }

  // ---- users
  const users = ds.users;
  const randomUser = (): number => {
    for (let tries = 0; tries < 1000; tries++) {
      const i = int(rng, IDENTITY_NAMES.length + 1, users.ids.length - 1);
      if (i > IDENTITY_NAMES.length && users.isAlive(i)) return i;
    }
    return -1;
  };
  const deleteIdx = new Set<number>();
  for (const id of spec.deleteUserIds ?? []) {
    const i = users.indexOf(id);
    if (i > IDENTITY_NAMES.length) deleteIdx.add(i);
  }
  for (let k = 0; k < (spec.deleteUsers ?? 0); k++) {
    let i = randomUser();
    for (let tries = 0; tries < 100 && deleteIdx.has(i); tries++) i = randomUser();
    if (i >= 0 && !deleteIdx.has(i)) deleteIdx.add(i);
  }
  if (deleteIdx.size > 0) {
    users.remove([...deleteIdx]);
    for (const i of deleteIdx) result.users.deleted.push(users.ids[i] as string);
  }
  for (let k = 0; k < (spec.updateUsers ?? 0); k++) {
    const i = randomUser();
    if (i < 0) break;
    const doc = structuredClone(users.doc(i));
    if (chance(rng, 0.5) && typeof doc.name === 'string') doc.name = `${doc.name} ✏️`;
    else doc.status = pick(rng, ['online', 'away', 'busy', 'offline']);
    doc._updatedAt = ds.stamp();
    users.update(i, doc);
    result.users.updated.push(doc._id as string);
  }
  const newUsers: Doc[] = [];
  for (let k = 0; k < (spec.insertUsers ?? 0); k++) newUsers.push(users.newUserDoc(rng, Date.parse(ds.stamp()), k));
  if (newUsers.length > 0) {
    users.insert(newUsers);
    for (const d of newUsers) result.users.inserted.push(d._id as string);
  }

  // ---- teams
  for (let k = 0; k < (spec.deleteTeams ?? 0) && ds.teams.length > 0; k++) {
    const team = pick(rng, ds.teams);
    ds.teams.splice(ds.teams.indexOf(team), 1);
    ds.teamMembers.delete(team._id as string);
    ds.teamExtraMembers.delete(team._id as string);
    for (const room of ds.rooms.slice()) {
      if (room.teamId !== team._id) continue;
      if (room.teamMain) deleteRoom(ds, room, result);
      else {
        delete room.teamId;
        delete room.teamMain;
        delete room.teamDefault;
        room._updatedAt = ds.stamp();
        result.rooms.updated.push(room._id as string);
      }
    }
    result.teams.deleted.push(team._id as string);
  }
  for (const team of take(rng, ds.teams, spec.updateTeams ?? 0)) {
    team._updatedAt = ds.stamp();
    ds.teamExtraMembers.set(team._id as string, (ds.teamExtraMembers.get(team._id as string) ?? 0) + 1);
    result.teams.updated.push(team._id as string);
  }
  for (let k = 0; k < (spec.insertTeams ?? 0); k++) {
    const creatorName: IdentityName = scope === '*' ? 'admin' : scope;
    const creator = ds.identities[creatorName];
    const s = ds.stamp();
    const ms = Date.parse(s);
    const name = `team-${pick(rng, WORDS)}-${ds.teams.length}-${k}`;
    const teamId = objectId(rng, ms);
    const main: Doc = {
      _id: meteorId(rng), fname: name, _updatedAt: s, customFields: {}, topic: '', broadcast: false, encrypted: false, name,
      t: 'c', msgs: 0, usersCount: 1, u: ds.userRef(identityUserIndex(creatorName)), ts: s, ro: false, default: false,
      sysMes: true, teamMain: true, teamId,
    };
    ds.addRoom(main);
    const team: Doc = {
      _id: teamId, name, type: 0, createdAt: s, createdBy: { _id: creator.userId, username: creator.username },
      _updatedAt: s, roomId: main._id as string,
    };
    ds.teams.push(team);
    ds.teamMembers.set(teamId, new Set([creator.userId]));
    ds.teamExtraMembers.set(teamId, 0);
    const sub = newSubscription(ds, rng, creatorName, main, s);
    sub.roles = ['owner'];
    result.subscriptions.inserted.push(sub._id as string);
    result.rooms.inserted.push(main._id as string);
    result.teams.inserted.push(teamId);
  }

  // ---- roles
  for (let k = 0; k < (spec.deleteRoles ?? 0); k++) {
    const custom = ds.roles.filter((r) => r.protected === false);
    if (custom.length === 0) break;
    const role = pick(rng, custom);
    ds.roles.splice(ds.roles.indexOf(role), 1);
    result.roles.deleted.push(role._id as string);
  }
  for (let k = 0; k < (spec.insertRoles ?? 0); k++) {
    const id = meteorId(rng);
    ds.roles.push({
      _id: id, name: `custom-${pick(rng, WORDS)}-${ds.roles.length}`, scope: chance(rng, 0.8) ? 'Users' : 'Subscriptions',
      description: '', mandatory2fa: false, protected: false, _updatedAt: ds.stamp(),
    });
    result.roles.inserted.push(id);
  }

  if (spec.messages) result.messages = mutateMessages(ds, spec.messages);
  ds.version++;
  result.lastStamp = ds.lastStamp;
  return result;
}

function newSubscription(ds: Dataset, rng: Rng, who: IdentityName, room: Doc, s: string): Doc {
  const sub: Doc = {
    _id: meteorId(rng), open: true, alert: false, unread: 0, userMentions: 0, groupMentions: 0, ts: s,
    rid: room._id as string, name: room.name as string, fname: (room.fname as string | undefined) ?? (room.name as string),
    t: room.t as string, u: ds.userRef(identityUserIndex(who)), _updatedAt: s, ls: s,
  };
  if (room.teamId) { sub.teamId = room.teamId; if (room.teamMain) sub.teamMain = true; }
  ds.subscriptions.push(sub);
  return sub;
}

function removeSubscription(ds: Dataset, sub: Doc, deletedAt: string): void {
  const k = ds.subscriptions.indexOf(sub);
  if (k >= 0) ds.subscriptions.splice(k, 1);
  ds.subscriptionTrash.push({ _id: sub._id as string, _deletedAt: deletedAt, uid: (sub.u as Doc)._id as string });
}

function deleteRoom(ds: Dataset, room: Doc, result: MutationResult): void {
  const s = ds.stamp();
  const k = ds.rooms.indexOf(room);
  if (k < 0) return;
  ds.rooms.splice(k, 1);
  ds.roomById.delete(room._id as string);
  ds.roomTrash.push({ _id: room._id as string, _deletedAt: s });
  roomDeleted(ds, room._id as string, s);
  for (const sub of ds.subscriptions.filter((x) => x.rid === room._id)) {
    removeSubscription(ds, sub, s);
    result.subscriptions.deleted.push(sub._id as string);
  }
  result.rooms.deleted.push(room._id as string);
}

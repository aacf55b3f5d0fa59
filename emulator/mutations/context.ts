/**
 * What the mutation steps share: the spec and result types, the context a step runs in, and the
 * helpers that keep rooms, subscriptions and the trash consistent.
 */
import { roomDeleted, type MessageMutationResult, type MessageMutationSpec } from '../messages/mutations.js';
import type { Dataset } from '../data/dataset.js';
import { identityUserIndex, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { meteorId, type Rng } from '../prng.js';

export interface MutationSpec {
  /** Message changes (emulator/messages/mutations.ts), applied after the room changes. */
  messages?: MessageMutationSpec;
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
  messages?: MessageMutationResult;
  rooms: ChangeSet;
  subscriptions: ChangeSet;
  users: ChangeSet;
  teams: ChangeSet;
  roles: ChangeSet;
  /** The last stamp handed out (max _updatedAt / _deletedAt written so far). */
  lastStamp: string;
}

/** One mutation in progress. Every step draws from `rng` in turn, so the order of the steps is part of the result. */
export interface MutationContext {
  ds: Dataset;
  rng: Rng;
  spec: MutationSpec;
  result: MutationResult;
  scope: IdentityName | '*';
  /** The rooms the scope is subscribed to (every room for '*'). */
  scopedRooms(): Doc[];
  /** The scope's subscriptions. */
  scopedSubs(): Doc[];
}

export type MutationStep = (ctx: MutationContext) => void;

/** The identity that creates rooms and teams and posts messages: the scope, or the admin for '*'. */
export const actor = (ctx: MutationContext): IdentityName => (ctx.scope === '*' ? 'admin' : ctx.scope);

export function take<T>(rng: Rng, pool: T[], n: number): T[] {
  const out: T[] = [];
  const copy = pool.slice();
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(rng() * copy.length), 1)[0] as T);
  return out;
}

/** The records named by `ids` (those that exist), then `n` random others from `pool`. */
export function targets(
  rng: Rng, ids: readonly string[] | undefined, lookup: (id: string) => Doc | undefined, pool: Doc[], n: number | undefined,
): Doc[] {
  const named = ids ?? [];
  return [
    ...named.map(lookup).filter((d): d is Doc => d !== undefined),
    ...take(rng, pool.filter((d) => !named.includes(d._id as string)), n ?? 0),
  ];
}

/** A room created by a mutation, as Rocket.Chat stores a new channel or group. */
export function newRoomDoc(
  ds: Dataset, _id: string, name: string, t: 'c' | 'p', usersCount: number, creator: IdentityName, s: string,
): Doc {
  return {
    _id, fname: name, _updatedAt: s, customFields: {}, topic: '', broadcast: false, encrypted: false, name,
    t, msgs: 0, usersCount, u: ds.userRef(identityUserIndex(creator)), ts: s, ro: false, default: false, sysMes: true,
  };
}

export const WORDS = ['alpha', 'bravo', 'café', 'delta', 'échange', 'foxtrot', 'nuevo', 'projekt', 'αβγ', '新しい'];

export function newSubscription(ds: Dataset, rng: Rng, who: IdentityName, room: Doc, s: string): Doc {
  const sub: Doc = {
    _id: meteorId(rng), open: true, alert: false, unread: 0, userMentions: 0, groupMentions: 0, ts: s,
    rid: room._id as string, name: room.name as string, fname: (room.fname as string | undefined) ?? (room.name as string),
    t: room.t as string, u: ds.userRef(identityUserIndex(who)), _updatedAt: s, ls: s,
  };
  if (room.teamId) { sub.teamId = room.teamId; if (room.teamMain) sub.teamMain = true; }
  ds.subscriptions.push(sub);
  return sub;
}

export function removeSubscription(ds: Dataset, sub: Doc, deletedAt: string): void {
  const k = ds.subscriptions.indexOf(sub);
  if (k >= 0) ds.subscriptions.splice(k, 1);
  ds.subscriptionTrash.push({ _id: sub._id as string, _deletedAt: deletedAt, uid: (sub.u as Doc)._id as string });
}

export function deleteRoom(ds: Dataset, room: Doc, result: MutationResult): void {
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

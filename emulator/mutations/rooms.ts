/** Room mutations: deletions (to the trash, with their subscriptions), updates (a topic or a new message), inserts. */
import { IDENTITY_NAMES, identityUserIndex, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { chance, int, meteorId, objectId, pick } from '../prng.js';
import { actor, deleteRoom, newRoomDoc, newSubscription, targets, WORDS, type MutationContext } from './context.js';

export function deleteRooms(ctx: MutationContext): void {
  const { ds, rng, spec } = ctx;
  const deletable = ctx.scopedRooms().filter((r) => r._id !== 'GENERAL' && !r.teamMain && r.t !== 'l');
  const toDelete = targets(rng, spec.deleteRoomIds, (id) => ds.roomById.get(id), deletable, spec.deleteRooms);
  for (const room of toDelete) deleteRoom(ds, room, ctx.result);
}

export function updateRooms(ctx: MutationContext): void {
  const { ds, rng, spec } = ctx;
  const toUpdate = targets(rng, spec.updateRoomIds, (id) => ds.roomById.get(id), ctx.scopedRooms(), spec.updateRooms);
  for (const room of toUpdate) {
    const s = ds.stamp();
    if (chance(rng, 0.25) && room.t !== 'd' && room.t !== 'l') room.topic = `Topic changed ${s}`;
    else postMessage(ctx, room, s);
    room._updatedAt = s;
    ctx.result.rooms.updated.push(room._id as string);
  }
}

/** A new last message in `room`, by the acting identity (or, in a DM it is not in, by the DM's first member). */
function postMessage(ctx: MutationContext, room: Doc, s: string): void {
  const { ds, rng } = ctx;
  const poster = actor(ctx);
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

export function insertRooms(ctx: MutationContext): void {
  const { ds, rng, result } = ctx;
  for (let k = 0; k < (ctx.spec.insertRooms ?? 0); k++) {
    const creatorName = actor(ctx);
    const s = ds.stamp();
    const ms = Date.parse(s);
    const t = chance(rng, 0.7) ? 'c' : 'p';
    let name = `${t === 'c' ? 'new' : 'private-new'}-${pick(rng, WORDS)}-${ds.rooms.length}`;
    while (ds.rooms.some((r) => r.name === name)) name += 'x';
    const room = newRoomDoc(ds, chance(rng, 0.6) ? objectId(rng, ms) : meteorId(rng), name, t, 0, creatorName, s);
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
}

/** Team mutations: deletions (the main room goes, the other rooms leave the team), updates, inserts (with a main room). */
import type { Doc } from '../mongo.js';
import { meteorId, objectId, pick } from '../prng.js';
import { actor, deleteRoom, newRoomDoc, newSubscription, take, WORDS, type MutationContext } from './context.js';

export function deleteTeams(ctx: MutationContext): void {
  const { ds, rng, result } = ctx;
  for (let k = 0; k < (ctx.spec.deleteTeams ?? 0) && ds.teams.length > 0; k++) {
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
}

export function updateTeams(ctx: MutationContext): void {
  const { ds, rng } = ctx;
  for (const team of take(rng, ds.teams, ctx.spec.updateTeams ?? 0)) {
    team._updatedAt = ds.stamp();
    ds.teamExtraMembers.set(team._id as string, (ds.teamExtraMembers.get(team._id as string) ?? 0) + 1);
    ctx.result.teams.updated.push(team._id as string);
  }
}

export function insertTeams(ctx: MutationContext): void {
  const { ds, rng, result } = ctx;
  for (let k = 0; k < (ctx.spec.insertTeams ?? 0); k++) {
    const creatorName = actor(ctx);
    const creator = ds.identities[creatorName];
    const s = ds.stamp();
    const ms = Date.parse(s);
    const name = `team-${pick(rng, WORDS)}-${ds.teams.length}-${k}`;
    const teamId = objectId(rng, ms);
    const main: Doc = { ...newRoomDoc(ds, meteorId(rng), name, 'c', 1, creatorName, s), teamMain: true, teamId };
    ds.addRoom(main);
    ds.teams.push({
      _id: teamId, name, type: 0, createdAt: s, createdBy: { _id: creator.userId, username: creator.username },
      _updatedAt: s, roomId: main._id as string,
    });
    ds.teamMembers.set(teamId, new Set([creator.userId]));
    ds.teamExtraMembers.set(teamId, 0);
    const sub = newSubscription(ds, rng, creatorName, main, s);
    sub.roles = ['owner'];
    result.subscriptions.inserted.push(sub._id as string);
    result.rooms.inserted.push(main._id as string);
    result.teams.inserted.push(teamId);
  }
}

/**
 * canAccessRoom: the validators of
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/services/authorization/canAccessRoom.ts
 * (public room, public room in a team, already joined, discussion via its parent, livechat).
 * Admins get no private room or DM they are not in (docs/rocketchat-api-notes.md#room-access).
 */
import type { Dataset } from '../data/dataset.js';
import type { Identity } from '../identities.js';
import type { Doc } from '../mongo.js';

function teamRoomAccess(ds: Dataset, room: Doc, who: Identity): boolean {
  const team = ds.teams.find((t) => t._id === room.teamId);
  if (!team) return who.permissions.has('view-c-room');
  if (team.type === 0) return who.permissions.has('view-c-room');
  return ds.teamMembers.get(team._id as string)?.has(who.userId) ?? false;
}

function livechatAccess(room: Doc, who: Identity): boolean {
  if (who.permissions.has('view-livechat-rooms')) return true;
  if ((room.servedBy as Doc | undefined)?._id === who.userId) return true;
  const closed = room.open !== true;
  return closed && who.permissions.has('view-livechat-room-closed-by-another-agent');
}

export function canAccessRoom(ds: Dataset, room: Doc, who: Identity, depth = 0): boolean {
  if (room.t === 'c') {
    if (room.teamId ? teamRoomAccess(ds, room, who) : who.permissions.has('view-c-room')) return true;
  }
  if (ds.isSubscribed(who.userId, room._id as string)
    && (who.permissions.has('view-joined-room') || who.permissions.has(`view-${String(room.t)}-room`))) return true;
  if (typeof room.prid === 'string' && depth < 10) {
    const parent = ds.roomById.get(room.prid);
    if (parent && canAccessRoom(ds, parent, who, depth + 1)) return true;
  }
  if (room.t === 'l' || room.t === 'v') return livechatAccess(room, who);
  return who.username === 'rocket.cat';
}

/**
 * Who may read a room's messages (canAccessRoom / canReadRoom, Rocket.Chat 8.x):
 * a public channel with view-c-room (a channel of a private team: team members only); a joined
 * room with view-joined-room or view-<t>-room; a discussion through its parent; a livechat room
 * with view-livechat-rooms or as its serving agent. No validator looks at view-room-administration:
 * an admin cannot read a private group or DM it is not in. canReadRoom adds, for public channels,
 * preview-c-room or a subscription. Source:
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/services/authorization/canAccessRoom.ts
 */
import type { Dataset } from '../data/dataset.js';
import type { Identity } from '../identities.js';
import type { Doc } from '../mongo.js';

/** Default grants of the permissions the message endpoints need beyond identities.ts. */
const MESSAGE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'view-p-room': ['admin', 'user', 'anonymous', 'guest'],
  'preview-c-room': ['admin', 'user', 'anonymous'],
  'view-livechat-rooms': ['livechat-manager', 'livechat-monitor', 'admin'],
  'view-l-room': ['livechat-manager', 'livechat-monitor', 'livechat-agent', 'admin'],
};

export function hasPermission(identity: Identity, permission: string): boolean {
  if (identity.permissions.has(permission)) return true;
  const roles = MESSAGE_PERMISSIONS[permission];
  return roles !== undefined && identity.roles.some((r) => roles.includes(r));
}

export function canAccessRoom(ds: Dataset, identity: Identity, room: Doc | undefined, depth = 0): boolean {
  if (!room || depth > 10) return false;
  const uid = identity.userId;
  if (room.t === 'c') {
    if (room.teamId) {
      const team = ds.teams.find((t) => t._id === room.teamId);
      if (team && team.type === 0 ? hasPermission(identity, 'view-c-room') : ds.teamMembers.get(room.teamId as string)?.has(uid)) return true;
    } else if (hasPermission(identity, 'view-c-room')) return true;
  }
  if (ds.isSubscribed(uid, room._id as string)
    && (hasPermission(identity, 'view-joined-room') || hasPermission(identity, `view-${room.t as string}-room`))) return true;
  if (typeof room.prid === 'string' && canAccessRoom(ds, identity, ds.roomById.get(room.prid), depth + 1)) return true;
  if (room.t === 'l' || room.t === 'v') {
    if (hasPermission(identity, 'view-livechat-rooms')) return true;
    if ((room.servedBy as Doc | undefined)?._id === uid) return true;
  }
  return false;
}

export function canReadRoom(ds: Dataset, identity: Identity, room: Doc | undefined): boolean {
  if (!canAccessRoom(ds, identity, room)) return false;
  if ((room as Doc).t !== 'c') return true;
  return hasPermission(identity, 'preview-c-room') || ds.isSubscribed(identity.userId, (room as Doc)._id as string);
}

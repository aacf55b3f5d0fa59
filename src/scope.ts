/**
 * The `scope` setting: whose view of the workspace the streams read. `subscribed` (the default)
 * reads what the token's user is a member of; `workspace` reads every room and team through the
 * admin routes (docs/rocketchat-api-notes.md#workspace-endpoints). Only the rows that have a
 * workspace-wide route change; the other streams read the same route in both scopes.
 */
import { BY_ID, DELTA, type StreamDef } from './streams.js';

export type Scope = 'subscribed' | 'workspace';

/**
 * Every room type, named explicitly: without `types`, rooms.adminRooms leaves out discussions
 * and team main rooms. `l` brings the livechat rooms too.
 */
export const ADMIN_ROOM_TYPES: readonly string[] = ['c', 'p', 'd', 'l', 'discussions', 'teams'];

export const ADMIN_ROOMS_PATH = '/api/v1/rooms.adminRooms';

const WORKSPACE_ROWS: Readonly<Record<string, StreamDef>> = {
  teams: { name: 'teams', path: '/api/v1/teams.listAll', recordsKey: 'teams', read: 'natural', permission: 'view-all-teams' },
  rooms: {
    name: 'rooms', path: ADMIN_ROOMS_PATH, recordsKey: 'rooms', read: 'admin-rooms', sort: BY_ID, incremental: DELTA,
    params: { types: ADMIN_ROOM_TYPES }, enrichFrom: '/api/v1/rooms.get', permission: 'view-room-administration',
  },
};

/** The row a stream is read with in `scope`. */
export function scoped(def: StreamDef, scope: Scope): StreamDef {
  return scope === 'workspace' ? (WORKSPACE_ROWS[def.name] ?? def) : def;
}

import { InputError } from '../errors.js';
import { inPartition, type Partition } from './partition.js';

/** What the messages stream needs to know of a room, from whichever list named it. */
export interface RoomRef {
  _id: string;
  t?: string;
  name?: string;
  fname?: string;
  /** Parent room: a discussion. */
  prid?: string;
  _updatedAt?: string;
  /** Time of the room's last message. */
  lm?: string;
}

/** The room kinds a user can include or exclude (`messages_room_types`). */
export const ROOM_KINDS = ['public', 'private', 'direct', 'omnichannel', 'discussion'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/** A discussion is its own kind whatever its `t`, so that it can be left out on its own. */
export function roomKind(room: RoomRef): RoomKind | undefined {
  if (room.prid) return 'discussion';
  switch (room.t) {
    case 'c': return 'public';
    case 'p': return 'private';
    case 'd': return 'direct';
    case 'l': return 'omnichannel';
    default: return undefined;
  }
}

export interface RoomFilterSettings {
  kinds: ReadonlySet<RoomKind>;
  /** Room ids or names; empty means every room. */
  include: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  partition: Partition | undefined;
}

/** A comma-separated list setting, trimmed, empty entries dropped. */
export function listSetting(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function parseRoomKinds(raw: string | undefined): Set<RoomKind> {
  const kinds = listSetting(raw);
  const unknown = kinds.filter((k) => !(ROOM_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new InputError(`config: "messages_room_types" has ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${ROOM_KINDS.join(', ')}`);
  }
  return new Set(kinds as RoomKind[]);
}

function named(room: RoomRef, list: ReadonlySet<string>): boolean {
  return list.has(room._id) || (room.name !== undefined && list.has(room.name)) || (room.fname !== undefined && list.has(room.fname));
}

/** Whether the settings leave some rooms out (then a full read must not retire rows it did not read). */
export function narrowsRooms(f: RoomFilterSettings): boolean {
  return f.partition !== undefined || f.include.size > 0 || f.exclude.size > 0 || f.kinds.size < ROOM_KINDS.length;
}

/** Whether the messages of `room` are read in this run. */
export function roomSelected(room: RoomRef, f: RoomFilterSettings): boolean {
  const kind = roomKind(room);
  if (kind === undefined || !f.kinds.has(kind)) return false;
  if (f.include.size > 0 && !named(room, f.include)) return false;
  if (named(room, f.exclude)) return false;
  return inPartition(room._id, f.partition);
}

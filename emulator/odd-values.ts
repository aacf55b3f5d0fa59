/**
 * `--odd-values` (EmulatorOptions.oddValues): gives every field that Rocket.Chat types as a union
 * or as unknown each JSON shape it can take, so a load into a real target shows whether each one
 * survives. Rocket.Chat declares `sysMes` as `boolean | string[]`
 * (https://github.com/RocketChat/Rocket.Chat/blob/develop/packages/core-typings/src/IRoom.ts),
 * `waitingResponse`, `sentiment`, `code` and `rolePrioritiesCreated` as any/unknown/number-or-boolean,
 * and a subscription's `blocked`, `blocker`, `code` and `department` as unknown
 * (https://github.com/RocketChat/Rocket.Chat/blob/develop/packages/core-typings/src/ISubscription.ts).
 *
 * The shapes are dealt out in turn over the documents the admin identity reads in each stream
 * (each field starting at a different shape, so one record mixes shapes), and only over
 * documents where the field is returned: `waitingResponse` only on rooms that channels.list
 * never returns, `rolePrioritiesCreated` only on public channels (rooms.get does not return it).
 */
import type { Dataset } from './data/dataset.js';
import type { Doc, Json } from './mongo.js';

/** The shapes, `undefined` meaning the field is absent. Strings chosen to break CSV and JSON quoting. */
export const ODD_VALUES: readonly (Json | undefined)[] = [
  true, false, ['uj', 'ul'], 'Sales, "EMEA" \\ ü 😀', 42, { a: 1, nested: { list: [true, null, 'x,y'] } }, null, undefined,
  '', 'True', 0, 0.1, [], {}, '{"looks":"like json"}', 'line one\nline two\ttab', -7.5e-3, [1, 'two', { three: 3 }],
];

/** Rooms fields returned by both rooms.get and channels.list. */
const ROOM_FIELDS = ['code', 'sysMes', 'sentiment'] as const;

export function applyOddValues(ds: Dataset): void {
  const adminId = ds.identities.admin.userId;
  const subscribed = new Set(ds.subscriptionsOf(adminId).map((s) => s.rid as string));
  // Read by rooms.get only (not public channels): every rooms shape is seen in the rooms stream.
  const privateRooms = ds.rooms.filter((r) => r.t !== 'c' && subscribed.has(r._id as string));
  // Public channels outside teams: always in channels.list for the admin.
  const channels = ds.rooms.filter((r) => r.t === 'c' && !r.teamId);
  deal(privateRooms, [...ROOM_FIELDS, 'waitingResponse']);
  deal(channels, [...ROOM_FIELDS, 'rolePrioritiesCreated']);
  deal(ds.subscriptionsOf(adminId), ['blocked', 'blocker', 'code', 'department']);
  ds.version++;
}

function deal(docs: Doc[], fields: readonly string[]): void {
  if (docs.length < ODD_VALUES.length) {
    throw new Error(`odd values: ${docs.length} documents cannot carry all ${ODD_VALUES.length} shapes; use a larger dataset`);
  }
  fields.forEach((field, f) => {
    docs.forEach((doc, i) => {
      const value = ODD_VALUES[(i + f * 3) % ODD_VALUES.length];
      if (value === undefined) delete doc[field];
      else doc[field] = structuredClone(value);
    });
  });
}

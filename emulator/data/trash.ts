/** The trash collections: rooms and subscriptions deleted before the emulator started. */
import { IDENTITY_NAMES } from '../identities.js';
import { compareCodePoints } from '../mongo.js';
import { chance, int, meteorId, objectId, rngFor } from '../prng.js';
import { DATA_END_MS, iso, S_TRASH } from './common.js';
import type { Dataset, TrashEntry } from './dataset.js';

export function generateTrash(ds: Dataset): void {
  const r = rngFor(ds.seed, S_TRASH);
  const nRooms = Math.max(3, Math.floor(ds.rooms.length / 20));
  const rooms: TrashEntry[] = [];
  for (let k = 0; k < nRooms; k++) {
    const del = DATA_END_MS - int(r, 0, 60 * 86_400_000);
    rooms.push({ _id: chance(r, 0.5) ? objectId(r, del - 86_400_000 * 30) : meteorId(r), _deletedAt: iso(del) });
  }
  rooms.sort((a, b) => compareCodePoints(a._deletedAt, b._deletedAt));
  ds.roomTrash.push(...rooms);
  const subs: TrashEntry[] = [];
  for (const n of IDENTITY_NAMES) {
    for (let k = 0; k < 2; k++) {
      subs.push({ _id: meteorId(r), _deletedAt: iso(DATA_END_MS - int(r, 0, 60 * 86_400_000)), uid: ds.identities[n].userId });
    }
  }
  subs.sort((a, b) => compareCodePoints(a._deletedAt, b._deletedAt));
  ds.subscriptionTrash.push(...subs);
}

/**
 * The `{update, remove}` answer of rooms.get and subscriptions.get: with `updatedSince`, only the
 * documents changed after it, and the trash entries deleted after it
 * (docs/rocketchat-api-notes.md#incremental-reads-and-deletions).
 */
import type { TrashEntry } from '../data/dataset.js';
import { pickFields, type Doc } from '../mongo.js';
import type { ApiResult } from './common.js';

export function updateAndRemove(
  docs: readonly Doc[], trash: readonly TrashEntry[], since: number | undefined, fields: ReadonlySet<string>,
  mine: (d: Doc) => boolean, mineTrash: (t: TrashEntry) => boolean = () => true,
): ApiResult {
  const update: Doc[] = [];
  for (const d of docs) {
    if (!mine(d)) continue;
    if (since !== undefined && !(Date.parse(d._updatedAt as string) > since)) continue;
    update.push(pickFields(d, fields));
  }
  const remove = since === undefined ? [] : trash
    .filter((t) => mineTrash(t) && Date.parse(t._deletedAt) > since)
    .map((t) => ({ _id: t._id, _deletedAt: t._deletedAt }));
  return { status: 200, body: { update, remove, success: true } };
}

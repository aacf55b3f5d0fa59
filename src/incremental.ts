import type { Bookmark } from './state.js';

/**
 * Server-side incremental reads of rooms.get and subscriptions.get.
 *
 * Rocket.Chat returns records with `_updatedAt > updatedSince` (strictly greater), so a record
 * written in the same millisecond as the bookmark, or committed a little after a record with a
 * later timestamp, would be missed by asking from the bookmark itself. We ask from
 * OVERLAP_MS before it, and remember in the bookmark which ids (and timestamps) we emitted in
 * that window, so the re-read drops exactly those and nothing is emitted twice.
 */
export const OVERLAP_MS = 2000;

export interface IncrementalBookmark extends Bookmark {
  replication_key: '_updatedAt';
  replication_key_value: string;
  /** `_id` → `_updatedAt` (or `_deletedAt`) of what was emitted within OVERLAP_MS of the bookmark. */
  overlap?: Record<string, string>;
}

export interface Removal {
  _id: string;
  _deletedAt: string;
}

/** A deletion as a record: only the key and `_sdc_deleted_at`, the convention SDK targets understand. */
export interface DeletionRecord extends Record<string, unknown> {
  _id: string;
  _sdc_deleted_at: string;
}

/** The `updatedSince` to send: OVERLAP_MS before the bookmark, else the start date, else none (a full read). */
export function updatedSince(bookmark: Bookmark | undefined, startDate: string | undefined): string | undefined {
  const mark = bookmark?.replication_key_value;
  if (typeof mark === 'string') return new Date(Date.parse(mark) - OVERLAP_MS).toISOString();
  return startDate;
}

export interface IncrementalResult {
  records: Record<string, unknown>[];
  deletions: DeletionRecord[];
  bookmark: IncrementalBookmark | undefined;
}

/**
 * Drops what the previous run already emitted in the overlap window and computes the next
 * bookmark: the greatest `_updatedAt` or `_deletedAt` seen (the server filters removals by
 * `_deletedAt > updatedSince` too), with the overlap ids under it. An id both updated and
 * removed in one answer is settled first (see `settleConflicts`).
 */
export function applyIncremental(
  records: readonly Record<string, unknown>[],
  removals: readonly Removal[],
  previous: Bookmark | undefined,
): IncrementalResult {
  ({ records, removals } = settleConflicts(records, removals));
  const seen = (previous?.overlap ?? {}) as Record<string, string>;
  let newestMs = typeof previous?.replication_key_value === 'string' ? Date.parse(previous.replication_key_value) : -Infinity;
  let newest = typeof previous?.replication_key_value === 'string' ? previous.replication_key_value : undefined;
  const stamps: Array<[string, string, number]> = [];
  const consider = (id: string, stamp: unknown): boolean => {
    if (typeof stamp !== 'string') return true;
    const ms = Date.parse(stamp);
    if (Number.isNaN(ms)) return true;
    stamps.push([id, stamp, ms]);
    if (ms > newestMs) {
      newestMs = ms;
      newest = stamp;
    }
    return seen[id] !== stamp;
  };
  const fresh = records.filter((r) => consider(r._id as string, r._updatedAt));
  const deletions = removals
    .filter((r) => consider(r._id, r._deletedAt))
    .map((r) => ({ _id: r._id, _sdc_deleted_at: r._deletedAt }));
  if (newest === undefined) return { records: fresh, deletions, bookmark: undefined };
  const overlap: Record<string, string> = {};
  const windowStart = newestMs - OVERLAP_MS;
  // Entries from the previous run still in the window stay: the next read will return them again.
  for (const [id, stamp] of Object.entries(seen)) if (Date.parse(stamp) > windowStart) overlap[id] = stamp;
  for (const [id, stamp, ms] of stamps) if (ms > windowStart) overlap[id] = stamp;
  return {
    records: fresh,
    deletions,
    bookmark: { replication_key: '_updatedAt', replication_key_value: newest, overlap },
  };
}

/**
 * An id in both `update` and `remove`: a DM deleted and created again keeps its id (the two
 * user ids joined), so the live record and an older trash entry come back together. The later
 * stamp wins and only it is emitted: a removal at or before the record's `_updatedAt` is not a
 * deletion of it; a removal after it is, and the stale record is not written first. Only the
 * winner's stamp goes into the overlap, so a re-read of the window settles the same way and
 * emits neither again.
 */
export function settleConflicts(
  records: readonly Record<string, unknown>[],
  removals: readonly Removal[],
): { records: readonly Record<string, unknown>[]; removals: readonly Removal[] } {
  if (removals.length === 0 || records.length === 0) return { records, removals };
  const removedAt = new Map<string, number>();
  for (const r of removals) removedAt.set(r._id, Date.parse(r._deletedAt));
  const live = new Map<string, number>();
  const kept = records.filter((r) => {
    const deleted = removedAt.get(r._id as string);
    if (deleted === undefined) return true;
    const updated = typeof r._updatedAt === 'string' ? Date.parse(r._updatedAt) : NaN;
    // A record without a usable stamp exists now all the same: it wins.
    if (Number.isNaN(updated) || !(deleted > updated)) {
      live.set(r._id as string, updated);
      return true;
    }
    return false;
  });
  if (kept.length === records.length && live.size === 0) return { records, removals };
  return { records: kept, removals: removals.filter((r) => !live.has(r._id)) };
}

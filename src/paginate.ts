import { TapError } from './errors.js';

export type ApiRecord = Record<string, unknown> & { _id: string };

/** Where each record of a page sits in the response body (see json-spans.ts), aligned with `records`. */
export interface EncodedRecords {
  bytes: Buffer;
  /** Per record; undefined where that record must be encoded again (it was changed). */
  spans: Array<[start: number, end: number] | undefined>;
}

export interface Page {
  records: ApiRecord[];
  /** The server's `total` when this page was read. */
  total: number;
  encoded?: EncodedRecords;
}

/** Records to emit, in order, each once; `encoded` when their bytes can be copied as they are. */
export interface Batch {
  records: ApiRecord[];
  encoded?: EncodedRecords;
}

/** Reads `count` records at `offset`; the server may return fewer (it clamps count to its limit). */
export type FetchPage = (offset: number, count: number) => Promise<Page>;

export interface PaginateOptions {
  pageSize: number;
  /** Pages of this route in flight at once, once `total` is known. */
  concurrency: number;
  /**
   * Asked after the first page: should every page re-read the last record of the one before, to
   * prove nothing shifted in between? It costs one record per page, so it is worth it unless
   * requests are rate limited; then it starts only once `total` changes. Default: yes.
   */
  anchorEveryPage?: () => boolean;
  /** Told when data changed under the read (a `total` that moved). */
  onShift?: (event: { offset: number; previousTotal: number; total: number }) => void;
  /** Told how many records were dropped as already emitted. */
  onDuplicates?: (count: number) => void;
}

/** Consecutive identical pages that bring nothing new before the read is declared stuck. */
const MAX_STALLED_PAGES = 3;

/**
 * Offset pagination over a route sorted by `_id` ascending, yielding each record once.
 *
 * Rocket.Chat pages by offset with an exact `total`, stopping when offset >= total or a page is
 * empty. Rows inserted or deleted before the read position between two requests shift later
 * rows forward or back. Because the sort is by `_id`, the ids we emit only grow, so:
 * - a record whose id is not above the last one emitted was already emitted (dropped in O(1)
 *   memory, no set of ids);
 * - a page that starts one record early must start with the last id emitted ("anchored"); if
 *   its first id is greater, rows before us were deleted and we step back until it is anchored.
 * Anchoring costs one record per page; under a rate limit it starts at the first change of
 * `total` instead (see `anchorEveryPage`).
 *
 * Once the first page tells `total`, the remaining pages are fetched `concurrency` at a time and
 * yielded in offset order. Any page that does not match the plan (total, size or anchor) ends
 * the parallel phase; the rest is read one page at a time, checking each.
 */
export async function* offsetPages(fetchPage: FetchPage, options: PaginateOptions): AsyncGenerator<Batch> {
  const ids = new IdCursor(options);
  const first = await fetchPage(0, options.pageSize);
  yield ids.fresh(first);
  if (first.records.length === 0 || first.records.length >= first.total) return;
  // The server's real page size: it silently clamps count to API_Upper_Count_Limit.
  const step = first.records.length;
  const read: ReadState = { ids, next: step, total: first.total, step, anchoring: step > 1 && (options.anchorEveryPage?.() ?? true) };
  if (options.concurrency > 1 && (yield* plannedPages(fetchPage, options, read))) return;
  yield* checkedPages(fetchPage, options, read);
}

/** Where a read stands between its phases. */
interface ReadState {
  ids: IdCursor;
  /** Index of the first record not read yet, as far as we know. */
  next: number;
  total: number;
  step: number;
  /** Whether each page re-reads the last record of the one before. */
  anchoring: boolean;
}

/** The last id emitted: what of a page is new, in O(1) memory since ids only grow. */
class IdCursor {
  lastId: string | undefined;

  constructor(private readonly options: PaginateOptions) {}

  /** The records of `page` not emitted yet: in a page sorted by _id, a suffix of it. */
  fresh(page: Page): Batch {
    const { records } = page;
    const lastId = this.lastId;
    // The anchor record re-read on purpose is not a duplicate worth reporting.
    const anchor = lastId !== undefined && records[0]?._id === lastId ? 1 : 0;
    let from = 0;
    while (from < records.length && lastId !== undefined && records[from]!._id <= lastId) from++;
    let sorted = true;
    for (let i = from + 1; i < records.length && sorted; i++) sorted = records[i - 1]!._id < records[i]!._id;
    const batch = sorted ? suffix(page, from) : this.unsorted(records);
    const last = batch.records.at(-1);
    if (last) this.lastId = last._id;
    const repeated = records.length - batch.records.length - anchor;
    if (repeated > 0) this.options.onDuplicates?.(repeated);
    return batch;
  }

  /** Not in _id order after all (a server ignoring sort): keep what is new, one by one. */
  private unsorted(records: readonly ApiRecord[]): Batch {
    const batch: Batch = { records: [] };
    for (const record of records) {
      if (this.lastId !== undefined && record._id <= this.lastId) continue;
      batch.records.push(record);
      this.lastId = record._id;
    }
    return batch;
  }
}

function suffix(page: Page, from: number): Batch {
  const batch: Batch = { records: from === 0 ? page.records : page.records.slice(from) };
  if (page.encoded) batch.encoded = { bytes: page.encoded.bytes, spans: from === 0 ? page.encoded.spans : page.encoded.spans.slice(from) };
  return batch;
}

/**
 * The pages `total` promises, `concurrency` at a time, yielded in offset order. Returns true when
 * every planned page came as planned; false at the first that did not (total, size or anchor).
 */
async function* plannedPages(fetchPage: FetchPage, options: PaginateOptions, read: ReadState): AsyncGenerator<Batch, boolean> {
  const { step, total } = read;
  const overlap = read.anchoring ? 1 : 0;
  const planned: number[] = [];
  for (let start = read.next - overlap; start + overlap < total; start += step - overlap) planned.push(start);
  const inFlight: Promise<Page>[] = [];
  let launched = 0;
  for (const start of planned) {
    while (launched < planned.length && inFlight.length < options.concurrency) {
      const page = fetchPage(planned[launched++]!, step);
      // Pages abandoned when the plan breaks must not surface as unhandled rejections.
      page.catch(() => undefined);
      inFlight.push(page);
    }
    const page = await inFlight.shift()!;
    const asPlanned =
      page.total === total && page.records.length === Math.min(step, total - start) && (!read.anchoring || page.records[0]?._id === read.ids.lastId);
    if (!asPlanned) return false;
    yield read.ids.fresh(page);
    read.next = start + page.records.length;
  }
  return true;
}

/** One page at a time, each checked: a moved `total`, a lost anchor, a server stuck on one page. */
async function* checkedPages(fetchPage: FetchPage, options: PaginateOptions, read: ReadState): AsyncGenerator<Batch> {
  let back = 0;
  let stalled = 0;
  /** Last id of the page before, to tell a server that ignores offset from a read catching up. */
  let previousPageEnd: string | undefined;
  for (;;) {
    const anchored = read.anchoring && read.ids.lastId !== undefined;
    const start = Math.max(0, read.next - (anchored ? 1 : 0) - back);
    const page = await fetchPage(start, options.pageSize);
    if (page.total !== read.total) {
      options.onShift?.({ offset: start, previousTotal: read.total, total: page.total });
      const dropped = read.total - page.total;
      read.total = page.total;
      if (!read.anchoring) {
        // Data is changing: from now on prove continuity on every page, starting with this one.
        read.anchoring = read.step > 1;
        if (read.anchoring) continue;
        // Pages of one record cannot overlap: step back by what the total lost.
        if (dropped > 0) {
          back = dropped;
          continue;
        }
      }
    }
    const covered = !anchored || start === 0 || (page.records.length > 0 && page.records[0]!._id <= read.ids.lastId!);
    if (!covered) {
      // Rows before us were deleted: the record we stopped at moved back. Look further back.
      back = back === 0 ? read.step : back * 2;
      continue;
    }
    back = 0;
    if (page.records.length === 0) return;
    const batch = read.ids.fresh(page);
    // Pages of records already emitted are normal while the read catches up after rows were
    // inserted before it; the same page over and over is not.
    const pageEnd = page.records.at(-1)!._id;
    stalled = batch.records.length === 0 && pageEnd === previousPageEnd ? stalled + 1 : 0;
    previousPageEnd = pageEnd;
    if (stalled >= MAX_STALLED_PAGES) {
      throw new TapError(`loop detected in pagination: the server returned the same page for offsets up to ${start}; does it ignore offset?`);
    }
    yield batch;
    read.next = start + page.records.length;
    if (read.next >= read.total) return;
  }
}

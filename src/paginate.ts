import { TapError } from './errors.js';

export type ApiRecord = Record<string, unknown> & { _id: string };

export interface Page {
  records: ApiRecord[];
  /** The server's `total` when this page was read. */
  total: number;
}

/** Reads `count` records at `offset`; the server may return fewer (it clamps count to its limit). */
export type FetchPage = (offset: number, count: number) => Promise<Page>;

export interface PaginateOptions {
  pageSize: number;
  /** Pages of this route in flight at once, once `total` is known. */
  concurrency: number;
  /** Told when data changed under the read (a `total` that moved) and a range is re-read. */
  onShift?: (event: { offset: number; previousTotal: number; total: number }) => void;
  /** Told how many records were dropped as already emitted. */
  onDuplicates?: (count: number) => void;
}

/** Consecutive pages that bring nothing new before the read is declared stuck. */
const MAX_STALLED_PAGES = 3;

/**
 * Offset pagination over a route sorted by `_id` ascending, yielding each record once.
 *
 * Rocket.Chat pages by offset with an exact `total`, stopping when offset >= total or a page is
 * empty. Because the sort is by `_id`, the ids we emit only grow: a record whose id is not above
 * the last one emitted was already emitted (rows inserted before our offset shift it forward),
 * so keeping only the last id de-duplicates in O(1) memory. Rows deleted before our offset shift
 * later ones backwards; a `total` that dropped by d means the read steps back d rows and re-reads.
 *
 * Once the first page tells `total`, the remaining pages are fetched `concurrency` at a time and
 * yielded in offset order. Any page whose `total` or size differs from the plan ends the parallel
 * phase; the rest is read one page at a time, checking `total` on each page.
 */
export async function* offsetPages(fetchPage: FetchPage, options: PaginateOptions): AsyncGenerator<ApiRecord[]> {
  const { pageSize, concurrency } = options;
  let lastId: string | undefined;
  const fresh = (records: ApiRecord[]): ApiRecord[] => {
    const out: ApiRecord[] = [];
    for (const record of records) {
      if (lastId === undefined || record._id > lastId) {
        out.push(record);
        lastId = record._id;
      }
    }
    if (out.length < records.length) options.onDuplicates?.(records.length - out.length);
    return out;
  };

  const first = await fetchPage(0, pageSize);
  yield fresh(first.records);
  let offset = first.records.length;
  let total = first.total;
  if (first.records.length === 0 || offset >= total) return;
  // The server's real page size: it silently clamps count to API_Upper_Count_Limit.
  const step = first.records.length;

  if (concurrency > 1) {
    const planned: number[] = [];
    for (let o = offset; o < total; o += step) planned.push(o);
    const inFlight: Promise<Page>[] = [];
    let launched = 0;
    const launch = (): void => {
      while (launched < planned.length && inFlight.length < concurrency) {
        const page = fetchPage(planned[launched]!, step);
        // Pages abandoned when the plan breaks must not surface as unhandled rejections.
        page.catch(() => undefined);
        inFlight.push(page);
        launched++;
      }
    };
    let consumed = 0;
    for (; consumed < planned.length; consumed++) {
      launch();
      const page = await inFlight.shift()!;
      const expected = Math.min(step, total - planned[consumed]!);
      if (page.total !== total || page.records.length !== expected) break;
      yield fresh(page.records);
      offset = planned[consumed]! + page.records.length;
    }
    if (consumed === planned.length) return;
    offset = planned[consumed]!;
  }

  let stalled = 0;
  while (offset < total) {
    const page = await fetchPage(offset, pageSize);
    if (page.total < total) {
      // Rows before us may have been deleted: step back by the difference and re-read.
      options.onShift?.({ offset, previousTotal: total, total: page.total });
      offset = Math.max(0, offset - (total - page.total));
      total = page.total;
      continue;
    }
    if (page.total > total) options.onShift?.({ offset, previousTotal: total, total: page.total });
    total = page.total;
    if (page.records.length === 0) return;
    const records = fresh(page.records);
    stalled = records.length === 0 ? stalled + 1 : 0;
    if (stalled >= MAX_STALLED_PAGES) {
      throw new TapError(`loop detected in pagination: ${MAX_STALLED_PAGES} pages from offset ${offset} brought no new records`);
    }
    yield records;
    offset += page.records.length;
  }
}

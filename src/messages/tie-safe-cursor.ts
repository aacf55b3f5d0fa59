/**
 * The backfill walk over chat.syncMessages' cursor mode, made exact.
 *
 * The server returns `_updatedAt > next` in ascending order, `count` rows at a time, and hands
 * back the last row's millisecond as the next cursor. Rows that share that millisecond but did
 * not fit on the page are then skipped for good, and bulk writes stamp hundreds of messages
 * with one millisecond (docs/rocketchat-api-notes.md#messages). So each request asks from one
 * millisecond before the last row instead, and drops the rows of that last millisecond already
 * emitted; when a whole page lies inside one millisecond, it asks again with twice the count
 * (`count` is uncapped) until the page gets past it.
 *
 * Pure: the reader feeds it each page and sends what `request` says.
 */
export interface CursorRow {
  _id: string;
  _updatedAt: string;
}

export interface CursorRequest {
  /** Epoch ms: rows with `_updatedAt > next`. */
  next: number;
  count: number;
}

export class TieSafeCursor {
  private nextMs: number;
  private count: number;
  /** Ids emitted with the millisecond `nextMs + 1` (the only ones the next page can repeat). */
  private atEdge = new Set<string>();
  done = false;

  constructor(afterMs: number, private readonly baseCount: number, atEdge: Iterable<string> = []) {
    this.nextMs = afterMs;
    this.count = baseCount;
    this.atEdge = new Set(atEdge);
  }

  get request(): CursorRequest {
    return { next: this.nextMs, count: this.count };
  }

  /** Where to resume after a restart: the request to send and the ids not to emit again. */
  get position(): { next: number; atEdge: string[] } {
    return { next: this.nextMs, atEdge: [...this.atEdge] };
  }

  /**
   * Takes one page (ascending `_updatedAt`, as the server sorts it) and whether the server said
   * there is more (`cursor.next` not null); returns the rows not emitted before.
   */
  accept<T extends CursorRow>(rows: readonly T[], more: boolean): T[] {
    const fresh = this.unseen(rows);
    if (!more || rows.length === 0) {
      this.done = true;
      return fresh;
    }
    const lastMs = Date.parse(rows[rows.length - 1]!._updatedAt);
    if (lastMs <= this.nextMs + 1) {
      // The whole page is one millisecond: the same request would return the same rows.
      for (const r of fresh) this.atEdge.add(r._id);
      this.count *= 2;
      return fresh;
    }
    this.nextMs = lastMs - 1;
    this.count = this.baseCount;
    // Ascending order puts the rows of the last millisecond at the end.
    this.atEdge = new Set();
    for (let i = rows.length - 1; i >= 0 && Date.parse(rows[i]!._updatedAt) === lastMs; i--) this.atEdge.add(rows[i]!._id);
    return fresh;
  }

  /**
   * The rows not emitted before: those of the edge millisecond already emitted, which ascending
   * order puts first. The page itself when there are none, else the rest of it.
   */
  private unseen<T extends CursorRow>(rows: readonly T[]): T[] {
    const edgeMs = this.nextMs + 1;
    let skip = 0;
    while (skip < rows.length && this.atEdge.has(rows[skip]!._id) && Date.parse(rows[skip]!._updatedAt) === edgeMs) skip++;
    const rest = skip === 0 ? (rows as T[]) : rows.slice(skip);
    // A repeat further in would mean the order was not ascending: filter the rest too, to stay exact.
    return this.atEdge.size > skip && rest.some((r) => this.atEdge.has(r._id)) ? rest.filter((r) => !this.seen(r, edgeMs)) : rest;
  }

  private seen(r: CursorRow, edgeMs: number): boolean {
    return this.atEdge.has(r._id) && Date.parse(r._updatedAt) === edgeMs;
  }
}

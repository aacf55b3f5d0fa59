import { arraySpans } from './json-spans.js';
import { logger } from './log.js';
import { offsetPages, type ApiRecord, type Batch, type EncodedRecords, type Page } from './paginate.js';
import type { RecordEmitter } from './record-emitter.js';
import { requestParams, type AdminRoomsStream, type ClosedRangeStream, type OffsetStream, type ReadPosition } from './streams.js';
import { requestOptions, type SyncContext } from './sync-context.js';

const log = logger('tap-rocketchat');
const NEWLINE = 0x0a;

/**
 * Where each record sits in the response bytes, when they can be copied to the output as they
 * are: the body is compact (no newline anywhere) and every record was found.
 */
function encodedRecords(bytes: Buffer, key: string, count: number): EncodedRecords | undefined {
  if (bytes.includes(NEWLINE)) return undefined;
  const spans = arraySpans(bytes, key);
  return spans && spans.length === count ? { bytes, spans } : undefined;
}

/** A route paged by offset and sorted by `_id`: offset streams, and the workspace and livechat reads. */
export type SortedPagedStream = OffsetStream | AdminRoomsStream | ClosedRangeStream;

export interface PagesOptions {
  /** A variant or state filter, plus the bookmark of a closed-range read. */
  at?: Pick<ReadPosition, 'filter' | 'since'>;
  /** Keep the response bytes so unprojected records can be copied out as they are. */
  copyBytes?: boolean;
  /** The stream's emitter, whose count the progress reports show. */
  emitter?: Pick<RecordEmitter, 'count'>;
}

/** Every page of an `_id`-sorted offset-paged route, each record once (see src/paginate.ts). */
export function sortedPages(def: SortedPagedStream, ctx: SyncContext, opts: PagesOptions = {}): AsyncGenerator<Batch> {
  const options = requestOptions(def, ctx.signal);
  let pagesDone = 0;
  const fetchPage = async (offset: number, count: number): Promise<Page> => {
    const params = requestParams(def, { ...opts.at, offset, count });
    let body: Record<string, unknown>;
    let encoded: EncodedRecords | undefined;
    if (opts.copyBytes && ctx.client.getWithBytes) {
      const response = await ctx.client.getWithBytes(def.path, params, options);
      body = response.body;
      encoded = encodedRecords(response.bytes, def.recordsKey, (body[def.recordsKey] as unknown[]).length);
    } else {
      body = await ctx.client.get(def.path, params, options);
    }
    // The classifier checked the shape (src/classify.ts): records with ids, a numeric total.
    const page: Page = { records: body[def.recordsKey] as ApiRecord[], total: body.total as number };
    if (encoded) page.encoded = encoded;
    const total = Math.ceil(page.total / ctx.settings.pageSize);
    ctx.progress?.track(def.name, { unit: 'pages', total, done: ++pagesDone, records: opts.emitter?.count ?? 0, route: def.path });
    return page;
  };
  return offsetPages(fetchPage, {
    pageSize: ctx.settings.pageSize,
    concurrency: ctx.settings.maxConcurrency,
    anchorEveryPage: () => !(ctx.client.isRateLimited?.(def.path) ?? false),
    onShift: ({ offset, previousTotal, total }) =>
      log.info(`${def.name}: total changed from ${previousTotal} to ${total} at offset ${offset} (data changed during the read); checking every page for shifted rows`),
    onDuplicates: (n) => log.info(`${def.name}: skipped ${n} records already emitted (rows shifted between pages)`),
  });
}

/** Every page of an offset-paged route, once per variant when it has variants. */
export async function readOffset(def: OffsetStream, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  for (const filter of def.variants ?? [undefined]) {
    const at = filter ? { filter } : {};
    for await (const batch of sortedPages(def, ctx, { at, copyBytes: !emitter.projects, emitter })) await emitter.emit(batch.records, batch.encoded);
  }
}

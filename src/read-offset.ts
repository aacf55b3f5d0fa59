import { arraySpans } from './json-spans.js';
import { logger } from './log.js';
import { offsetPages, type ApiRecord, type EncodedRecords, type Page } from './paginate.js';
import type { RecordEmitter } from './record-emitter.js';
import { requestParams, type OffsetStream } from './streams.js';
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

/** Every page of an offset-paged route, each record once (see src/paginate.ts). */
export async function readOffset(def: OffsetStream, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  const options = requestOptions(def, ctx.signal);
  let pagesDone = 0;
  const fetchPage = async (offset: number, count: number): Promise<Page> => {
    const params = requestParams(def, { offset, count });
    let body: Record<string, unknown>;
    let encoded: EncodedRecords | undefined;
    if (ctx.client.getWithBytes && !emitter.projects) {
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
    ctx.progress?.track(def.name, { unit: 'pages', total, done: ++pagesDone, records: emitter.count, route: def.path });
    return page;
  };
  const pages = offsetPages(fetchPage, {
    pageSize: ctx.settings.pageSize,
    concurrency: ctx.settings.maxConcurrency,
    anchorEveryPage: () => !(ctx.client.isRateLimited?.(def.path) ?? false),
    onShift: ({ offset, previousTotal, total }) =>
      log.info(`${def.name}: total changed from ${previousTotal} to ${total} at offset ${offset} (data changed during the read); checking every page for shifted rows`),
    onDuplicates: (n) => log.info(`${def.name}: skipped ${n} records already emitted (rows shifted between pages)`),
  });
  for await (const batch of pages) await emitter.emit(batch.records, batch.encoded);
}

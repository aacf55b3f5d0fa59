import type { SelectedStream } from './catalog.js';
import type { TapSettings } from './config.js';
import { HttpError } from './errors.js';
import { logger } from './log.js';
import { Counter, timer } from './metrics.js';
import { recordPrefix, recordSuffix, type SingerWriter } from './output.js';
import { offsetPages, type ApiRecord, type Page } from './paginate.js';
import { streamSchema } from './schemas.js';
import type { StateTracker } from './state.js';
import { KEY_PROPERTIES } from './streams.js';

/** What the sync needs of the HTTP client (src/client.ts). */
export interface ApiClient {
  get(
    path: string,
    params: Record<string, string | number | undefined>,
    ctx?: { stream?: string; permission?: string; expectKey?: string; signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
}

export interface SyncContext {
  client: ApiClient;
  writer: SingerWriter;
  state: StateTracker;
  settings: TapSettings;
  signal: AbortSignal;
}

export interface StreamSummary {
  stream: string;
  records: number;
}

const log = logger('tap-rocketchat');

/**
 * Turns API records into RECORD messages: drops deselected fields, reports fields the schema
 * does not know (schema drift) once per field, and checks the primary key is there.
 */
class RecordEmitter {
  private readonly prefix: string;
  private readonly known: Set<string>;
  private readonly reportedDrift = new Set<string>();
  private readonly counter: Counter;
  count = 0;

  constructor(private readonly sel: SelectedStream, private readonly writer: SingerWriter, private readonly path: string) {
    this.prefix = recordPrefix(sel.def.name);
    this.known = new Set([...Object.keys(streamSchema(sel.def).properties ?? {}), ...Object.keys(sel.schema.properties ?? {})]);
    this.counter = new Counter('record_count', { stream: sel.def.name });
  }

  async emit(records: readonly Record<string, unknown>[]): Promise<void> {
    const suffix = recordSuffix(new Date().toISOString());
    const fields = this.sel.fields;
    for (const record of records) {
      if (typeof record._id !== 'string' || record._id === '') {
        throw new HttpError(`GET ${this.path} returned a ${this.sel.def.name} record without an _id`, 200, this.path, 1);
      }
      for (const key in record) {
        if (!this.known.has(key)) this.reportDrift(key);
      }
      await this.writer.record(this.prefix, fields ? project(record, fields) : record, suffix);
    }
    this.count += records.length;
    this.counter.add(records.length);
  }

  private reportDrift(key: string): void {
    this.known.add(key);
    if (this.reportedDrift.has(key)) return;
    this.reportedDrift.add(key);
    const fate = this.sel.fields ? 'dropped, since the catalog selects fields' : 'kept in the records';
    log.warn(`schema drift: ${this.sel.def.name} records have field "${key}", which the stream schema does not declare (${fate})`);
  }

  finish(): void {
    this.counter.flush();
  }
}

function project(record: Record<string, unknown>, fields: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (fields.has(key)) out[key] = record[key];
  return out;
}

function recordsOf(body: Record<string, unknown>, key: string): ApiRecord[] {
  return body[key] as ApiRecord[];
}

/** Reads one stream in full or from its bookmark and writes SCHEMA, RECORDs and a STATE. */
export async function syncStream(sel: SelectedStream, ctx: SyncContext): Promise<StreamSummary> {
  const { def } = sel;
  const started = Date.now();
  const replicationKey = sel.replicationMethod === 'INCREMENTAL' ? def.replicationKey : undefined;
  await ctx.writer.schema(def.name, sel.schema, KEY_PROPERTIES, replicationKey ? [replicationKey] : undefined);
  const emitter = new RecordEmitter(sel, ctx.writer, def.path);
  const request = { stream: def.name, permission: def.permission, expectKey: def.recordsKey, signal: ctx.signal };

  if (def.paging === 'offset') {
    const fetchPage = async (offset: number, count: number): Promise<Page> => {
      const body = await ctx.client.get(def.path, { offset, count, sort: def.sort }, request);
      if (typeof body.total !== 'number') {
        throw new HttpError(`GET ${def.path} answered without a numeric "total": is endpoint a Rocket.Chat 6.x-8.x server?`, 200, def.path, 1);
      }
      return { records: recordsOf(body, def.recordsKey), total: body.total };
    };
    const pages = offsetPages(fetchPage, {
      pageSize: ctx.settings.pageSize,
      concurrency: ctx.settings.maxConcurrency,
      onShift: ({ offset, previousTotal, total }) =>
        log.info(`${def.name}: total changed from ${previousTotal} to ${total} at offset ${offset} (data changed during the read); re-reading the affected range`),
      onDuplicates: (n) => log.info(`${def.name}: skipped ${n} records already emitted (rows shifted between pages)`),
    });
    for await (const records of pages) await emitter.emit(records);
    ctx.state.setBookmark(def.name, {});
  } else {
    const bookmark = replicationKey ? ctx.state.bookmark(def.name)?.replication_key_value ?? ctx.settings.startDate : undefined;
    const params: Record<string, string | undefined> = {};
    if (def.sinceParam && bookmark) params[def.sinceParam] = bookmark;
    const body = await ctx.client.get(def.path, params, request);
    const records = recordsOf(body, def.recordsKey);
    await emitter.emit(records);
    if (replicationKey) {
      const newest = maxTimestamp(records, replicationKey, bookmark);
      ctx.state.setBookmark(def.name, newest ? { replication_key: replicationKey, replication_key_value: newest } : {});
    } else {
      ctx.state.setBookmark(def.name, {});
    }
  }
  emitter.finish();
  await ctx.writer.state(ctx.state.value());
  timer('sync_duration', (Date.now() - started) / 1000, { stream: def.name });
  return { stream: def.name, records: emitter.count };
}

/** The greatest timestamp among `records[key]` and `floor`, as the server's ISO string. */
function maxTimestamp(records: readonly Record<string, unknown>[], key: string, floor: string | undefined): string | undefined {
  let best = floor;
  let bestMs = floor ? Date.parse(floor) : -Infinity;
  for (const record of records) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const ms = Date.parse(value);
    if (ms > bestMs) {
      best = value;
      bestMs = ms;
    }
  }
  return best;
}

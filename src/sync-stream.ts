import type { SelectedStream } from './catalog.js';
import type { TapSettings } from './config.js';
import { HttpError } from './errors.js';
import { applyIncremental, updatedSince, type Removal } from './incremental.js';
import { arraySpans } from './json-spans.js';
import { encodeJsonText, jsonTextFields } from './json-text.js';
import { logger } from './log.js';
import { Counter, timer } from './metrics.js';
import { recordPrefix, recordSuffix, type SingerWriter } from './output.js';
import { offsetPages, type ApiRecord, type EncodedRecords, type Page } from './paginate.js';
import { streamSchema } from './schemas.js';
import type { Bookmark, StateTracker } from './state.js';
import { KEY_PROPERTIES, type StreamDef } from './streams.js';

type Params = Record<string, string | number | undefined>;
type RequestOptions = { stream?: string; permission?: string; expectKey?: string; signal?: AbortSignal };

/** What the sync needs of the HTTP client (src/client.ts). */
export interface ApiClient {
  get(path: string, params: Params, ctx?: RequestOptions): Promise<Record<string, unknown>>;
  /** `get`, also returning the body's bytes, so records can be copied out as they were sent. */
  getWithBytes?(path: string, params: Params, ctx?: RequestOptions): Promise<{ body: Record<string, unknown>; bytes: Buffer }>;
  /** Whether the route answered with rate-limit headers (its requests are scarce). */
  isRateLimited?(path: string): boolean;
}

export interface SyncContext {
  client: ApiClient;
  writer: SingerWriter;
  state: StateTracker;
  settings: TapSettings;
  signal: AbortSignal;
  /** Epoch ms the run started: the version stamped on full-table records (Singer convention). */
  runStartedMs: number;
}

export interface StreamSummary {
  stream: string;
  records: number;
  deletions: number;
}

/** A STATE every this many records keeps targets committing on long streams (the SDK's cadence). */
export const STATE_EVERY_RECORDS = 10_000;

const log = logger('tap-rocketchat');

/**
 * Turns API records into RECORD messages: drops deselected fields, reports fields the schema
 * does not know (schema drift) once per field, checks the primary key, and writes a STATE
 * every STATE_EVERY_RECORDS records (bookmarks of unfinished streams do not move).
 */
class RecordEmitter {
  private readonly prefix: string;
  private readonly prefixBytes: Buffer;
  /** Fields declared by the schema, plus undeclared ones already reported. */
  private readonly known: Set<string>;
  private readonly counter: Counter;
  /** Fields sent as JSON text (src/json-text.ts). */
  private readonly jsonText: string[];
  private sinceState = 0;
  count = 0;

  /** Whether records are cut down to selected fields (then they are always re-encoded). */
  get projects(): boolean {
    return this.sel.fields !== undefined;
  }

  constructor(
    private readonly sel: SelectedStream,
    private readonly ctx: SyncContext,
    private readonly version: number | undefined,
  ) {
    this.prefix = recordPrefix(sel.def.name);
    this.prefixBytes = Buffer.from(this.prefix);
    this.known = new Set([...Object.keys(streamSchema(sel.def).properties ?? {}), ...Object.keys(sel.schema.properties ?? {})]);
    this.counter = new Counter('record_count', { stream: sel.def.name });
    this.jsonText = jsonTextFields(streamSchema(sel.def));
  }

  /** `encoded`: the records' bytes in the response, copied out as they are when all fields are kept. */
  async emit(records: readonly Record<string, unknown>[], encoded?: EncodedRecords): Promise<void> {
    const suffix = recordSuffix(new Date().toISOString(), this.version);
    const copy = this.projects ? undefined : encoded;
    const suffixBytes = copy && Buffer.from(suffix);
    const { fields } = this.sel;
    const { writer } = this.ctx;
    for (let i = 0; i < records.length; i++) {
      const raw = records[i]!;
      const record = encodeJsonText(raw, this.jsonText);
      if (typeof record._id !== 'string' || record._id === '') {
        throw new HttpError(`GET ${this.sel.def.path} returned a ${this.sel.def.name} record without an _id`, 200, this.sel.def.path, 1);
      }
      for (const key in record) {
        if (!this.known.has(key)) this.reportDrift(key);
      }
      if (copy && record === raw) await writer.recordBytes(this.prefixBytes, copy.bytes, copy.spans[i]![0], copy.spans[i]![1], suffixBytes!);
      else await writer.record(this.prefix, fields ? project(record, fields) : record, suffix);
    }
    this.count += records.length;
    this.counter.add(records.length);
    this.sinceState += records.length;
    if (this.sinceState >= STATE_EVERY_RECORDS) {
      this.sinceState = 0;
      await writer.state(this.ctx.state.value());
    }
  }

  private reportDrift(key: string): void {
    this.known.add(key);
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

function requestContext(def: StreamDef, signal: AbortSignal): RequestOptions {
  return { stream: def.name, permission: def.permission, expectKey: def.recordsKey, signal };
}

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

/** Every page of an offset-paged route, each record once. */
async function readPaged(def: StreamDef, ctx: SyncContext, emitter: RecordEmitter): Promise<void> {
  const options = requestContext(def, ctx.signal);
  const fetchPage = async (offset: number, count: number): Promise<Page> => {
    const params = { offset, count, sort: def.sort };
    let body: Record<string, unknown>;
    let encoded: EncodedRecords | undefined;
    if (ctx.client.getWithBytes && !emitter.projects) {
      const response = await ctx.client.getWithBytes(def.path, params, options);
      body = response.body;
      encoded = encodedRecords(response.bytes, def.recordsKey, (body[def.recordsKey] as unknown[]).length);
    } else {
      body = await ctx.client.get(def.path, params, options);
    }
    if (typeof body.total !== 'number') {
      throw new HttpError(`GET ${def.path} answered without a numeric "total": is endpoint a Rocket.Chat server?`, 200, def.path, 1);
    }
    const page: Page = { records: body[def.recordsKey] as ApiRecord[], total: body.total };
    if (encoded) page.encoded = encoded;
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

/**
 * One request to a route that answers `{update, remove}`. Incremental: from the bookmark (with
 * an overlap, see incremental.ts), with `remove` turned into deletion records. Returns the
 * stream's next bookmark.
 */
async function readUnpaged(sel: SelectedStream, ctx: SyncContext, emitter: RecordEmitter, incremental: boolean): Promise<{ bookmark: Bookmark; deletions: number }> {
  const { def } = sel;
  const previous = ctx.state.bookmark(def.name);
  const since = incremental ? updatedSince(previous, ctx.settings.startDate) : undefined;
  const params: Record<string, string> = def.sinceParam && since ? { [def.sinceParam]: since } : {};
  const body = await ctx.client.get(def.path, params, requestContext(def, ctx.signal));
  const records = body[def.recordsKey] as ApiRecord[];
  if (!incremental) {
    await emitter.emit(records);
    return { bookmark: {}, deletions: 0 };
  }
  const removals = def.removedKey && Array.isArray(body[def.removedKey]) ? (body[def.removedKey] as Removal[]) : [];
  const result = applyIncremental(records, removals, previous);
  await emitter.emit(result.records);
  // A deselected _sdc_deleted_at means the user does not want deletion records.
  const wantDeletions = !sel.fields || sel.fields.has('_sdc_deleted_at');
  if (wantDeletions) await emitter.emit(result.deletions);
  if (since) log.info(`${def.name}: ${result.records.length} changed and ${result.deletions.length} deleted since ${since}`);
  return { bookmark: result.bookmark ?? previous ?? {}, deletions: wantDeletions ? result.deletions.length : 0 };
}

/** Reads one stream, in full or from its bookmark, and writes SCHEMA, RECORDs and a STATE. */
export async function syncStream(sel: SelectedStream, ctx: SyncContext): Promise<StreamSummary> {
  const { def } = sel;
  const started = Date.now();
  const incremental = sel.replicationMethod === 'INCREMENTAL' && def.replicationKey !== undefined;
  // Full reads carry a version so a target can retire rows that vanished (ACTIVATE_VERSION).
  const version = !incremental && ctx.settings.activateVersion ? ctx.runStartedMs : undefined;
  await ctx.writer.schema(def.name, sel.schema, KEY_PROPERTIES, incremental ? [def.replicationKey!] : undefined);
  const emitter = new RecordEmitter(sel, ctx, version);

  let bookmark: Bookmark = {};
  let deletions = 0;
  if (def.paging === 'offset') await readPaged(def, ctx, emitter);
  else ({ bookmark, deletions } = await readUnpaged(sel, ctx, emitter, incremental));

  if (version !== undefined) {
    // Only after a complete read: a version activated before the records, or by a run that then
    // failed, would make the target retire rows that still exist.
    await ctx.writer.activateVersion(def.name, version);
    bookmark = { version };
  }
  emitter.finish();
  ctx.state.setBookmark(def.name, bookmark);
  await ctx.writer.state(ctx.state.value());
  timer('sync_duration', (Date.now() - started) / 1000, { stream: def.name });
  return { stream: def.name, records: emitter.count - deletions, deletions };
}

import type { SelectedStream } from './catalog.js';
import { encodeJsonText, jsonTextFields } from './json-text.js';
import { logger } from './log.js';
import { Counter } from './metrics.js';
import { recordPrefix, recordSuffix } from './output.js';
import type { EncodedRecords } from './paginate.js';
import { streamSchema } from './schemas.js';
import type { SyncContext } from './sync-context.js';

/** A STATE every this many records keeps targets committing on long streams (the SDK's cadence). */
export const STATE_EVERY_RECORDS = 10_000;

const log = logger('tap-rocketchat');

/**
 * Turns API records into RECORD messages: drops deselected fields, reports fields the schema
 * does not know (schema drift) once per field, and writes a STATE
 * every STATE_EVERY_RECORDS records (bookmarks of unfinished streams do not move).
 */
export class RecordEmitter {
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
      for (const key in record) {
        if (!this.known.has(key)) this.reportDrift(key);
      }
      const span = copy?.spans[i];
      if (span && record === raw) await writer.recordBytes(this.prefixBytes, copy!.bytes, span[0], span[1], suffixBytes!);
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

import type { SelectedStream } from './catalog.js';
import { encodeJsonText, jsonTextFields } from './json-text.js';
import { logger } from './log.js';
import { VISITOR_TOKEN_HOLDERS, withoutVisitorToken } from './visitor-token.js';
import { Counter } from './metrics.js';
import { recordPrefix, recordSuffix } from './output.js';
import type { EncodedRecords } from './paginate.js';
import { streamSchema, type JsonSchema } from './schemas.js';
import { KEY_PROPERTIES, replicationKey } from './streams.js';
import type { SyncContext } from './sync-context.js';

/** A STATE every this many records keeps targets committing on long streams (the SDK's cadence). */
export const STATE_EVERY_RECORDS = 10_000;

const log = logger('tap-rocketchat');

/** A top-level field the SCHEMA sent declares: nothing to check. */
const DECLARED = null;
/** A declared field whose value may have to be changed first (JSON text, a visitor's token). */
const SPECIAL = 'special';
type FieldState = Set<string> | typeof DECLARED | typeof SPECIAL;

/**
 * Turns API records into RECORD messages: drops deselected fields, widens the stream's SCHEMA
 * for fields it does not declare (schema drift) before the first record that has them, and
 * writes a STATE every STATE_EVERY_RECORDS records (bookmarks of unfinished streams do not move).
 *
 * Drift: a target only loads what the SCHEMA declares (target-postgres drops the rest with "No
 * schema for record field"), so an undeclared field gets a property typed after its value,
 * nullable (`["string", "null"]`; objects and arrays as `object`/`array`), in a new SCHEMA
 * message; a later value of another JSON type widens it again. A field the catalog's schema
 * lacks but the tap's own schema has gets the tap's definition. Values are never changed.
 */
export class RecordEmitter {
  private readonly prefix: string;
  private readonly prefixBytes: Buffer;
  /** Fields of the SCHEMA last sent: DECLARED or SPECIAL, or the JSON types a drifted field was given. */
  private readonly types = new Map<string, FieldState>();
  /** Undeclared fields already reported. */
  private readonly reported = new Set<string>();
  /** The SCHEMA last sent, widened by drift. */
  private schema: JsonSchema;
  private readonly counter: Counter;
  /** Fields sent as JSON text (src/json-text.ts). */
  private readonly jsonText: string[];
  /** Fields that send a record through encodeJsonText and withoutVisitorToken when present. */
  private readonly special: ReadonlySet<string>;
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
    this.schema = sel.schema;
    this.jsonText = jsonTextFields(streamSchema(sel.def));
    this.special = new Set([...this.jsonText, ...VISITOR_TOKEN_HOLDERS]);
    for (const key of Object.keys(sel.schema.properties ?? {})) this.declare(key);
    if (sel.fields) {
      // Fields left out by the catalog are projected away, never drift.
      for (const key of Object.keys(streamSchema(sel.def).properties ?? {})) this.declare(key);
    }
    this.counter = new Counter('record_count', { stream: sel.def.name });
  }

  private declare(key: string): void {
    this.types.set(key, this.special.has(key) ? SPECIAL : DECLARED);
  }

  /**
   * `encoded`: the records' bytes in the response, copied out as they are when all fields are
   * kept and nothing changes them. `rewrite`: the stream's own change to a record (the same
   * object when there is none), applied first.
   */
  async emit<T extends Record<string, unknown>>(records: readonly T[], encoded?: EncodedRecords, rewrite?: (record: T) => Record<string, unknown>): Promise<void> {
    const suffix = recordSuffix(new Date().toISOString(), this.version);
    const copy = this.projects ? undefined : encoded;
    const suffixBytes = copy && Buffer.from(suffix);
    const { fields } = this.sel;
    const { writer } = this.ctx;
    const types = this.types;
    for (let i = 0; i < records.length; i++) {
      const raw = records[i]!;
      const given = rewrite ? rewrite(raw) : raw;
      // One pass over the keys: drift, and whether a field may need changing (most records: none).
      let special = false;
      for (const key in given) {
        const known = types.get(key);
        if (known === DECLARED) continue;
        if (known === SPECIAL) special = true;
        else {
          if (known === undefined || !known.has(jsonType(given[key]))) await this.drift(key, given[key]);
          // An undeclared field can still hold a visitor's token.
          if (this.special.has(key)) special = true;
        }
      }
      const record = special ? encodeJsonText(withoutVisitorToken(given), this.jsonText) : given;
      const span = copy?.spans[i];
      const written =
        span && record === raw
          ? writer.recordBytes(this.prefixBytes, copy!.bytes, span[0], span[1], suffixBytes!)
          : writer.record(this.prefix, fields ? project(record, fields) : record, suffix);
      if (written) await written;
    }
    this.count += records.length;
    this.counter.add(records.length);
    this.sinceState += records.length;
    if (this.sinceState >= STATE_EVERY_RECORDS) {
      this.sinceState = 0;
      await writer.stateParts(this.ctx.state.jsonParts());
    }
  }

  /** A field the SCHEMA sent does not declare, or a value of a type it was not given. */
  private async drift(key: string, value: unknown): Promise<void> {
    const name = this.sel.def.name;
    const first = !this.reported.has(key);
    this.reported.add(key);
    if (this.sel.fields) {
      this.declare(key);
      log.warn(`schema drift: ${name} records have field "${key}", which the stream schema does not declare (dropped, since the catalog selects fields)`);
      return;
    }
    const ours = streamSchema(this.sel.def).properties?.[key];
    if (ours) {
      this.declare(key);
      log.warn(`catalog: the schema of ${name} lacks field "${key}", which its records have: a SCHEMA with the tap's definition of it is sent first`);
      return this.widen(key, ours);
    }
    const type = jsonType(value);
    if (type === 'null') {
      // Nothing to type it by yet, and a null loses nothing: declared with its first value.
      if (first) log.warn(`schema drift: ${name} records have field "${key}", which the stream schema does not declare; it is declared with its first non-null value`);
      return;
    }
    const known = this.types.get(key);
    const types = known instanceof Set ? known : new Set(['null']);
    types.add(type);
    this.types.set(key, types);
    const declared = [...types].sort((a, b) => (a === 'null' ? 1 : b === 'null' ? -1 : a.localeCompare(b)));
    log.warn(
      first || !this.schema.properties?.[key]
        ? `schema drift: ${name} records have field "${key}", which the stream schema does not declare: it is declared as ${JSON.stringify(declared)} in a SCHEMA sent before the first record that has it`
        : `schema drift: ${name} field "${key}" also holds ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}: its SCHEMA is widened to ${JSON.stringify(declared)}`,
    );
    return this.widen(key, { type: declared });
  }

  /** Sends the SCHEMA again with `key` declared as `property`. */
  private async widen(key: string, property: JsonSchema): Promise<void> {
    const def = this.sel.def;
    this.schema = { ...this.schema, properties: { ...this.schema.properties, [key]: property } };
    const replication = replicationKey(def);
    const incremental = this.sel.replicationMethod === 'INCREMENTAL' && replication !== undefined;
    await this.ctx.writer.schema(def.name, this.schema, KEY_PROPERTIES, incremental ? [replication] : undefined);
  }

  finish(): void {
    this.counter.flush();
  }
}

/** The JSON Schema type of a parsed JSON value (numbers are all `number`: 5 and 5.5 alike). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  return t === 'bigint' ? 'number' : t;
}

function project(record: Record<string, unknown>, fields: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (fields.has(key)) out[key] = record[key];
  return out;
}

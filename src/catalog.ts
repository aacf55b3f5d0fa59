import { InputError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { logger } from './log.js';
import { streamSchema, type JsonSchema } from './schemas.js';
import { KEY_PROPERTIES, replicationKey, STREAMS, type StreamDef } from './streams.js';
import { closestName } from './suggest.js';
import { isObject } from './is-object.js';

const log = logger('tap-rocketchat');

export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL';

export interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  replication_key?: string;
  replication_method?: ReplicationMethod;
  metadata: MetadataEntry[];
}

export interface Catalog {
  streams: CatalogEntry[];
}

/** A stream chosen for this run, with what to emit of it. */
export interface SelectedStream {
  def: StreamDef;
  /** The schema sent in SCHEMA messages, reduced to the selected fields. */
  schema: JsonSchema;
  /** Top-level fields to keep; undefined keeps every field, unknown ones included. */
  fields: ReadonlySet<string> | undefined;
  replicationMethod: ReplicationMethod;
}

function defaultReplicationMethod(def: StreamDef): ReplicationMethod {
  return replicationKey(def) ? 'INCREMENTAL' : 'FULL_TABLE';
}

/** Fields that are always emitted: the key and the replication key. */
function automaticFields(def: StreamDef): Set<string> {
  const key = replicationKey(def);
  return new Set<string>([...KEY_PROPERTIES, ...(key ? [key] : [])]);
}

function catalogEntry(def: StreamDef): CatalogEntry {
  const schema = streamSchema(def);
  const automatic = automaticFields(def);
  const streamMetadata: Record<string, unknown> = {
    inclusion: 'available',
    // Omnichannel and statistics are off by default: many workspaces do not use Omnichannel.
    'selected-by-default': def.selectedByDefault ?? true,
    'table-key-properties': [...KEY_PROPERTIES],
  };
  const key = replicationKey(def);
  if (key) {
    streamMetadata['valid-replication-keys'] = [key];
    streamMetadata['replication-key'] = key;
  } else {
    // No replication key exists for this route (see README, Streams), so only full reads are possible.
    streamMetadata['forced-replication-method'] = 'FULL_TABLE';
  }
  const entry: CatalogEntry = {
    tap_stream_id: def.name,
    stream: def.name,
    schema,
    key_properties: [...KEY_PROPERTIES],
    replication_method: defaultReplicationMethod(def),
    metadata: [
      { breadcrumb: [], metadata: streamMetadata },
      ...Object.keys(schema.properties ?? {}).map((field) => ({
        breadcrumb: ['properties', field],
        metadata: automatic.has(field)
          ? { inclusion: 'automatic' }
          : { inclusion: 'available', 'selected-by-default': true },
      })),
    ],
  };
  if (key) entry.replication_key = key;
  return entry;
}

/** The catalog `--discover` prints: every stream, every field, selected by default. */
export function discoverCatalog(): Catalog {
  return { streams: STREAMS.map(catalogEntry) };
}


/** Checks that a parsed catalog has the shape the tap reads; `source` names the file in errors. */
export function parseCatalog(value: unknown, source: string): Catalog {
  if (!isObject(value) || !Array.isArray(value.streams)) {
    throw new InputError(`catalog ${source} must be a JSON object with a "streams" array (as --discover prints)`);
  }
  value.streams.forEach((entry: unknown, i: number) => {
    if (!isObject(entry)) throw new InputError(`catalog ${source}: streams[${i}] must be an object`);
    const id = entry.tap_stream_id ?? entry.stream;
    if (typeof id !== 'string') throw new InputError(`catalog ${source}: streams[${i}] has no "tap_stream_id"`);
    if (entry.metadata !== undefined && !Array.isArray(entry.metadata)) {
      throw new InputError(`catalog ${source}: stream "${id}" has "metadata" that is not an array`);
    }
    const breadcrumbs = new Set<string>();
    const repeated = new Set<string>();
    for (const item of (entry.metadata ?? []) as unknown[]) {
      if (!isObject(item) || !Array.isArray(item.breadcrumb) || !isObject(item.metadata)) {
        throw new InputError(`catalog ${source}: stream "${id}" has a metadata entry without "breadcrumb" and "metadata"`);
      }
      if (!item.breadcrumb.every((part) => typeof part === 'string')) {
        throw new InputError(`catalog ${source}: stream "${id}" has a metadata entry whose "breadcrumb" is not an array of strings`);
      }
      const key = JSON.stringify(item.breadcrumb);
      if (breadcrumbs.has(key)) repeated.add(key);
      breadcrumbs.add(key);
    }
    if (repeated.size > 0) {
      // The SDK and singer-python read metadata into a map keyed by breadcrumb: the last entry wins.
      log.warn(`catalog ${source}: stream "${id}" has more than one metadata entry for breadcrumb ${[...repeated].join(', ')}; the last of each is used`);
    }
    if (entry.schema !== undefined && !isObject(entry.schema)) {
      throw new InputError(`catalog ${source}: stream "${id}" has a "schema" that is not an object`);
    }
  });
  return value as unknown as Catalog;
}

export async function readCatalogFile(path: string): Promise<Catalog> {
  return parseCatalog(await readJsonFile(path, 'catalog'), path);
}

function metadataAt(entry: CatalogEntry, breadcrumb: readonly string[]): Record<string, unknown> {
  const key = breadcrumb.join('\u0000');
  // The last entry wins, as in the SDK (parseCatalog warns about repeats).
  return entry.metadata?.findLast((m) => m.breadcrumb.join('\u0000') === key)?.metadata ?? {};
}

/** The SDK's rule: explicit `selected`, else `selected-by-default`, else the fallback. */
function isSelected(metadata: Record<string, unknown>, fallback: boolean): boolean {
  if (metadata.inclusion === 'unsupported') return false;
  if (typeof metadata.selected === 'boolean') return metadata.selected;
  if (typeof metadata['selected-by-default'] === 'boolean') return metadata['selected-by-default'];
  return fallback;
}

function selectFromEntry(def: StreamDef, entry: CatalogEntry, source: string): SelectedStream | undefined {
  const streamMeta = metadataAt(entry, []);
  // Legacy --properties catalogs mark selection inside the schema.
  const legacySelected = isObject(entry.schema) && typeof entry.schema.selected === 'boolean' ? entry.schema.selected : undefined;
  const selected = typeof streamMeta.selected === 'boolean' ? streamMeta.selected : legacySelected ?? isSelected(streamMeta, false);
  if (!selected) return undefined;

  const schema = isObject(entry.schema) && isObject(entry.schema.properties) ? entry.schema : streamSchema(def);
  const automatic = automaticFields(def);
  const properties = schema.properties ?? {};
  const kept: Record<string, JsonSchema> = {};
  let allSelected = true;
  for (const [field, fieldSchema] of Object.entries(properties)) {
    const meta = metadataAt(entry, ['properties', field]);
    const legacy = isObject(fieldSchema) && typeof fieldSchema.selected === 'boolean' ? fieldSchema.selected : undefined;
    if (automatic.has(field)) {
      if (meta.selected === false) log.warn(`catalog ${source}: field ${def.name}.${field} is always emitted (it is a key), its "selected: false" is ignored`);
      kept[field] = fieldSchema;
    } else if (meta.inclusion === 'automatic' || (typeof meta.selected === 'boolean' ? meta.selected : legacy ?? isSelected(meta, true))) {
      kept[field] = fieldSchema;
    } else {
      allSelected = false;
    }
  }
  let replicationMethod = defaultReplicationMethod(def);
  const requested = streamMeta['replication-method'] ?? entry.replication_method;
  if (requested === 'FULL_TABLE') replicationMethod = 'FULL_TABLE';
  else if (requested === 'INCREMENTAL' && !replicationKey(def)) {
    log.warn(`catalog ${source}: stream ${def.name} has no replication key in the Rocket.Chat API; reading it in full`);
  } else if (requested !== undefined && requested !== 'INCREMENTAL') {
    throw new InputError(`catalog ${source}: stream "${def.name}" has replication-method ${JSON.stringify(requested)}; use FULL_TABLE or INCREMENTAL`);
  }
  return {
    def,
    schema: allSelected ? schema : { ...schema, properties: kept },
    fields: allSelected ? undefined : new Set(Object.keys(kept)),
    replicationMethod,
  };
}

/** Streams to sync: every stream selected by default without a catalog, else those the catalog selects, in table order. */
export function selectStreams(catalog: Catalog | undefined, source = 'catalog'): SelectedStream[] {
  if (!catalog) {
    return (STREAMS as readonly StreamDef[]).filter((def) => def.selectedByDefault !== false).map((def) => ({ def, schema: streamSchema(def), fields: undefined, replicationMethod: defaultReplicationMethod(def) }));
  }
  const byName = new Map<string, CatalogEntry>();
  const known = STREAMS.map((s) => s.name as string);
  for (const entry of catalog.streams) {
    const id = entry.tap_stream_id ?? entry.stream;
    if (!known.includes(id)) {
      const guess = closestName(id, known);
      throw new InputError(`catalog ${source}: unknown stream "${id}"${guess ? ` (did you mean "${guess}"?)` : ''}; known streams: ${known.join(', ')}`);
    }
    if (byName.has(id)) log.warn(`catalog ${source}: stream "${id}" is listed more than once; the last entry is used`);
    byName.set(id, entry);
  }
  const selected: SelectedStream[] = [];
  for (const def of STREAMS) {
    const entry = byName.get(def.name);
    const choice = entry && selectFromEntry(def, entry, source);
    if (choice) selected.push(choice);
  }
  return selected;
}

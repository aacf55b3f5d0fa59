import { InputError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { parseIsoDate } from './dates.js';
import { isObject } from './is-object.js';
import { logger } from './log.js';
import { replicationKey, STREAMS, type StreamDef } from './streams.js';

const log = logger('tap-rocketchat');
const STREAM_BY_NAME: ReadonlyMap<string, StreamDef> = new Map(STREAMS.map((s) => [s.name, s]));

/** A stream's bookmark, in the Meltano SDK's shape. */
export interface Bookmark {
  replication_key?: string;
  replication_key_value?: string;
  [key: string]: unknown;
}

export interface TapState {
  bookmarks: Record<string, Bookmark>;
  [key: string]: unknown;
}


/** The keys a Singer state has at its top (the spec's convention). */
const STATE_KEYS = new Set(['bookmarks', 'currently_syncing']);

/**
 * Checks the shape of a state object; `source` names the file in errors. What cannot be read
 * as our bookmarks is an InputError (exit 2); what belongs to another tap (streams we do not
 * have, a foreign `currently_syncing`, other top-level keys) is dropped, each noted once in
 * `warnings`, so it is never copied into the STATE messages of this run.
 */
export function parseState(value: unknown, source: string, warnings: string[] = []): TapState {
  value = unwrap(value, source, warnings);
  if (!isObject(value)) throw new InputError(`state ${source} must hold a JSON object such as {"bookmarks": {}}`);
  const bookmarks = value.bookmarks ?? {};
  if (!isObject(bookmarks)) throw new InputError(`state ${source}: "bookmarks" must be an object keyed by stream name`);
  const kept: Record<string, Bookmark> = {};
  const foreign: string[] = [];
  for (const [stream, bookmark] of Object.entries(bookmarks)) {
    if (!isObject(bookmark)) throw new InputError(`state ${source}: bookmark of stream ${JSON.stringify(stream)} must be an object`);
    const def = STREAM_BY_NAME.get(stream);
    if (!def) {
      foreign.push(stream);
      continue;
    }
    checkBookmark(def, bookmark, source);
    kept[stream] = structuredClone(bookmark) as Bookmark;
  }
  if (foreign.length > 0) {
    warnings.push(`state ${source}: ignoring the bookmarks of ${names(foreign)}, which this tap does not have (a state of another tap?); known streams: ${[...STREAM_BY_NAME.keys()].join(', ')}`);
  }
  const extra = Object.keys(value).filter((k) => !STATE_KEYS.has(k));
  if (extra.length > 0) warnings.push(`state ${source}: ignoring the top-level ${extra.length === 1 ? 'key' : 'keys'} ${names(extra)} (a state has "bookmarks")`);
  const syncing = value.currently_syncing;
  if (syncing !== undefined && syncing !== null && !(typeof syncing === 'string' && STREAM_BY_NAME.has(syncing))) {
    warnings.push(`state ${source}: ignoring "currently_syncing": ${JSON.stringify(syncing)}, which is not a stream of this tap`);
  }
  // currently_syncing is not carried: this tap resumes from bookmarks alone, and a stale one would mislead.
  return { bookmarks: kept };
}

/**
 * A saved STATE message (people keep the last line of a run) or Meltano's
 * `meltano state get` output, `{"singer_state": {...}}`, gives the state inside.
 */
function unwrap(value: unknown, source: string, warnings: string[]): unknown {
  for (let depth = 0; depth < 4 && isObject(value); depth++) {
    if (value.type === 'STATE' && isObject(value.value)) value = value.value;
    else if ('singer_state' in value && !('bookmarks' in value)) {
      if (!isObject(value.singer_state)) throw new InputError(`state ${source}: "singer_state" must be an object such as {"bookmarks": {}}`);
      value = value.singer_state;
    } else break;
  }
  // Older releases wrote `singer_state` next to fresh `bookmarks` back out: the bookmarks are the news.
  if (isObject(value) && 'singer_state' in value && 'bookmarks' in value) {
    warnings.push(`state ${source}: has both "singer_state" and "bookmarks"; using "bookmarks"`);
    const { singer_state: _ignored, ...rest } = value;
    value = rest;
  }
  return value;
}

/** Throws where the bookmark of one of our streams cannot be read as this tap's bookmark. */
function checkBookmark(def: StreamDef, bookmark: unknown, source: string): void {
  const where = `state ${source}: bookmark of stream "${def.name}"`;
  if (!isObject(bookmark)) throw new InputError(`${where} must be an object`);
  checkDate(bookmark.replication_key_value, `${where} has replication_key_value`);
  const key = replicationKey(def);
  if (bookmark.replication_key !== undefined && bookmark.replication_key !== key) {
    const expected = key ? `"${key}"` : 'none (the stream is read in full)';
    throw new InputError(`${where} has replication_key ${JSON.stringify(bookmark.replication_key)}, but the stream's is ${expected}: is this the state of another tap?`);
  }
  if (bookmark.overlap !== undefined) checkOverlap(bookmark.overlap, where);
  if (def.read === 'per-room') checkPartitions(bookmark, where);
}

function checkPartitions(bookmark: Record<string, unknown>, where: string): void {
  checkDate(bookmark.full_pass_at, `${where} has full_pass_at`);
  if (bookmark.partitions === undefined) return;
  if (!Array.isArray(bookmark.partitions)) throw new InputError(`${where} has "partitions" that is not an array`);
  bookmark.partitions.forEach((p: unknown, i: number) => {
    const at = `${where}, partition ${i},`;
    if (!isObject(p) || !isObject(p.context) || typeof p.context.rid !== 'string') {
      throw new InputError(`${at} must be {"context": {"rid": "<room id>"}, ...}`);
    }
    checkDate(p.replication_key_value, `${at} has replication_key_value`);
    if (p.overlap !== undefined) checkOverlap(p.overlap, at);
  });
}

/** `_id` → stamp of what was emitted in the overlap window (src/incremental.ts). */
function checkOverlap(overlap: unknown, where: string): void {
  if (!isObject(overlap) || !Object.values(overlap).every((v) => typeof v === 'string' && parseIsoDate(v))) {
    throw new InputError(`${where} has "overlap" that is not an object of ISO 8601 dates`);
  }
}

function checkDate(mark: unknown, what: string): void {
  if (mark !== undefined && mark !== null && (typeof mark !== 'string' || !parseIsoDate(mark))) {
    throw new InputError(`${what} ${JSON.stringify(mark)}, which is not an ISO 8601 date`);
  }
}

function names(list: readonly string[]): string {
  const quoted = list.slice(0, 10).map((n) => JSON.stringify(n));
  return list.length > 10 ? `${quoted.join(', ')} and ${list.length - 10} more` : quoted.join(', ');
}

export async function readStateFile(path: string): Promise<TapState> {
  // Meltano writes an empty file when there is no state yet.
  const warnings: string[] = [];
  const state = parseState(await readJsonFile(path, 'state', { bookmarks: {} }), path, warnings);
  for (const w of warnings) log.warn(w);
  return state;
}

/**
 * The whole state the tap emits. Each STATE message carries all of it; streams not synced in
 * this run keep the bookmarks they came with. A stream's bookmark only moves after the records
 * it covers were handed to the writer.
 */
export class StateTracker {
  private readonly state: TapState;
  /** Bookmarks that serialise themselves (the messages stream's, with a cache per room). */
  private readonly parts = new Map<string, () => string[]>();

  constructor(initial: TapState = { bookmarks: {} }) {
    this.state = structuredClone(initial);
  }

  bookmark(stream: string): Bookmark | undefined {
    return this.state.bookmarks[stream];
  }

  /** `parts`, when given, must give strings that join to exactly JSON.stringify(bookmark). */
  setBookmark(stream: string, bookmark: Bookmark, parts?: () => string[]): void {
    this.state.bookmarks[stream] = bookmark;
    if (parts) this.parts.set(stream, parts);
    else this.parts.delete(stream);
  }

  value(): TapState {
    return this.state;
  }

  /** JSON.stringify(value()) as strings to write one after the other (see RoomBookmarks.jsonParts). */
  jsonParts(): string[] {
    if (this.parts.size === 0) return [JSON.stringify(this.state)];
    const out = ['{"bookmarks":{'];
    Object.entries(this.state.bookmarks).forEach(([stream, b], i) => {
      out.push(`${i === 0 ? '' : ','}${JSON.stringify(stream)}:`);
      const own = this.parts.get(stream);
      if (own) out.push(...own());
      else out.push(JSON.stringify(b));
    });
    out.push('}');
    for (const [key, value] of Object.entries(this.state)) {
      if (key !== 'bookmarks' && value !== undefined) out.push(`,${JSON.stringify(key)}:${JSON.stringify(value)}`);
    }
    out.push('}');
    return out;
  }
}

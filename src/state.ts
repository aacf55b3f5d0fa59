import { InputError } from './errors.js';
import { readJsonFile } from './json-file.js';
import { parseIsoDate } from './dates.js';
import { isObject } from './is-object.js';

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


/** Checks the shape of a state object; `source` names the file in errors. */
export function parseState(value: unknown, source: string): TapState {
  // Accept a whole STATE message too, as people often save the last line of a run.
  if (isObject(value) && value.type === 'STATE' && isObject(value.value)) value = value.value;
  if (!isObject(value)) throw new InputError(`state ${source} must hold a JSON object such as {"bookmarks": {}}`);
  const bookmarks = value.bookmarks ?? {};
  if (!isObject(bookmarks)) throw new InputError(`state ${source}: "bookmarks" must be an object keyed by stream name`);
  for (const [stream, bookmark] of Object.entries(bookmarks)) {
    if (!isObject(bookmark)) throw new InputError(`state ${source}: bookmark of stream "${stream}" must be an object`);
    const mark = bookmark.replication_key_value;
    if (mark !== undefined && mark !== null && (typeof mark !== 'string' || !parseIsoDate(mark))) {
      throw new InputError(`state ${source}: bookmark of stream "${stream}" has replication_key_value ${JSON.stringify(mark)}, which is not an ISO 8601 date`);
    }
  }
  return { ...value, bookmarks: structuredClone(bookmarks) as Record<string, Bookmark> };
}

export async function readStateFile(path: string): Promise<TapState> {
  // Meltano writes an empty file when there is no state yet.
  return parseState(await readJsonFile(path, 'state', { bookmarks: {} }), path);
}

/**
 * The whole state the tap emits. Each STATE message carries all of it; streams not synced in
 * this run keep the bookmarks they came with. A stream's bookmark only moves after the records
 * it covers were handed to the writer.
 */
export class StateTracker {
  private readonly state: TapState;

  constructor(initial: TapState = { bookmarks: {} }) {
    this.state = structuredClone(initial);
  }

  bookmark(stream: string): Bookmark | undefined {
    return this.state.bookmarks[stream];
  }

  setBookmark(stream: string, bookmark: Bookmark): void {
    this.state.bookmarks[stream] = bookmark;
  }

  value(): TapState {
    return this.state;
  }
}

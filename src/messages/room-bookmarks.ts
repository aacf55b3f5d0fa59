import { InputError } from '../errors.js';
import { isObject } from '../is-object.js';
import type { Bookmark } from '../state.js';

/**
 * The messages stream's bookmark: one partition per room, in the Meltano SDK's shape
 * (`partitions: [{context, replication_key, replication_key_value}]`,
 * https://sdk.meltano.com/en/latest/implementation/state.html), so `meltano state get` shows it
 * as it shows any partitioned SDK stream.
 */
export interface RoomPartition {
  context: { rid: string };
  replication_key?: '_updatedAt';
  /** Greatest `_updatedAt`/`_deletedAt` the reads of this room have covered. */
  replication_key_value?: string;
  /** `_id` → stamp of what was emitted within the overlap window under the bookmark. */
  overlap?: Record<string, string>;
  /** The room's own `_updatedAt` when it was last read: unchanged means nothing new was posted. */
  room_updated_at?: string;
  /** A backfill in progress: where to resume the cursor walk. */
  backfill?: { next: number; at_edge: string[]; started: string };
}

export interface MessagesBookmark extends Bookmark {
  partitions: RoomPartition[];
  /** When a run last read every selected room, skipped ones included. */
  full_pass_at?: string;
}

function checkPartition(p: unknown, source: string): RoomPartition {
  if (!isObject(p) || !isObject(p.context) || typeof p.context.rid !== 'string') {
    throw new InputError(`state ${source}: every partition of stream "messages" must be {"context": {"rid": "<room id>"}, ...}`);
  }
  return p as unknown as RoomPartition;
}

/**
 * The per-room bookmarks of one run; entries are shared with the state object that STATE
 * serialises. Every STATE carries every room (hundreds of kilobytes for a thousand rooms, written
 * after each page), so `jsonParts()` keeps each room's text and only serialises again the rooms
 * being read (a room's partition changes only between `open` and `close`), and hands the texts
 * over as parts: joined, each STATE was several strings of that size, garbage in V8's
 * large-object space that grew the heap with the length of the run.
 */
export class RoomBookmarks {
  readonly value: MessagesBookmark;
  private readonly byRoom = new Map<string, RoomPartition>();
  private readonly texts = new WeakMap<RoomPartition, string>();
  private readonly reading = new Set<RoomPartition>();

  constructor(previous: Bookmark | undefined, source = 'input') {
    const partitions = Array.isArray(previous?.partitions) ? (previous.partitions as unknown[]).map((p) => checkPartition(p, source)) : [];
    this.value = { ...(previous ?? {}), partitions };
    for (const p of partitions) this.byRoom.set(p.context.rid, p);
  }

  get(rid: string): RoomPartition | undefined {
    return this.byRoom.get(rid);
  }

  /** The room's partition, to be changed until `close`; created empty on its first read. */
  open(rid: string): RoomPartition {
    let p = this.byRoom.get(rid);
    if (!p) {
      p = { context: { rid } };
      this.byRoom.set(rid, p);
      this.value.partitions.push(p);
    }
    this.reading.add(p);
    this.texts.delete(p);
    return p;
  }

  close(p: RoomPartition): void {
    this.reading.delete(p);
  }

  /** Strings whose concatenation is exactly JSON.stringify(this.value). */
  jsonParts(): string[] {
    const parts = ['{'];
    for (const [key, value] of Object.entries(this.value)) {
      if (value === undefined) continue;
      parts.push(`${parts.length > 1 ? ',' : ''}${JSON.stringify(key)}:`);
      if (key !== 'partitions') {
        parts.push(JSON.stringify(value));
        continue;
      }
      parts.push('[');
      this.value.partitions.forEach((p, i) => parts.push(i === 0 ? this.partitionJson(p) : `,${this.partitionJson(p)}`));
      parts.push(']');
    }
    parts.push('}');
    return parts;
  }

  private partitionJson(p: RoomPartition): string {
    if (this.reading.has(p)) return JSON.stringify(p);
    let text = this.texts.get(p);
    if (text === undefined) this.texts.set(p, (text = JSON.stringify(p)));
    return text;
  }
}

import { InputError } from '../errors.js';

/**
 * `partition: "k/n"` restricts a run to the rooms whose stable hash falls in share k of n, so that
 * n jobs (each with its own state) split a workspace between them. Rocket.Chat budgets requests
 * per client IP (docs/rocketchat-api-notes.md#rate-limiting): n machines have n budgets.
 */
export interface Partition {
  /** 1-based share. */
  readonly index: number;
  readonly of: number;
}

export function parsePartition(raw: string | undefined): Partition | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = match ? Number(match[1]) : NaN;
  const of = match ? Number(match[2]) : NaN;
  if (!match || of < 1 || index < 1 || index > of) {
    throw new InputError(`config: "partition" must be "k/n" with 1 ≤ k ≤ n, e.g. "2/8" (got ${JSON.stringify(raw)})`);
  }
  return { index, of };
}

/** FNV-1a over the id's UTF-16 code units: stable across runs, machines and Node versions. */
export function stableHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function inPartition(id: string, partition: Partition | undefined): boolean {
  return partition === undefined || stableHash(id) % partition.of === partition.index - 1;
}

/**
 * Helpers for the messages end-to-end tests: a run of the messages stream alone, its records and
 * last STATE, the per-room bookmark, and what the emulator says a read should return.
 */
import assert from 'node:assert/strict';
import type { Emulator, IdentityName } from '../../emulator/index.js';
import { configFor } from './emulator.js';
import { runTap, tempDir, writeJson, type RunOptions, type TapRun } from './run-tap.js';
import { lastState, parseMessages, recordsOf, type SingerMessage } from './singer.js';

export type MessageRecord = Record<string, unknown> & { _id: string };

export interface MessagesRun extends TapRun {
  records: MessageRecord[];
  state: SingerMessage['value'];
}

export interface RunSpec {
  identity?: IdentityName;
  config?: Record<string, unknown>;
  state?: unknown;
  fullTable?: boolean;
  options?: RunOptions;
}

/** A catalog selecting only messages, optionally forced to FULL_TABLE. */
export function messagesCatalog(dir: string, fullTable = false): string {
  const metadata: Record<string, unknown> = { selected: true };
  if (fullTable) metadata['replication-method'] = 'FULL_TABLE';
  return writeJson(dir, 'catalog.json', { streams: [{ tap_stream_id: 'messages', stream: 'messages', metadata: [{ breadcrumb: [], metadata }] }] });
}

/** The arguments of a messages-only run (config, catalog, and state when given). */
export function messagesArgs(emu: Emulator, spec: RunSpec = {}): string[] {
  const dir = tempDir();
  const args = ['--config', configFor(emu, spec.identity ?? 'admin', spec.config ?? {}, dir), '--catalog', messagesCatalog(dir, spec.fullTable)];
  if (spec.state !== undefined) args.push('--state', writeJson(dir, 'state.json', spec.state));
  return args;
}

/** Runs the messages stream to its end; it must exit 0. */
export async function runMessages(emu: Emulator, spec: RunSpec = {}): Promise<MessagesRun> {
  const run = await runTap(messagesArgs(emu, spec), { timeoutMs: 120_000, ...spec.options });
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  const messages = run.messages;
  return { ...run, messages, records: recordsOf(messages, 'messages'), state: lastState(messages) };
}

/** The complete lines of a (possibly killed) run's stdout, parsed. */
export function wholeLines(stdout: string): SingerMessage[] {
  return parseMessages(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
}

export function ids(records: readonly Readonly<Record<string, unknown>>[]): string[] {
  return records.map((r) => r._id as string).sort();
}

/**
 * The records that are messages, not tombstones (`{_id, rid, _sdc_deleted_at}`); a soft-deleted
 * message (`t: 'rm'`) is a message with `_sdc_deleted_at`, and stays.
 */
export function live(records: readonly MessageRecord[]): MessageRecord[] {
  return records.filter((r) => r._updatedAt !== undefined);
}

/** The room ids of the messages bookmark, and the partition of each. */
export function partitionsOf(state: SingerMessage['value']): Map<string, Record<string, unknown>> {
  const b = state?.bookmarks?.messages as { partitions?: Array<{ context: { rid: string } } & Record<string, unknown>> } | undefined;
  return new Map((b?.partitions ?? []).map((p) => [p.context.rid, p]));
}

/** chat.syncMessages requests logged by the emulator, per room id. */
export function syncRequestsByRoom(emu: Emulator): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of emu.requests) {
    if (r.path !== '/api/v1/chat.syncMessages') continue;
    out.set(r.query.roomId!, (out.get(r.query.roomId!) ?? 0) + 1);
  }
  return out;
}

/** The largest number of messages of one room that share one `_updatedAt` millisecond. */
export function largestTieBlock(records: readonly Record<string, unknown>[]): number {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = `${r.rid as string}|${r._updatedAt as string}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
}

/** Room kind as the tap's filter sees it (a discussion is its own kind). */
export function roomKindOf(emu: Emulator, rid: string): string {
  const room = emu.dataset.roomById.get(rid);
  assert.ok(room, `room ${rid} exists`);
  if (room.prid) return 'discussion';
  return ({ c: 'public', p: 'private', d: 'direct', l: 'omnichannel' } as Record<string, string>)[room.t as string] ?? String(room.t);
}

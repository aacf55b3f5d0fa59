/**
 * The messages stream under stress: SIGKILL mid-backfill and mid-incremental, then a rerun from
 * the last STATE (nothing lost, at most one page re-read per room in flight), and a rate-limited
 * token paced with no 429.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../emulator/index.js';
import { withEmulator } from './support/emulator.js';
import { withTap } from './support/run-tap.js';
import { assertSameRecords, assertValidAgainstSchemas, lastState, recordsOf, type SingerMessage } from './support/singer.js';
import { live, messagesArgs, partitionsOf, runMessages, wholeLines, type MessageRecord, type RunSpec } from './support/messages.js';

const MAX_CONCURRENCY = 4; // the tap's default

interface Killed {
  messages: SingerMessage[];
  records: MessageRecord[];
  state: ReturnType<typeof lastState>;
}

/** Starts a run and SIGKILLs it once `records` messages are on stdout; it must not have finished. */
async function killAfter(emu: Emulator, spec: RunSpec, records: number): Promise<Killed> {
  let seen = 0;
  const run = await withTap(messagesArgs(emu, spec), {
    killSignal: 'SIGKILL',
    killWhen: () => seen >= records,
    onLine: (line) => {
      if (line.startsWith('{"type":"RECORD"')) seen++;
    },
    timeoutMs: 120_000,
  }, (tap) => tap.done);
  assert.equal(run.signal, 'SIGKILL', `the run was killed before it finished (code ${run.code})`);
  const messages = wholeLines(run.stdout);
  return { messages, records: recordsOf(messages, 'messages'), state: lastState(messages) };
}

/** Per room: how many of `second`'s records `first` had already emitted. */
function reEmitted(first: readonly MessageRecord[], second: readonly MessageRecord[]): Map<string, number> {
  const seen = new Set(first.map((r) => `${r._id}|${String(r._updatedAt ?? r._sdc_deleted_at)}`));
  const out = new Map<string, number>();
  for (const r of second) if (seen.has(`${r._id}|${String(r._updatedAt ?? r._sdc_deleted_at)}`)) out.set(r.rid as string, (out.get(r.rid as string) ?? 0) + 1);
  return out;
}

/** The largest `count` the tap asked of each room (its page, grown through tie blocks). */
function largestPage(emu: Emulator): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of emu.requests) {
    if (r.path !== '/api/v1/chat.syncMessages' || r.query.count === undefined) continue;
    out.set(r.query.roomId!, Math.max(out.get(r.query.roomId!) ?? 0, Number(r.query.count)));
  }
  return out;
}

/** Per room, the most of its records that ever stood between two STATEs (what a kill there loses). */
function mostBetweenStates(messages: readonly SingerMessage[]): Map<string, number> {
  const most = new Map<string, number>();
  let since = new Map<string, number>();
  for (const m of messages) {
    if (m.type === 'STATE') since = new Map();
    if (m.type !== 'RECORD') continue;
    const rid = m.record!.rid as string;
    since.set(rid, (since.get(rid) ?? 0) + 1);
    most.set(rid, Math.max(most.get(rid) ?? 0, since.get(rid)!));
  }
  return most;
}

/** Rooms whose records the killed run emitted after its last STATE. */
function roomsAfterLastState(messages: readonly { type: string; record?: Record<string, unknown> }[]): Set<string> {
  const after = new Set<string>();
  for (const m of messages) {
    if (m.type === 'STATE') after.clear();
    else if (m.type === 'RECORD') after.add(m.record!.rid as string);
  }
  return after;
}

/** Rooms whose read had not finished in `state`: those are the only ones a rerun may re-read. */
function unfinished(state: Killed['state'], rid: string): boolean {
  const p = partitionsOf(state).get(rid);
  return p === undefined || p.backfill !== undefined;
}

describe('messages: killed and resumed', () => {
  test('SIGKILL mid-backfill, rerun from the last STATE: every message, at most one page re-read per room in flight', () =>
    withEmulator({ data: { messages: 20_000 } }, async (emu) => {
      // The three biggest rooms only: no room finishes early, so only the per-page STATE bounds the loss.
      const sizes = new Map<string, number>();
      for (const m of emu.expected('messages', 'admin')) sizes.set(m.rid as string, (sizes.get(m.rid as string) ?? 0) + 1);
      const big = [...sizes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([rid]) => rid);
      const expected = emu.expected('messages', 'admin').filter((m) => big.includes(m.rid as string));
      assert.ok(sizes.get(big[2]!)! > 1000);
      const pageSize = 50;
      const config = { messages_page_size: pageSize, messages_rooms_include: big.join(',') };
      const first = await killAfter(emu, { config }, 2500);
      assert.ok(first.state, 'a STATE before the kill');
      assert.ok([...partitionsOf(first.state).values()].some((p) => p.backfill !== undefined), 'a backfill in flight in the last STATE');
      const pages = largestPage(emu);
      // Wherever the kill had come, it would have lost at most one page per room.
      for (const [rid, n] of mostBetweenStates(first.messages)) assert.ok(n <= pages.get(rid)!, `${rid}: ${n} records between two STATEs, pages of ${pages.get(rid)}`);
      emu.clearRequests();
      const second = await runMessages(emu, { state: first.state, config });
      assertValidAgainstSchemas(second.messages);
      const union = new Map(live([...first.records, ...second.records]).map((r) => [r._id, r]));
      assertSameRecords([...union.values()], expected, 'the union of both runs');
      // Rooms finished before the kill are read incrementally by the rerun: it reports their trash
      // entries newer than the backfill's bookmark (deletions of messages never emitted).
      const trash = new Set(emu.expectedResult('messages', 'admin').remove!.map((d) => d._id as string));
      for (const r of second.records) if (r._updatedAt === undefined) assert.ok(trash.has(r._id), `${r._id} is a tombstone`);
      assertSameRecords(second.records, [...new Map(second.records.map((r) => [r._id, r])).values()], 'the rerun, none twice');
      const again = reEmitted(first.records, second.records);
      assert.ok(again.size <= MAX_CONCURRENCY, `re-read rooms: ${[...again.keys()].join(', ')}`);
      for (const [rid, n] of again) {
        assert.ok(unfinished(first.state, rid), `${rid} was finished in the STATE, yet ${n} of its messages were read again`);
        assert.ok(n <= pages.get(rid)!, `${rid}: ${n} messages read again, more than one page (${pages.get(rid)})`);
      }
    }));

  test('SIGKILL mid-incremental, rerun from the last STATE: every change, at most one response re-read per room in flight', () =>
    withEmulator({ latencyMs: 40 }, async (emu) => {
      const first0 = await runMessages(emu);
      const settled = await runMessages(emu, { state: first0.state, config: { messages_full_pass_hours: 0 } });
      assert.equal(live(settled.records).length, 0);
      const since = new Date(Math.max(Date.parse(emu.stats().lastStamp), Date.now() - 1)).toISOString();
      const rooms = [...partitionsOf(settled.state).keys()];
      for (const rid of rooms) emu.mutate({ messages: { rid, insert: 20 } });
      const expected = emu.expected('messages', 'admin', { updatedSince: since });
      assert.equal(expected.length, 20 * rooms.length);
      const first = await killAfter(emu, { state: settled.state }, 200);
      assert.ok(first.records.length < expected.length);
      const second = await runMessages(emu, { state: first.state });
      const union = new Map([...first.records, ...second.records].map((r) => [r._id, r]));
      assertSameRecords([...union.values()], expected, 'the union of both runs');
      const again = reEmitted(first.records, second.records);
      // Besides the rooms in flight, a rerun re-reads the small rooms that finished after the last
      // STATE (they share a STATE at most a second later, see README, Messages, State).
      const pending = roomsAfterLastState(first.messages);
      const inFlight = [...again.keys()].filter((rid) => !pending.has(rid));
      assert.ok(inFlight.length <= MAX_CONCURRENCY, `re-read rooms: ${inFlight.join(', ')}`);
      for (const [rid, n] of again) {
        assert.ok(partitionsOf(first.state).get(rid)?.room_updated_at !== emu.dataset.roomById.get(rid)!._updatedAt, `${rid} was done in the STATE`);
        assert.ok(n <= 20, `${rid}: ${n} re-read`);
      }
    }));
});

describe('messages: an ordinary token under the rate limiter', () => {
  test('paced: exact records and no 429 on chat.syncMessages', () =>
    withEmulator({ rateLimit: { calls: 10, windowMs: 300 } }, async (emu) => {
      const expected = emu.expected('messages', 'user');
      const run = await runMessages(emu, { identity: 'user', config: { messages_page_size: 100 } });
      assertSameRecords(run.records, expected, 'messages of user');
      const sync = emu.requests.filter((r) => r.path === '/api/v1/chat.syncMessages');
      assert.ok(sync.length > 50, `${sync.length} requests: several windows`);
      assert.deepEqual(sync.filter((r) => r.status !== 200).map((r) => r.status), []);
      assert.equal(emu.requests.filter((r) => r.status === 429).length, 0, 'no 429 on any route');
      assert.equal(emu.stats().rateLimited, 0);
    }));
});

/**
 * The messages stream, later runs: exactly the changed messages (inserts, edits, reactions,
 * thread replies, a bulk rename), deletions in each of Rocket.Chat's three delete modes, the
 * FULL_TABLE reconciliation, and skipping rooms that did not change.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator, IdentityName } from '../emulator/index.js';
import { withEmulator } from './support/emulator.js';
import { assertSameRecords, assertValidAgainstSchemas } from './support/singer.js';
import { ids, largestTieBlock, live, partitionsOf, runMessages, syncRequestsByRoom, type MessagesRun } from './support/messages.js';

/**
 * A backfill and one incremental run after it: the second run reports the trash entries newer
 * than the backfill's bookmarks (see messages-read), so the state it leaves is a clean start.
 */
async function settled(emu: Emulator, identity: IdentityName = 'admin'): Promise<MessagesRun['state']> {
  const first = await runMessages(emu, { identity });
  const second = await runMessages(emu, { identity, state: first.state, config: { messages_full_pass_hours: 0 } });
  assert.equal(live(second.records).length, 0);
  return second.state;
}

/** A public room other than GENERAL with messages the admin reads. */
function otherRoom(emu: Emulator): string {
  const counts = new Map<string, number>();
  for (const m of emu.expected('messages', 'admin')) counts.set(m.rid as string, (counts.get(m.rid as string) ?? 0) + 1);
  return [...counts.entries()].filter(([rid]) => rid !== 'GENERAL' && emu.dataset.roomById.get(rid)?.t === 'c').sort((a, b) => b[1] - a[1])[0]![0];
}

/** A moment before the next mutation's stamps (the emulator stamps max(clock, last stamp + 1 ms)). */
const lastStamp = (emu: Emulator): string => new Date(Math.max(Date.parse(emu.stats().lastStamp), Date.now() - 1)).toISOString();

/** `n` plain messages of a room (no system type, thread or discussion), newest first, skipping `skip`. */
function plainIds(emu: Emulator, rid: string, n: number, skip = 0): string[] {
  return emu.expectedMessages('admin', { rids: [rid] }).rooms[0]!.updated
    .filter((m) => m.t === undefined && m.tmid === undefined && m.tcount === undefined && m.drid === undefined)
    .slice(skip, skip + n).map((m) => m._id as string);
}

describe('messages: incremental runs', () => {
  test('inserts, edits, reactions and thread replies: exactly those messages, none twice', () =>
    withEmulator({}, async (emu) => {
      const state = await settled(emu);
      const since = lastStamp(emu);
      const room = otherRoom(emu);
      const a = emu.mutate({ messages: { identity: 'admin', rid: 'GENERAL', insert: 3, edit: 2, react: 2, reply: 2 } }).messages!;
      const b = emu.mutate({ messages: { identity: 'user', rid: room, insert: 1, reply: 1 } }).messages!;
      const changed = new Set([...a.inserted, ...a.updated, ...b.inserted, ...b.updated]);
      assert.ok(changed.size >= 10);
      const expected = emu.expected('messages', 'admin', { updatedSince: since });
      assert.deepEqual(ids(expected), [...changed].sort(), 'the emulator agrees on what changed');
      const run = await runMessages(emu, { state });
      assertSameRecords(run.records, expected, 'changed messages');
      assertValidAgainstSchemas(run.messages);
      const byId = new Map(run.records.map((r) => [r._id, r]));
      for (const doc of expected) {
        assert.equal(byId.get(doc._id as string)!._updatedAt, doc._updatedAt);
        assert.equal(byId.get(doc._id as string)!.msg, doc.msg);
      }
      assert.ok(run.records.some((r) => typeof r.tmid === 'string'), 'a thread reply');
      assert.ok(run.records.some((r) => typeof r.tcount === 'number' && r.tcount > 0), 'its parent, with tcount');
      // Nothing changed since: a third run emits nothing.
      const third = await runMessages(emu, { state: run.state, config: { messages_full_pass_hours: 0 } });
      assert.equal(third.records.length, 0);
    }));

  test('deletions in each mode: trash tombstones, t:rm with ShowDeletedStatus, nothing with KeepHistory until a FULL_TABLE read', () =>
    withEmulator({}, async (emu) => {
      let state = await settled(emu);

      // Default settings: the trash. Records {_id, rid, _sdc_deleted_at}.
      let since = lastStamp(emu);
      const trashed = emu.mutate({ messages: { rid: 'GENERAL', delete: plainIds(emu, 'GENERAL', 2) } }).messages!;
      assert.equal(trashed.deleted.length, 2);
      const tombstones = emu.expectedResult('messages', 'admin', { updatedSince: since }).remove!;
      assert.deepEqual(ids(tombstones), [...trashed.deleted].sort());
      let run = await runMessages(emu, { state });
      assert.deepEqual(run.records.map((r) => Object.keys(r).sort()), [['_id', '_sdc_deleted_at', 'rid'], ['_id', '_sdc_deleted_at', 'rid']]);
      assert.deepEqual(
        run.records.map((r) => ({ _id: r._id, rid: r.rid, at: r._sdc_deleted_at })).sort((x, y) => x._id.localeCompare(y._id)),
        tombstones.map((t) => ({ _id: t._id, rid: 'GENERAL', at: t._deletedAt })).sort((x, y) => (x._id as string).localeCompare(y._id as string)),
      );
      assertValidAgainstSchemas(run.messages);
      state = run.state;

      // A thread parent is always soft-deleted, whatever the settings.
      const reply = emu.mutate({ messages: { rid: 'GENERAL', reply: 1 } }).messages!;
      const parent = reply.updated[0]!;
      const parentGone = emu.mutate({ messages: { rid: 'GENERAL', delete: [parent] } }).messages!;
      assert.deepEqual(parentGone.softDeleted, [parent]);
      run = await runMessages(emu, { state });
      assert.deepEqual(ids(run.records), [...reply.inserted, parent].sort());
      const rm = run.records.find((r) => r._id === parent)!;
      assert.equal(rm.t, 'rm');
      assert.equal(rm._sdc_deleted_at, rm.editedAt);
      state = run.state;

      // Message_ShowDeletedStatus: the message stays with t:'rm'; emitted with _sdc_deleted_at.
      const soft = emu.mutate({ messages: { rid: 'GENERAL', settings: { Message_ShowDeletedStatus: true }, delete: plainIds(emu, 'GENERAL', 2, 10) } }).messages!;
      assert.equal(soft.softDeleted.length, 2);
      run = await runMessages(emu, { state });
      assert.deepEqual(ids(run.records), [...soft.softDeleted].sort());
      for (const r of run.records) {
        assert.equal(r.t, 'rm');
        assert.equal(r.msg, '');
        assert.match(r._sdc_deleted_at as string, /Z$/);
        assert.equal(r._sdc_deleted_at, r.editedAt);
      }
      assertValidAgainstSchemas(run.messages);
      state = run.state;

      // Message_KeepHistory without the status: the message is hidden and leaves no trace (documented).
      const hidden = emu.mutate({ messages: { rid: 'GENERAL', settings: { Message_KeepHistory: true, Message_ShowDeletedStatus: false }, delete: plainIds(emu, 'GENERAL', 2, 20) } }).messages!;
      assert.equal(hidden.hidden.length, 2);
      run = await runMessages(emu, { state });
      assert.equal(run.records.length, 0, 'a hidden deletion is invisible to an incremental read');
      // Only a full re-read finds it: FULL_TABLE reads every room and activates the new version.
      const full = await runMessages(emu, { state: run.state, fullTable: true });
      assertSameRecords(full.records, emu.expected('messages', 'admin'), 'the full re-read');
      for (const id of hidden.hidden) assert.ok(!full.records.some((r) => r._id === id), `${id} not re-read`);
      const versions = new Set(full.messages.filter((m) => m.type === 'RECORD').map((m) => m.version));
      assert.equal(versions.size, 1);
      assert.ok([...versions][0] !== undefined);
      const activate = full.messages.findIndex((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'messages');
      assert.ok(activate > full.messages.findLastIndex((m) => m.type === 'RECORD'), 'ACTIVATE_VERSION after every record');
      assert.equal(full.messages[activate]!.version, [...versions][0]);
    }));

  test('a bulk rename (one millisecond for hundreds of messages) is picked up exactly', () =>
    // A workspace big enough for one author to have hundreds of messages.
    withEmulator({ data: { messages: 5000 } }, async (emu) => {
      const state = await settled(emu);
      const since = lastStamp(emu);
      const renamed = emu.mutate({ messages: { rid: 'GENERAL', rename: true } }).messages!.renamed!;
      const expected = emu.expected('messages', 'admin', { updatedSince: since });
      const atOnce = expected.filter((m) => Date.parse(m._updatedAt as string) === renamed.ms);
      assert.ok(atOnce.length > 100 && largestTieBlock(expected) > 7, `${atOnce.length} messages share one millisecond`);
      // A rename moves no room, so only a full pass reads them (README: skipping unchanged rooms).
      const run = await runMessages(emu, { state, config: { messages_full_pass_hours: 0, messages_page_size: 7 } });
      assertSameRecords(run.records, expected, 'renamed messages');
      for (const r of run.records) if (renamed.messages.includes(r._id)) assert.equal((r.u as { username: string }).username, renamed.to);
    }));
});

describe('messages: skipping unchanged rooms', () => {
  test('no request for unchanged rooms; an edit of an old message waits for the full pass, which reads every room', () =>
    withEmulator({}, async (emu) => {
      let state = await settled(emu);
      const rooms = [...partitionsOf(state).keys()];
      assert.ok(rooms.length > 20);

      emu.clearRequests();
      let run = await runMessages(emu, { state });
      assert.equal(run.records.length, 0);
      assert.equal(syncRequestsByRoom(emu).size, 0, 'no chat.syncMessages request when nothing changed');
      assert.match(run.stderr, new RegExp(`0 read, ${rooms.length} unchanged`));

      // An edit of an old message does not move its room; a new message does.
      const room = otherRoom(emu);
      const edit = emu.mutate({ messages: { rid: room, edit: 1 } }).messages!;
      const insert = emu.mutate({ messages: { rid: 'GENERAL', insert: 1 } }).messages!;
      emu.clearRequests();
      run = await runMessages(emu, { state: run.state });
      assert.deepEqual([...syncRequestsByRoom(emu).entries()], [['GENERAL', 1]]);
      assert.deepEqual(ids(run.records), insert.inserted);

      // messages_full_pass_hours 0: every room is read, once, and the edit arrives.
      emu.clearRequests();
      run = await runMessages(emu, { state: run.state, config: { messages_full_pass_hours: 0 } });
      const requested = syncRequestsByRoom(emu);
      assert.deepEqual([...requested.keys()].sort(), [...rooms].sort());
      assert.ok([...requested.values()].every((n) => n === 1));
      assert.deepEqual(ids(run.records), edit.updated);
      state = run.state;

      // That run was a full pass: the next one (default 24 h) skips every room again.
      emu.clearRequests();
      run = await runMessages(emu, { state });
      assert.equal(syncRequestsByRoom(emu).size, 0);
    }));
});

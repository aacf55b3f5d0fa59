import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../emulator/index.js';
import { configFor, emulator } from './support/emulator.js';
import { runTap, tempDir, writeJson } from './support/run-tap.js';
import { STREAM_NAMES, assertSameRecords, idsOf, lastState, recordsOf, type SingerMessage } from './support/singer.js';

type State = NonNullable<SingerMessage['value']>;

function bookmarkOf(state: State, stream: string): string {
  return state.bookmarks[stream]!.replication_key_value as string;
}

function changed(records: ReadonlyArray<Record<string, unknown>>) {
  return records.filter((r) => r._sdc_deleted_at === undefined);
}

function deletions(records: ReadonlyArray<Record<string, unknown>>) {
  return records.filter((r) => r._sdc_deleted_at !== undefined);
}

describe('incremental sync of rooms and subscriptions, with deletions', () => {
  let emu: Emulator;
  let dir: string;
  let config: string;
  before(async () => {
    emu = await emulator({ data: { users: 300, seed: 21 } });
    dir = tempDir();
    config = configFor(emu, 'admin', {}, dir);
  });
  after(() => emu.close());

  async function sync(state?: State, extra: string[] = []) {
    const args = ['--config', config, ...extra];
    if (state) args.push('--state', writeJson(dir, `state-${Date.now()}-${Math.random()}.json`, state));
    const run = await runTap(args);
    assert.equal(run.code, 0, run.stderr);
    return run;
  }

  test('a second run reads only what changed, deletions included; full-table streams re-read with ACTIVATE_VERSION', async () => {
    const first = await sync();
    const state1 = lastState(first.messages)!;
    const roomsMark = bookmarkOf(state1, 'rooms');
    const subsMark = bookmarkOf(state1, 'subscriptions');

    const mutation = emu.mutate({
      updateRooms: 3, insertRooms: 2, deleteRooms: 1,
      updateSubscriptions: 2, insertSubscriptions: 1, deleteSubscriptions: 1,
      insertUsers: 4, deleteUsers: 2,
    });
    emu.clearRequests();
    const second = await sync(state1);

    const rooms = recordsOf(second.messages, 'rooms');
    assertSameRecords(changed(rooms), emu.expected('rooms', 'admin', { updatedSince: roomsMark }), 'changed rooms');
    assertSameRecords(deletions(rooms).map((r) => ({ _id: r._id })), emu.expectedRemove('rooms', 'admin', roomsMark), 'deleted rooms');
    assert.ok(deletions(rooms).some((r) => mutation.rooms.deleted.includes(r._id as string)), 'the room deleted by the mutation is reported');
    for (const d of deletions(rooms)) assert.deepEqual(Object.keys(d).sort(), ['_id', '_sdc_deleted_at']);

    const subs = recordsOf(second.messages, 'subscriptions');
    assertSameRecords(changed(subs), emu.expected('subscriptions', 'admin', { updatedSince: subsMark }), 'changed subscriptions');
    assertSameRecords(deletions(subs).map((r) => ({ _id: r._id })), emu.expectedRemove('subscriptions', 'admin', subsMark), 'deleted subscriptions');
    assert.ok(changed(subs).length >= 3 && deletions(subs).length >= 1);

    // The request asked from 2 s before the bookmark (the overlap window).
    const roomsRequest = emu.requests.find((r) => r.path === '/api/v1/rooms.get')!;
    assert.equal(roomsRequest.query.updatedSince, new Date(Date.parse(roomsMark) - 2000).toISOString());

    const users = recordsOf(second.messages, 'users');
    assertSameRecords(users, emu.expected('users', 'admin'), 'users after inserts and deletes');
    assert.ok(second.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'users'));

    const state2 = lastState(second.messages)!;
    assert.ok(Date.parse(bookmarkOf(state2, 'rooms')) > Date.parse(roomsMark), 'the rooms bookmark moved forward');

    const third = await sync(state2);
    assert.equal(recordsOf(third.messages, 'rooms').length, 0, 'nothing changed: no rooms');
    assert.equal(recordsOf(third.messages, 'subscriptions').length, 0, 'nothing changed: no subscriptions');
    assert.equal(bookmarkOf(lastState(third.messages)!, 'rooms'), bookmarkOf(state2, 'rooms'));
  });

  test('a record written in the same millisecond as the bookmark is not missed, nor anything emitted twice', async () => {
    const first = await sync();
    const state = lastState(first.messages)!;
    const mark = bookmarkOf(state, 'rooms');
    // Another write lands with exactly the bookmark's timestamp: `_updatedAt > updatedSince` alone would skip it.
    const room = emu.dataset.rooms.find((r) => (r._updatedAt as string) < mark && emu.expected('rooms', 'admin').some((e) => e._id === r._id))!;
    room._updatedAt = mark;
    room.topic = 'written in the same millisecond';
    const second = await sync(state);
    // Deletions from the trash may be re-reported (the first, full read gets no remove list); updates may not.
    const rooms = changed(recordsOf(second.messages, 'rooms'));
    assert.deepEqual(idsOf(rooms), [room._id as string], 'exactly the late same-millisecond write');
    assert.equal(rooms[0]!.topic, 'written in the same millisecond');
  });

  test('a catalog forcing FULL_TABLE re-reads every room with a version', async () => {
    const state = lastState((await sync()).messages)!;
    const catalog = JSON.parse((await runTap(['--discover'])).stdout);
    for (const entry of catalog.streams) {
      const top = entry.metadata.find((m: { breadcrumb: string[] }) => m.breadcrumb.length === 0).metadata;
      top.selected = entry.stream === 'rooms';
      if (entry.stream === 'rooms') top['replication-method'] = 'FULL_TABLE';
    }
    emu.clearRequests();
    const run = await sync(state, ['--catalog', writeJson(dir, 'full.json', catalog)]);
    assertSameRecords(recordsOf(run.messages, 'rooms'), emu.expected('rooms', 'admin'), 'rooms');
    assert.equal(emu.requests.find((r) => r.path === '/api/v1/rooms.get')!.query.updatedSince, undefined);
    assert.ok(run.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'rooms'));
    const finalState = lastState(run.messages)!;
    assert.deepEqual(finalState.bookmarks.subscriptions, state.bookmarks.subscriptions, 'bookmarks of streams not synced are carried through');
  });

  test('start_date applies to the first run of incremental streams only', async () => {
    const start = '2026-01-01T00:00:00.000Z';
    const startConfig = configFor(emu, 'admin', { start_date: '2026-01-01' }, dir);
    emu.clearRequests();
    const run = await runTap(['--config', startConfig]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(emu.requests.find((r) => r.path === '/api/v1/rooms.get')!.query.updatedSince, start);
    assertSameRecords(changed(recordsOf(run.messages, 'rooms')), emu.expected('rooms', 'admin', { updatedSince: start }), 'rooms since start_date');
    assertSameRecords(recordsOf(run.messages, 'users'), emu.expected('users', 'admin'), 'full-table streams ignore start_date');
  });
});

describe('a run killed mid-stream and resumed from its last STATE', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 6000, seed: 8 }, latencyMs: 2 });
  });
  after(() => emu.close());

  test('loses nothing', async () => {
    const dir = tempDir();
    const config = configFor(emu, 'admin', { page_size: 50, max_concurrency: 1 }, dir);
    let userRecords = 0;
    const killed = await runTap(['--config', config], {
      killSignal: 'SIGKILL',
      killWhen: (stdout) => (userRecords = stdout.split('"stream":"users","record"').length - 1) >= 2000,
    });
    assert.equal(killed.signal, 'SIGKILL');
    // Only whole lines count: a kill may cut the last one.
    const lines = killed.stdout.slice(0, killed.stdout.lastIndexOf('\n') + 1);
    const partial = lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SingerMessage);
    const state = lastState(partial)!;
    assert.ok(recordsOf(partial, 'users').length < emu.expected('users', 'admin').length, `killed before the end (${userRecords} users)`);

    const resumed = await runTap(['--config', config, '--state', writeJson(dir, 'state.json', state)]);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const stream of STREAM_NAMES) {
      const seen = new Set([...recordsOf(partial, stream), ...recordsOf(resumed.messages, stream)].map((r) => r._id));
      for (const doc of emu.expected(stream, 'admin')) assert.ok(seen.has(doc._id as string), `${stream} ${doc._id as string} was emitted by one of the runs`);
    }
  });
});

import { STREAMS } from '../src/streams.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseState, readStateFile, StateTracker } from '../src/state.js';
import { tempDir, writeJson } from './support/run-tap.js';

test('a state round trips; bookmarks of streams this tap does not have are dropped, with a warning', () => {
  const warnings: string[] = [];
  const initial = parseState({ bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z' }, legacy: { x: 1 } } }, 's.json', warnings);
  const tracker = new StateTracker(initial);
  tracker.setBookmark('users', {});
  assert.deepEqual(tracker.value().bookmarks, {
    rooms: { replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z' },
    users: {},
  });
  assert.equal(initial.bookmarks.users, undefined, 'the input is not mutated');
  assert.deepEqual(warnings, [
    `state s.json: ignoring the bookmarks of "legacy", which this tap does not have (a state of another tap?); known streams: ${STREAMS.map((s) => s.name).join(', ')}`,
  ]);
});

test('a saved STATE message is accepted as a state', () => {
  const state = parseState({ type: 'STATE', value: { bookmarks: { users: {} } } }, 's.json');
  assert.deepEqual(state.bookmarks, { users: {} });
});

test('bad shapes and non-date bookmarks are named', () => {
  assert.throws(() => parseState([], 's.json'), { message: 'state s.json must hold a JSON object such as {"bookmarks": {}}' });
  assert.throws(() => parseState({ bookmarks: [] }, 's.json'), { message: 'state s.json: "bookmarks" must be an object keyed by stream name' });
  assert.throws(() => parseState({ bookmarks: { rooms: 5 } }, 's.json'), { message: 'state s.json: bookmark of stream "rooms" must be an object' });
  assert.throws(() => parseState({ bookmarks: { rooms: { replication_key_value: 'last tuesday' } } }, 's.json'), {
    message: 'state s.json: bookmark of stream "rooms" has replication_key_value "last tuesday", which is not an ISO 8601 date',
  });
});

test('state files: empty means no state, missing and malformed are named', async () => {
  const dir = tempDir();
  assert.deepEqual(await readStateFile(writeJson(dir, 'empty.json', '')), { bookmarks: {} });
  await assert.rejects(readStateFile(`${dir}/missing.json`), { message: `state file not found: ${dir}/missing.json` });
  await assert.rejects(readStateFile(writeJson(dir, 'bad.json', '{')), { message: /^state file .*bad\.json is not valid JSON/ });
});

test('calendar-impossible bookmarks are rejected, real ones kept', () => {
  for (const bad of ['2024-02-30T00:00:00Z', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z', '2024-01-01T10:60:00Z']) {
    assert.throws(() => parseState({ bookmarks: { rooms: { replication_key_value: bad } } }, 's.json'), /is not an ISO 8601 date/, bad);
  }
  for (const good of ['2024-02-29T23:59:59.999Z', '2024-07-16T08:49:34.732+02:00', '2024-12-31']) {
    assert.doesNotThrow(() => parseState({ bookmarks: { rooms: { replication_key_value: good } } }, 's.json'), good);
  }
});

test("Meltano's `meltano state get` output, {\"singer_state\": ...}, is the state inside", () => {
  const inner = { bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z' } } };
  const warnings: string[] = [];
  assert.deepEqual(parseState({ singer_state: inner }, 's.json', warnings), inner);
  assert.deepEqual(warnings, []);
  assert.deepEqual(parseState({ type: 'STATE', value: { singer_state: inner } }, 's.json'), inner);
  assert.throws(() => parseState({ singer_state: 'x' }, 's.json'), { message: 'state s.json: "singer_state" must be an object such as {"bookmarks": {}}' });
  // What earlier releases wrote back for such a file: the stale singer_state beside fresh bookmarks.
  const both = parseState({ singer_state: { bookmarks: { rooms: { replication_key_value: '2020-01-01' } } }, bookmarks: inner.bookmarks }, 's.json', warnings);
  assert.deepEqual(both, inner);
  assert.deepEqual(warnings, ['state s.json: has both "singer_state" and "bookmarks"; using "bookmarks"']);
});

test('a state of another tap: foreign keys, streams and currently_syncing are named and dropped', () => {
  const warnings: string[] = [];
  const state = parseState(
    { bookmarks: { users: {}, orders: { replication_key_value: 'abc' }, invoices: {} }, currently_syncing: 'orders', version: 3, cursor: 'x' },
    's.json',
    warnings,
  );
  assert.deepEqual(state, { bookmarks: { users: {} } }, 'nothing foreign is copied into the STATE');
  assert.deepEqual(warnings, [
    `state s.json: ignoring the bookmarks of "orders", "invoices", which this tap does not have (a state of another tap?); known streams: ${STREAMS.map((s) => s.name).join(', ')}`,
    'state s.json: ignoring the top-level keys "version", "cursor" (a state has "bookmarks")',
    'state s.json: ignoring "currently_syncing": "orders", which is not a stream of this tap',
  ]);
  const quiet: string[] = [];
  assert.deepEqual(parseState({ bookmarks: {}, currently_syncing: 'users' }, 's.json', quiet), { bookmarks: {} });
  assert.deepEqual(quiet, [], 'a currently_syncing of our own streams is dropped without a word');
});

test('bookmarks of our streams that cannot be read are one-line errors', () => {
  const cases: Array<[unknown, string]> = [
    [{ rooms: { replication_key: 'updated_at', replication_key_value: '2024-01-01' } }, 'state s.json: bookmark of stream "rooms" has replication_key "updated_at", but the stream\'s is "_updatedAt": is this the state of another tap?'],
    [{ users: { replication_key: '_updatedAt' } }, 'state s.json: bookmark of stream "users" has replication_key "_updatedAt", but the stream\'s is none (the stream is read in full): is this the state of another tap?'],
    [{ subscriptions: { replication_key_value: '2024-01-01', overlap: ['a'] } }, 'state s.json: bookmark of stream "subscriptions" has "overlap" that is not an object of ISO 8601 dates'],
    [{ rooms: { replication_key_value: '2024-01-01', overlap: { a: 5 } } }, 'state s.json: bookmark of stream "rooms" has "overlap" that is not an object of ISO 8601 dates'],
    [{ messages: { partitions: {} } }, 'state s.json: bookmark of stream "messages" has "partitions" that is not an array'],
    [{ messages: { partitions: [{ rid: 'r1' }] } }, 'state s.json: bookmark of stream "messages", partition 0, must be {"context": {"rid": "<room id>"}, ...}'],
    [{ messages: { partitions: [{ context: { rid: 'r1' }, replication_key_value: 'yesterday' }] } }, 'state s.json: bookmark of stream "messages", partition 0, has replication_key_value "yesterday", which is not an ISO 8601 date'],
    [{ messages: { partitions: [], full_pass_at: 12 } }, 'state s.json: bookmark of stream "messages" has full_pass_at 12, which is not an ISO 8601 date'],
  ];
  for (const [bookmarks, message] of cases) assert.throws(() => parseState({ bookmarks }, 's.json'), { message }, JSON.stringify(bookmarks));
});

test("the messages stream's partitioned bookmark passes the checks unchanged", () => {
  const messages = {
    partitions: [
      { context: { rid: 'GENERAL' }, replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z', overlap: { m1: '2024-07-16T08:49:34.732Z' }, room_updated_at: '2024-07-16T08:49:35.000Z' },
      { context: { rid: 'r2' }, backfill: { next: 1721119774732, at_edge: ['m9'], started: '2024-07-16T08:00:00.000Z' } },
      { context: { rid: 'r3' } },
    ],
    full_pass_at: '2024-07-16T08:00:00.000Z',
    version: 1721119774732,
  };
  const warnings: string[] = [];
  assert.deepEqual(parseState({ singer_state: { bookmarks: { messages } } }, 's.json', warnings), { bookmarks: { messages } });
  assert.deepEqual(warnings, []);
});

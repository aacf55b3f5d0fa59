import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseState, readStateFile, StateTracker } from '../src/state.js';
import { tempDir, writeJson } from './support/run-tap.js';

test('a state round trips and bookmarks of other streams are carried through', () => {
  const initial = parseState({ bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z' }, legacy: { x: 1 } } }, 's.json');
  const tracker = new StateTracker(initial);
  tracker.setBookmark('users', {});
  assert.deepEqual(tracker.value().bookmarks, {
    rooms: { replication_key: '_updatedAt', replication_key_value: '2024-07-16T08:49:34.732Z' },
    legacy: { x: 1 },
    users: {},
  });
  assert.equal(initial.bookmarks.users, undefined, 'the input is not mutated');
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyIncremental, updatedSince, OVERLAP_MS } from '../src/incremental.js';

const at = (ms: number) => new Date(Date.UTC(2024, 6, 16) + ms).toISOString();

test('updatedSince: overlap before the bookmark, else the start date, else a full read', () => {
  assert.equal(updatedSince({ replication_key_value: at(10_000) }, '2020-01-01T00:00:00.000Z'), at(10_000 - OVERLAP_MS));
  assert.equal(updatedSince(undefined, '2020-01-01T00:00:00.000Z'), '2020-01-01T00:00:00.000Z');
  assert.equal(updatedSince({}, undefined), undefined);
});

test('the first read emits everything and bookmarks the greatest _updatedAt', () => {
  const result = applyIncremental([{ _id: 'a', _updatedAt: at(5) }, { _id: 'b', _updatedAt: at(9) }, { _id: 'c', _updatedAt: at(1) }], [], undefined);
  assert.deepEqual(result.records.map((r) => r._id), ['a', 'b', 'c']);
  assert.equal(result.bookmark?.replication_key_value, at(9));
  assert.deepEqual(result.bookmark?.overlap, { a: at(5), b: at(9), c: at(1) });
});

test('a re-read of the overlap drops what was emitted and keeps same-millisecond newcomers', () => {
  const first = applyIncremental([{ _id: 'a', _updatedAt: at(10_000) }, { _id: 'b', _updatedAt: at(9_000) }], [], undefined);
  // Next run: the server returns a and b again (overlap), plus c written in the same ms as a,
  // plus b updated again, plus d whose timestamp is older than the bookmark but inside the window.
  const second = applyIncremental(
    [
      { _id: 'a', _updatedAt: at(10_000) },
      { _id: 'c', _updatedAt: at(10_000) },
      { _id: 'b', _updatedAt: at(10_500) },
      { _id: 'd', _updatedAt: at(9_500) },
    ],
    [],
    first.bookmark,
  );
  assert.deepEqual(second.records.map((r) => r._id), ['c', 'b', 'd']);
  assert.equal(second.bookmark?.replication_key_value, at(10_500));
});

test('removals become deletion records and move the bookmark', () => {
  const result = applyIncremental([], [{ _id: 'gone', _deletedAt: at(20_000) }], { replication_key: '_updatedAt', replication_key_value: at(1_000) });
  assert.deepEqual(result.deletions, [{ _id: 'gone', _sdc_deleted_at: at(20_000) }]);
  assert.equal(result.bookmark?.replication_key_value, at(20_000));
  const again = applyIncremental([], [{ _id: 'gone', _deletedAt: at(20_000) }], result.bookmark);
  assert.deepEqual(again.deletions, [], 'a deletion re-read in the overlap is not emitted twice');
});

test('an empty answer keeps the bookmark', () => {
  const previous = { replication_key: '_updatedAt', replication_key_value: at(7), overlap: { x: at(7) } };
  const result = applyIncremental([], [], previous);
  assert.equal(result.bookmark?.replication_key_value, at(7));
  assert.deepEqual(result.bookmark?.overlap, { x: at(7) }, 'the overlap ids are kept for the next re-read');
});

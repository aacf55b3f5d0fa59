import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyIncremental, settleConflicts, updatedSince, OVERLAP_MS } from '../src/incremental.js';

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

test('an id updated and removed in one answer: a removal at or before its _updatedAt does not delete it', () => {
  // A DM deleted and re-created keeps its id: the live room and the old trash entry come together.
  const result = applyIncremental(
    [{ _id: 'dm', _updatedAt: at(5_000) }, { _id: 'tie', _updatedAt: at(6_000) }, { _id: 'other', _updatedAt: at(1_000) }],
    [{ _id: 'dm', _deletedAt: at(4_500) }, { _id: 'tie', _deletedAt: at(6_000) }, { _id: 'gone', _deletedAt: at(4_200) }],
    undefined,
  );
  assert.deepEqual(result.records.map((r) => r._id), ['dm', 'tie', 'other']);
  assert.deepEqual(result.deletions, [{ _id: 'gone', _sdc_deleted_at: at(4_200) }]);
  assert.deepEqual(result.bookmark?.overlap, { dm: at(5_000), tie: at(6_000), gone: at(4_200) }, 'only the winning stamp is remembered');
  // The next run re-reads the window: the same answer emits nothing, and still deletes nothing.
  const again = applyIncremental(
    [{ _id: 'dm', _updatedAt: at(5_000) }, { _id: 'tie', _updatedAt: at(6_000) }],
    [{ _id: 'dm', _deletedAt: at(4_500) }, { _id: 'tie', _deletedAt: at(6_000) }, { _id: 'gone', _deletedAt: at(4_200) }],
    result.bookmark,
  );
  assert.deepEqual({ records: again.records, deletions: again.deletions }, { records: [], deletions: [] });
});

test('an id updated and removed in one answer: a removal after its _updatedAt is a deletion, and the stale record is not written', () => {
  const result = applyIncremental([{ _id: 'r', _updatedAt: at(1_000) }, { _id: 's', _updatedAt: at(1_500) }], [{ _id: 'r', _deletedAt: at(2_000) }], undefined);
  assert.deepEqual(result.records.map((r) => r._id), ['s']);
  assert.deepEqual(result.deletions, [{ _id: 'r', _sdc_deleted_at: at(2_000) }]);
  assert.equal(result.bookmark?.replication_key_value, at(2_000));
  const again = applyIncremental([{ _id: 'r', _updatedAt: at(1_000) }], [{ _id: 'r', _deletedAt: at(2_000) }], result.bookmark);
  assert.deepEqual({ records: again.records, deletions: again.deletions }, { records: [], deletions: [] }, 'a re-read neither resurrects nor deletes again');
});

test('settleConflicts hands back the same arrays when no id is in both lists', () => {
  const records = [{ _id: 'a', _updatedAt: at(1) }];
  const removals = [{ _id: 'b', _deletedAt: at(2) }];
  const settled = settleConflicts(records, removals);
  assert.equal(settled.records, records);
  assert.equal(settled.removals, removals);
});

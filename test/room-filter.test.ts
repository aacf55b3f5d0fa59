import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPartition, parsePartition, stableHash } from '../src/messages/partition.js';
import { narrowsRooms, parseRoomKinds, roomKind, roomSelected, type RoomFilterSettings } from '../src/messages/room-filter.js';

const all: RoomFilterSettings = { kinds: parseRoomKinds('public,private,direct,omnichannel,discussion'), include: new Set(), exclude: new Set(), partition: undefined };

test('room kinds: a discussion is its own kind whatever its type', () => {
  assert.equal(roomKind({ _id: 'a', t: 'c' }), 'public');
  assert.equal(roomKind({ _id: 'a', t: 'p' }), 'private');
  assert.equal(roomKind({ _id: 'a', t: 'd' }), 'direct');
  assert.equal(roomKind({ _id: 'a', t: 'l' }), 'omnichannel');
  assert.equal(roomKind({ _id: 'a', t: 'p', prid: 'x' }), 'discussion');
  assert.equal(roomKind({ _id: 'a', t: 'v' }), undefined);
});

test('include and exclude match ids, names and display names; exclude wins', () => {
  const room = { _id: 'R1', t: 'c', name: 'general', fname: 'General' };
  assert.ok(roomSelected(room, all));
  assert.ok(!roomSelected(room, { ...all, kinds: parseRoomKinds('private') }));
  assert.ok(roomSelected(room, { ...all, include: new Set(['general']) }));
  assert.ok(roomSelected(room, { ...all, include: new Set(['R1']) }));
  assert.ok(!roomSelected(room, { ...all, include: new Set(['random']) }));
  assert.ok(!roomSelected(room, { ...all, include: new Set(['R1']), exclude: new Set(['General']) }));
});

test('unknown room kinds are an error naming the allowed ones', () => {
  assert.throws(() => parseRoomKinds('public,dms'), /"dms".*allowed: public, private, direct, omnichannel, discussion/);
});

test('partitions: k/n parsed strictly; every id in exactly one share; stable hash', () => {
  assert.deepEqual(parsePartition(' 2/8 '), { index: 2, of: 8 });
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) assert.throws(() => parsePartition(bad), /"partition" must be "k\/n"/);
  assert.equal(parsePartition(''), undefined);
  assert.equal(stableHash('GENERAL'), stableHash('GENERAL'));
  const ids = Array.from({ length: 2000 }, (_, i) => `room${i}`);
  const shares = [1, 2, 3].map((k) => ids.filter((id) => inPartition(id, { index: k, of: 3 })));
  assert.equal(shares.flat().length, ids.length);
  assert.equal(new Set(shares.flat()).size, ids.length);
  for (const s of shares) assert.ok(s.length > 500, `balanced enough: ${s.length}`);
});

test('any filter or partition narrows the rooms read; the defaults do not', () => {
  assert.ok(!narrowsRooms(all));
  assert.ok(narrowsRooms({ ...all, kinds: parseRoomKinds('public,private') }));
  assert.ok(narrowsRooms({ ...all, include: new Set(['general']) }));
  assert.ok(narrowsRooms({ ...all, exclude: new Set(['random']) }));
  assert.ok(narrowsRooms({ ...all, partition: { index: 1, of: 2 } }));
});

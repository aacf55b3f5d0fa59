import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoomBookmarks } from '../src/messages/room-bookmarks.js';
import { StateTracker } from '../src/state.js';
import { Writable } from 'node:stream';
import { SingerWriter } from '../src/output.js';

const previous = {
  partitions: [
    { context: { rid: 'old' }, replication_key: '_updatedAt', replication_key_value: '2024-01-01T00:00:00.000Z', room_updated_at: '2024-01-01T00:00:00.000Z' },
  ],
  full_pass_at: '2024-01-01T00:00:00.000Z',
};

test('the STATE text in parts joins to JSON.stringify of the state, while rooms are read and after', () => {
  const tracker = new StateTracker({ bookmarks: { users: { replication_key: 'x' } }, currently_syncing: undefined } as never);
  const bookmarks = new RoomBookmarks(structuredClone(previous));
  tracker.setBookmark('messages', bookmarks.value, () => bookmarks.jsonParts());
  const same = (): void => assert.equal(tracker.jsonParts().join(''), JSON.stringify(tracker.value()));
  same();
  const a = bookmarks.open('a');
  same();
  a.backfill = { next: 5, at_edge: ['m1'], started: '2024-02-01T00:00:00.000Z' };
  same();
  const b = bookmarks.open('old');
  b.replication_key_value = '2024-03-01T00:00:00.000Z';
  b.overlap = { m9: '2024-03-01T00:00:00.000Z' };
  same();
  bookmarks.close(b);
  same();
  delete a.backfill;
  a.replication_key_value = '2024-02-02T00:00:00.000Z';
  same();
  bookmarks.close(a);
  bookmarks.value.full_pass_at = '2024-04-01T00:00:00.000Z';
  same();
  // Reopened: the cached text of the room is dropped.
  const again = bookmarks.open('a');
  again.room_updated_at = '2024-05-01T00:00:00.000Z';
  same();
  bookmarks.close(again);
  same();
  assert.match(tracker.jsonParts().join(''), /"room_updated_at":"2024-05-01T00:00:00.000Z"/);
});

test('a bookmark set without a serialiser is stringified as it is', () => {
  const tracker = new StateTracker();
  const bookmarks = new RoomBookmarks(undefined);
  tracker.setBookmark('messages', bookmarks.value, () => ['not used after the next setBookmark']);
  tracker.setBookmark('messages', { ...bookmarks.value, version: 7 });
  assert.equal(tracker.jsonParts().join(''), JSON.stringify(tracker.value()));
});

test('property: any order of opening, changing and closing rooms keeps the text exact', () => {
  const op = fc.record({ kind: fc.constantFrom('open', 'change', 'close', 'state'), room: fc.integer({ min: 0, max: 6 }), n: fc.nat(1000) });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const bookmarks = new RoomBookmarks(structuredClone(previous));
      const open = new Map<string, ReturnType<RoomBookmarks['open']>>();
      for (const { kind, room, n } of ops) {
        const rid = room === 0 ? 'old' : `r${room}`;
        if (kind === 'open') open.set(rid, bookmarks.open(rid));
        else if (kind === 'change' && open.has(rid)) open.get(rid)!.replication_key_value = new Date(n * 1000).toISOString();
        else if (kind === 'close' && open.has(rid)) {
          bookmarks.close(open.get(rid)!);
          open.delete(rid);
        }
        assert.equal(bookmarks.jsonParts().join(''), JSON.stringify(bookmarks.value));
      }
    }),
    { numRuns: 300 },
  );
});

test('a STATE written in parts is one line holding the whole state, however many chunks it spans', async () => {
  const tracker = new StateTracker();
  const bookmarks = new RoomBookmarks(undefined);
  tracker.setBookmark('messages', bookmarks.value, () => bookmarks.jsonParts());
  for (let i = 0; i < 3000; i++) {
    const p = bookmarks.open(`room-${i}`);
    p.replication_key_value = '2024-01-01T00:00:00.000Z';
    p.overlap = { [`m${i}`]: 'Ünïcödé 😀'.repeat(3) };
    bookmarks.close(p);
  }
  const chunks: Buffer[] = [];
  const writer = new SingerWriter(new Writable({ write: (c: Buffer, _e, done) => { chunks.push(c); done(); } }));
  await writer.stateParts(tracker.jsonParts());
  await writer.end();
  const text = Buffer.concat(chunks).toString('utf8');
  assert.ok(chunks.length > 3, `${chunks.length} chunks`);
  assert.equal(text.indexOf('\n'), text.length - 1, 'one line');
  assert.deepEqual(JSON.parse(text), { type: 'STATE', value: tracker.value() });
});

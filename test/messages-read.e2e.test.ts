/**
 * The messages stream, full reads: exact ids per identity at every page size (through the
 * emulator's one-millisecond tie blocks), refused rooms, room filters, start_date, partitions,
 * and the per-room state through --state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator, IdentityName } from '../emulator/index.js';
import { emulator } from './support/emulator.js';
import { assertSameRecords, assertValidAgainstSchemas } from './support/singer.js';
import { ids, largestTieBlock, live, partitionsOf, roomKindOf, runMessages, syncRequestsByRoom } from './support/messages.js';

const IDENTITIES: readonly IdentityName[] = ['admin', 'user', 'bot', 'guest'];

describe('messages: exact full reads per identity, with ties at every page size', () => {
  // 5,000 messages hold a 1,001-message tie block (over page 1000); 2,000 hold a 377-message one
  // and keep the page-2 runs short.
  const sizes: Array<{ messages: number; pageSizes: number[] }> = [{ messages: 2000, pageSizes: [2] }, { messages: 5000, pageSizes: [7, 100, 1000] }];
  for (const { messages, pageSizes } of sizes) {
    describe(`${messages} messages`, () => {
      let emu: Emulator;
      before(async () => {
        emu = await emulator({ data: { messages } });
      });
      after(() => emu.close());

      for (const pageSize of pageSizes) {
        for (const identity of IDENTITIES) {
          test(`${identity}, messages_page_size ${pageSize}`, async () => {
            const expected = emu.expected('messages', identity);
            assert.ok(largestTieBlock(expected) > pageSize, `the data has a tie block larger than a page of ${pageSize}`);
            const run = await runMessages(emu, { identity, config: { messages_page_size: pageSize } });
            assertSameRecords(run.records, expected, `messages of ${identity}`);
            assertValidAgainstSchemas(run.messages);
            assert.ok(run.records.every((r) => !('token' in r)), 'no visitor token');
            // Every readable room ends with a bookmark, and no backfill left open.
            const parts = partitionsOf(run.state);
            for (const rid of new Set(expected.map((m) => m.rid as string))) {
              assert.equal(parts.get(rid)?.replication_key, '_updatedAt', rid);
              assert.equal(parts.get(rid)?.backfill, undefined, rid);
            }
          });
        }
      }
    });
  }
});

describe('messages: rooms, filters, start_date, partitions and state', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());

  const refusals = (stderr: string) => stderr.split('\n').filter((l) => /messages: room .* is skipped: the server refused/.test(l));

  test('a subscribed room the token may not read is skipped with one warning, counted, exit 0', async () => {
    // The restricted role has subscriptions but neither view-joined-room nor view-<t>-room.
    const subscribed = emu.expected('rooms', 'restricted').map((r) => r._id as string);
    assert.ok(subscribed.length >= 2);
    assert.deepEqual(emu.expectedMessages('restricted', { rids: subscribed }).denied.sort(), [...subscribed].sort());
    const run = await runMessages(emu, { identity: 'restricted' });
    assert.equal(run.records.length, 0);
    const warned = refusals(run.stderr);
    assert.equal(warned.length, subscribed.length, warned.join('\n'));
    for (const rid of subscribed) assert.equal(warned.filter((l) => l.includes(rid)).length, 1, `one warning naming ${rid}`);
    assert.match(run.stderr, new RegExp(`${subscribed.length} refused by the server`));
  });

  test('a room deleted after the room list was read is refused: skipped, counted, the rest exact', async () => {
    const readable = emu.expected('messages', 'bot');
    const victim = [...new Set(readable.map((m) => m.rid as string))].filter((rid) => {
      const room = emu.dataset.roomById.get(rid)!;
      return rid !== 'GENERAL' && !room.teamMain && room.t !== 'l';
    }).at(-1)!;
    const remove = emu.onRequest('chat.syncMessages', 1, (_info, e) => {
      e.mutate({ deleteRoomIds: [victim] });
    });
    try {
      const run = await runMessages(emu, { identity: 'bot' });
      assertSameRecords(run.records, readable.filter((m) => m.rid !== victim), 'messages but the deleted room');
      assert.equal(refusals(run.stderr).filter((l) => l.includes(victim)).length, 1);
      assert.match(run.stderr, /1 refused by the server/);
    } finally {
      remove();
    }
  });

  test('messages_room_types without direct: no direct-message room is read', async () => {
    const all = emu.expected('messages', 'user');
    const dms = all.filter((m) => roomKindOf(emu, m.rid as string) === 'direct');
    assert.ok(dms.length > 0, 'the user has direct messages');
    emu.clearRequests();
    const run = await runMessages(emu, { identity: 'user', config: { messages_room_types: 'public,private,omnichannel,discussion' } });
    assertSameRecords(run.records, all.filter((m) => roomKindOf(emu, m.rid as string) !== 'direct'), 'messages but DMs');
    for (const rid of syncRequestsByRoom(emu).keys()) assert.notEqual(roomKindOf(emu, rid), 'direct', `no request for DM ${rid}`);
  });

  test('messages_rooms_include and messages_rooms_exclude, by name and by id', async () => {
    const all = emu.expected('messages', 'admin');
    const rids = [...new Set(all.map((m) => m.rid as string))];
    const named = rids.find((rid) => rid !== 'GENERAL' && typeof emu.dataset.roomById.get(rid)?.name === 'string' && emu.dataset.roomById.get(rid)?.t === 'c')!;
    const name = emu.dataset.roomById.get(named)!.name as string;
    const byId = rids.find((rid) => rid !== named && rid !== 'GENERAL' && emu.dataset.roomById.get(rid)?.t === 'p')!;
    assert.ok(named && byId);
    const include = await runMessages(emu, { config: { messages_rooms_include: ` ${name} , ${byId}` } });
    assertSameRecords(include.records, all.filter((m) => m.rid === named || m.rid === byId), 'included rooms');
    assert.equal(emu.dataset.roomById.get('GENERAL')!.name, 'general');
    const exclude = await runMessages(emu, { config: { messages_rooms_exclude: `general,${name},${byId}` } });
    const gone = new Set([named, byId, 'GENERAL']);
    assertSameRecords(exclude.records, all.filter((m) => !gone.has(m.rid as string)), 'all but the excluded rooms');
  });

  test('start_date: the backfill reads only messages updated after it', async () => {
    const all = emu.expected('messages', 'bot');
    const stamps = [...new Set(all.map((m) => m._updatedAt as string))].sort();
    const start = stamps[Math.floor(stamps.length / 2)]!; // a stamp some messages have exactly
    const run = await runMessages(emu, { identity: 'bot', config: { start_date: start } });
    const wanted = all.filter((m) => Date.parse(m._updatedAt as string) > Date.parse(start));
    assert.ok(wanted.length > 0 && wanted.length < all.length);
    assertSameRecords(run.records, wanted, `messages after ${start}`);
  });

  test('partitions 1/3, 2/3 and 3/3 together read every message once, disjoint by room', async () => {
    const all = emu.expected('messages', 'bot');
    const shares = await Promise.all(['1/3', '2/3', ' 3 / 3 '].map((partition) => runMessages(emu, { identity: 'bot', config: { partition } })));
    const roomsOf = shares.map((s) => new Set(s.records.map((r) => r.rid as string)));
    for (const [i, share] of shares.entries()) {
      assert.ok(share.records.length > 0, `share ${i + 1} reads something`);
      // A partitioned run never retires rows of the rooms it does not read.
      assert.ok(!share.messages.some((m) => m.type === 'ACTIVATE_VERSION'));
      for (const [j, other] of roomsOf.entries()) if (j !== i) for (const rid of roomsOf[i]!) assert.ok(!other.has(rid), `room ${rid} in shares ${i + 1} and ${j + 1}`);
    }
    assertSameRecords(shares.flatMap((s) => s.records), all, 'the union of the shares');
  });

  test('the per-room state survives --state: same partitions, and a second run reads nothing new', async () => {
    const first = await runMessages(emu, { identity: 'bot' });
    const b1 = first.state!.bookmarks.messages as { partitions: Array<Record<string, unknown>>; full_pass_at?: string };
    assert.ok(Array.isArray(b1.partitions) && b1.partitions.length > 10);
    for (const p of b1.partitions) {
      assert.deepEqual(Object.keys(p.context as object), ['rid']);
      assert.equal(p.replication_key, '_updatedAt');
      assert.match(p.replication_key_value as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.match(p.room_updated_at as string, /Z$/);
    }
    assert.match(b1.full_pass_at!, /Z$/);
    const roundTrip = JSON.parse(JSON.stringify(first.state));
    const second = await runMessages(emu, { identity: 'bot', state: roundTrip, config: { messages_full_pass_hours: 0 } });
    // No message changed. A backfill reads no tombstones, so the first incremental read reports the
    // trash entries of each room newer than its bookmark (minus the 2 s overlap): deletions of
    // messages the target never had, harmless (they mark no row it holds).
    assert.equal(live(second.records).length, 0, `nothing changed: ${ids(live(second.records)).slice(0, 5).join(',')}`);
    const tombstones = [...partitionsOf(first.state).entries()].flatMap(([rid, p]) => {
      const since = new Date(Date.parse(p.replication_key_value as string) - 2000).toISOString();
      return emu.expectedMessages('bot', { rids: [rid], since }).rooms.flatMap((r) => r.deleted.map((d) => ({ ...d, rid })));
    });
    assertSameRecords(second.records, tombstones, 'deletions after the backfill bookmarks');
    for (const r of second.records) assert.deepEqual(Object.keys(r).sort(), ['_id', '_sdc_deleted_at', 'rid']);
    const b2 = second.state!.bookmarks.messages as typeof b1;
    // Same rooms, same room stamps; a bookmark only moves forward (to a tombstone's _deletedAt).
    const before = new Map(b1.partitions.map((p) => [(p.context as { rid: string }).rid, p]));
    assert.deepEqual(b2.partitions.map((p) => (p.context as { rid: string }).rid).sort(), [...before.keys()].sort());
    for (const p of b2.partitions) {
      const old = before.get((p.context as { rid: string }).rid)!;
      assert.equal(p.room_updated_at, old.room_updated_at);
      assert.ok(Date.parse(p.replication_key_value as string) >= Date.parse(old.replication_key_value as string));
    }
    // And a third run from the second's state (Meltano's state get / set in between) still reads nothing.
    const third = await runMessages(emu, { identity: 'bot', state: JSON.parse(JSON.stringify(second.state)) });
    assert.equal(third.records.length, 0, 'the deletions were reported once');
  });
});

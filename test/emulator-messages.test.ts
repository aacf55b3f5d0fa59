/**
 * The emulator's messages: chat.syncMessages (validation, check order, lastUpdate and cursor
 * modes, the token table, ties), chat.getDeletedMessages, room access per caller, the three
 * deletion outcomes, the trash TTL, mutations, the `expected` helper, and a 1M-message smoke run.
 * Route handlers are driven directly; HTTP only where the pipeline matters (validation before
 * authentication, rate limiting).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_END_MS } from '../emulator/data/common.js';
import { Dataset } from '../emulator/data/dataset.js';
import { DEFAULT_API_SETTINGS, paginationItems, validateRouteQuery, type ApiResult } from '../emulator/routes/common.js';
import { ROUTE_BY_PATH } from '../emulator/routes/registry.js';
import type { IdentityName } from '../emulator/identities.js';
import { startEmulator } from '../emulator/index.js';
import { expectedDeletedIds, expectedMessages, readableRooms } from '../emulator/messages/expected.js';
import { indexOfId, messageId } from '../emulator/messages/ids.js';
import { messageStore } from '../emulator/messages/registry.js';
import { mutate } from '../emulator/mutations/mutate.js';
import { NASTY } from '../emulator/messages/text.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SYNC = ROUTE_BY_PATH.get('/api/v1/chat.syncMessages')!;
const DELETED = ROUTE_BY_PATH.get('/api/v1/chat.getDeletedMessages')!;

/** Query validation, then the handler, as the server runs them; the body as JSON would carry it. */
function call(ds: Dataset, route: typeof SYNC, who: IdentityName, params: Record<string, string> | [string, string][]): { status: number; body: Json } {
  const q = new URLSearchParams(params);
  const r: ApiResult = validateRouteQuery(route, q) ?? route.handle({
    ds, identity: ds.identities[who], query: q, settings: { ...DEFAULT_API_SETTINGS }, baseUrl: '', page: paginationItems(q, DEFAULT_API_SETTINGS),
  });
  return { status: r.status, body: JSON.parse(JSON.stringify(r.body)) };
}

const sync = (ds: Dataset, who: IdentityName, params: Record<string, string>) => call(ds, SYNC, who, params);
const ms = (d: Json): number => Date.parse(d._updatedAt);
const EPOCH = '1970-01-01T00:00:00.000Z';

function fresh(extra: Partial<ConstructorParameters<typeof Dataset>[0]> = {}, now?: () => number): Dataset {
  return new Dataset({ ...extra }, now ?? (() => DATA_END_MS + 86_400_000));
}

/** Visible plain messages of a room (not thread parents or replies), natural order. */
function plainMessages(ds: Dataset, rid: string): string[] {
  const st = messageStore(ds);
  return st.slotOf(rid)!.members.toArray()
    .filter((i) => st.isVisible(i) && st.kind[i] === 0 && st.parent[i] === -1 && !st.threads.has(i) && !st.overrides.has(i))
    .map((i) => st.id(i));
}

const meteorErr = (code: string, reason: string) => ({ success: false, error: `${reason} [${code}]`, errorType: code });

describe('chat.syncMessages validation and check order', () => {
  const ds = fresh();
  const invalid = (error: string) => ({ status: 400, body: { success: false, errorType: 'error-invalid-params', error } });

  test('the strict schema: unknown params, type enum, count type, required roomId, repeated params', () => {
    for (const extra of ['offset', 'sort', 'query', 'fields', 'roomName']) {
      assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', lastUpdate: EPOCH, [extra]: '0' }), invalid('must NOT have additional properties'), extra);
    }
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: 'ALL', next: '0' }), invalid('must be equal to one of the allowed values'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: '', next: '0' }), invalid('must be equal to one of the allowed values'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', count: 'ten' }), invalid('must be number'));
    assert.deepEqual(sync(ds, 'admin', { lastUpdate: EPOCH, offset: '1' }), invalid("must have required property 'roomId'"));
    assert.deepEqual(call(ds, SYNC, 'admin', [['roomId', 'GENERAL'], ['roomId', 'x'], ['lastUpdate', EPOCH]]), invalid('must be string'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', fromTs: '2024-01-01' }), invalid('must match format "iso-date-time"'));
  });

  test('handler checks in order, with the exact Meteor.Error bodies (never 403)', () => {
    assert.deepEqual(sync(ds, 'admin', { roomId: '', lastUpdate: EPOCH }).body, meteorErr('error-param-required', 'The required "roomId" query param is missing'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL' }).body, meteorErr('error-param-required', 'The "type" or "lastUpdate" parameters must be provided'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', lastUpdate: '' }).body, meteorErr('error-param-required', 'The "type" or "lastUpdate" parameters must be provided'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'nope', lastUpdate: 'yesterday' }).body,
      meteorErr('error-lastUpdate-param-invalid', 'The "lastUpdate" query parameter must be a valid date'));
    const notAllowed = { ...meteorErr('error-not-allowed', 'Not allowed'), details: { method: 'messages/get' } };
    assert.deepEqual(sync(ds, 'admin', { roomId: 'nope', lastUpdate: EPOCH, next: '0', previous: '1' }), { status: 400, body: notAllowed });
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', lastUpdate: EPOCH, next: '0' }).body,
      meteorErr('error-type-param-required', 'The "type" parameter is required when using the "next" or "previous" parameters'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', previous: '1', lastUpdate: EPOCH }).body,
      meteorErr('error-cursor-conflict', 'You cannot provide both "next" and "previous" parameters'));
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', lastUpdate: EPOCH }).body,
      meteorErr('error-cursor-and-lastUpdate-conflict', 'The attributes "next", "previous" and "lastUpdate" cannot be used together'));
    for (const bad of ['abc', '99999999999999999', '']) {
      const r = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', previous: bad, ...(bad === '' ? { next: 'x' } : {}) });
      assert.deepEqual(r, { status: 400, body: { success: false, error: 'Invalid Date' } }, bad);
    }
  });

  test('type without a cursor is an empty success, or a bare failure when the caller may access but not read', () => {
    assert.deepEqual(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED' }), { status: 200, body: { result: { updated: [], deleted: [] }, success: true } });
    const unjoined = ds.rooms.find((r) => r.t === 'c' && !r.teamId && !ds.isSubscribed(ds.identities.bot.userId, r._id as string) && messageStore(ds).slotOf(r._id as string)!.members.length > 0)!;
    assert.deepEqual(sync(ds, 'bot', { roomId: unjoined._id as string, type: 'DELETED' }), { status: 400, body: { success: false } });
    assert.equal(sync(ds, 'bot', { roomId: unjoined._id as string, lastUpdate: EPOCH }).status, 200, 'yet the bot may sync it');
  });

  test('count: empty and 0 mean 20, the coerced number is used, no cap; parseInt tokens', () => {
    for (const count of ['', '0', ' ']) {
      const r = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', count });
      assert.equal(r.body.result.updated.length, 20, `count=${JSON.stringify(count)}`);
    }
    assert.equal(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', count: '0x1A' }).body.result.updated.length, 26);
    assert.equal(sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', count: '1500' }).body.result.updated.length, 1500);
    const iso = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '2024-05-01T00:00:00Z', count: '5' });
    const zero = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '2024', count: '5' });
    assert.deepEqual(iso.body, zero.body, 'an ISO token parses as 2024 ms');
  });

  test('over HTTP: validation before authentication, 401 after, and the default limiter (admin bypasses)', async () => {
    const emu = await startEmulator({ rateLimit: { calls: 10, windowMs: 60_000 } });
    try {
      const get = async (path: string, who: IdentityName | null) => {
        const headers: Record<string, string> = who ? { 'X-User-Id': emu.identities[who].userId, 'X-Auth-Token': emu.identities[who].token } : {};
        const r = await fetch(emu.url + path, { headers });
        return { status: r.status, body: await r.json() as Json };
      };
      assert.deepEqual(await get('/api/v1/chat.syncMessages?roomId=GENERAL&offset=0', null),
        { status: 400, body: { success: false, errorType: 'error-invalid-params', error: 'must NOT have additional properties' } });
      assert.equal((await get(`/api/v1/chat.syncMessages?roomId=GENERAL&lastUpdate=${EPOCH}`, null)).status, 401);
      const path = `/api/v1/chat.syncMessages?roomId=GENERAL&type=UPDATED&next=0&count=1`;
      for (let k = 0; k < 10; k++) assert.equal((await get(path, 'user')).status, 200);
      assert.equal((await get(path, 'user')).status, 429);
      assert.equal((await get(`/api/v1/chat.getDeletedMessages?roomId=GENERAL&since=${EPOCH}`, 'user')).status, 200, 'a separate budget');
      for (let k = 0; k < 12; k++) assert.equal((await get(path, 'admin')).status, 200);
      const exp = emu.expectedMessages('user', { rids: ['GENERAL'] });
      const r = await fetch(`${emu.url}/_emulator/expected?stream=messages&identity=user&rid=GENERAL`);
      assert.deepEqual(await r.json(), JSON.parse(JSON.stringify({ stream: 'messages', identity: 'user', ...exp })));
    } finally {
      await emu.close();
    }
  });
});

describe('chat.syncMessages reads', () => {
  const ds = fresh();
  const store = messageStore(ds);

  test('lastUpdate mode: the whole visible delta, ts descending, strict >, tombstones, no cursor key', () => {
    const r = sync(ds, 'user', { roomId: 'GENERAL', lastUpdate: EPOCH });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body.result), ['updated', 'deleted']);
    const { updated, deleted } = r.body.result;
    const slot = store.slotOf('GENERAL')!;
    const visible = slot.members.toArray().filter((i) => store.isVisible(i)).length;
    assert.equal(updated.length, visible);
    assert.ok(visible < slot.members.length, 'some messages are hidden or trashed');
    for (let k = 1; k < updated.length; k++) assert.ok(updated[k - 1].ts >= updated[k].ts, 'ts descending');
    assert.ok(updated.every((m: Json) => m._hidden === undefined && m.rid === 'GENERAL'));
    assert.ok(deleted.length > 0 && deleted.every((d: Json) => Object.keys(d).join() === '_id,_deletedAt'));
    const pivot = updated[Math.floor(updated.length / 2)];
    const after = sync(ds, 'user', { roomId: 'GENERAL', lastUpdate: pivot._updatedAt }).body.result.updated;
    assert.ok(after.every((m: Json) => ms(m) > ms(pivot)));
    assert.equal(after.length, updated.filter((m: Json) => ms(m) > ms(pivot)).length);
    const exp = JSON.parse(JSON.stringify(expectedMessages(ds, ds.identities.user, { rids: ['GENERAL'] }).rooms[0]));
    assert.deepEqual({ rid: 'GENERAL', ...r.body.result }, exp);
  });

  test('the record shapes: system types, threads, discussions, files, urls, reactions, pins, edits, livechat, nasty text', () => {
    const all = readableRooms(ds, ds.identities.admin).flatMap((rid) => sync(ds, 'admin', { roomId: rid, lastUpdate: EPOCH }).body.result.updated);
    const has = (f: (m: Json) => boolean, what: string) => assert.ok(all.some(f), what);
    has((m) => m.t === 'uj' && m.groupable === false, 'system message');
    has((m) => m.tmid && typeof m.tmid === 'string', 'thread reply');
    has((m) => m.tcount > 0 && m.tlm && Array.isArray(m.replies), 'thread parent');
    has((m) => m.t === 'discussion-created' && m.drid && m.dcount >= 0 && m.dlm, 'discussion-created');
    has((m) => m.file && m.files.length >= 1 && m.attachments[0].type === 'file', 'file message');
    has((m) => m.urls?.length === 1 && m.urls[0].meta, 'url preview');
    has((m) => m.reactions && Object.values(m.reactions).every((x: Json) => Array.isArray(x.names)), 'reactions with names');
    has((m) => m.pinned === true && m.pinnedAt && m.pinnedBy, 'pinned');
    has((m) => m.editedAt && m.editedBy && !m.t, 'edited');
    has((m) => m.t === 'rm' && m.msg === '' && m.md === undefined, 'soft-deleted');
    has((m) => m.alias && m.emoji && m.avatar, 'integration');
    has((m) => m.token && m.u.username.startsWith('guest-'), 'livechat visitor message');
    has((m) => m.mentions?.some((x: Json) => x.type === 'user'), 'mention');
    has((m) => m.channels?.length === 1, 'channel reference');
    for (const m of all) {
      assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m._updatedAt), 'ms precision');
      assert.ok(ms(m) >= Date.parse(m.ts));
      if (m.editedAt) assert.ok(Date.parse(m.editedAt) <= ms(m));
      if (m.tlm) assert.ok(Date.parse(m.tlm) <= ms(m));
    }
    const text = all.map((m: Json) => m.msg).join('\n');
    for (const nasty of NASTY) assert.ok(text.includes(nasty), JSON.stringify(nasty));
    assert.ok(all.some((m: Json) => Buffer.byteLength(m.msg) >= 20_000), 'a 20 KB message');
  });

  test('one room holds about 40 % of the messages; every room type has messages', () => {
    const sizes = store.slots.map((s) => s.members.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.ok(store.slotOf('GENERAL')!.members.length / total > 0.38);
    for (const t of ['c', 'p', 'd', 'l']) assert.ok(store.slots.some((s) => s.t === t && s.members.length > 0), t);
    assert.ok(ds.rooms.some((r) => r.prid && store.slotOf(r._id as string)!.members.length > 0), 'discussions');
  });

  test('every dataset size renders: a mention in a livechat room never names the visitor slot', () => {
    // data.messages 1000 used to crash: a text message in a livechat room "mentioned" the visitor (author -1).
    for (const messages of [1000, 1500]) {
      const small = fresh({ messages });
      for (const who of ['admin', 'user'] as const) assert.ok(expectedMessages(small, small.identities[who]).rooms.length > 0, `${messages} ${who}`);
    }
  });

  test('cursor mode: the token table of mountNextCursor/mountPreviousCursor, tokens as strings', () => {
    const page = (p: Record<string, string>) => sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', ...p }).body.result;
    const first = page({ next: '0', count: '3' });
    assert.equal(first.updated.length, 3);
    const u = first.updated.map(ms);
    assert.ok(u[0] <= u[1] && u[1] <= u[2], '_updatedAt ascending');
    assert.deepEqual(first.cursor, { next: String(u[2]), previous: String(u[0]) });
    const all = page({ next: '0', count: '100000' }).updated;
    const lastMs = ms(all.at(-1));
    const end = page({ next: String(ms(all.at(-3)) - 1), count: '5' });
    assert.equal(end.cursor.next, null, 'fewer rows than count+1: the end');
    assert.equal(end.cursor.previous, String(ms(end.updated[0])));
    assert.deepEqual(page({ next: String(lastMs), count: '5' }), { updated: [], deleted: [], cursor: { next: null, previous: null } });
    const back = page({ previous: String(lastMs + 1), count: '4' });
    assert.equal(back.updated.length, 4);
    assert.ok(ms(back.updated[0]) >= ms(back.updated[3]), 'newest first');
    assert.deepEqual(back.cursor, { next: String(ms(back.updated[0])), previous: String(ms(back.updated[3])) });
    const oldest = page({ previous: String(ms(all[2])), count: '10' });
    assert.equal(oldest.cursor.previous, null);
    assert.equal(oldest.cursor.next, String(ms(oldest.updated[0])));
    const neg = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: '0', count: '-3' }).body.result;
    assert.equal(neg.updated.length, 1, 'limit -2 is a single batch of 2, then one is popped');
  });

  test('DELETED pages are filtered on _deletedAt but sorted on _updatedAt', () => {
    const d = fresh();
    const st = messageStore(d);
    const plainIds = plainMessages(d, 'GENERAL');
    const older = plainIds[0]!;
    const newer = plainIds.at(-1)!;
    assert.ok(st.upd[st.indexOf(older)]! < st.upd[st.indexOf(newer)]!);
    const since = d.lastStamp;
    mutate(d, { messages: { delete: [newer] } });
    mutate(d, { messages: { delete: [older] } });
    const rows = sync(d, 'admin', { roomId: 'GENERAL', type: 'DELETED', next: String(Date.parse(since)), count: '10' }).body.result;
    assert.deepEqual(rows.deleted.map((x: Json) => x._id), [older, newer], 'by the original _updatedAt');
    assert.ok(Date.parse(rows.deleted[0]._deletedAt) > Date.parse(rows.deleted[1]._deletedAt), 'so _deletedAt goes backwards');
    assert.deepEqual(rows.cursor, { next: null, previous: String(Date.parse(rows.deleted[0]._deletedAt)) });
    const one = sync(d, 'admin', { roomId: 'GENERAL', type: 'DELETED', next: String(Date.parse(since)), count: '1' }).body.result;
    assert.deepEqual(one.deleted.map((x: Json) => x._id), [older]);
    const follow = sync(d, 'admin', { roomId: 'GENERAL', type: 'DELETED', next: one.cursor.next, count: '1' }).body.result;
    assert.deepEqual(follow.deleted, [], 'following cursor.next skips the other tombstone');
    assert.ok(store.slotOf('GENERAL')!.trash.idx.length > 0, 'the generated trash');
  });

  test('ties straddle page boundaries: following cursor.next loses rows, next = lastMs - 1 with dedupe does not', () => {
    const want = new Set(sync(ds, 'admin', { roomId: 'GENERAL', lastUpdate: EPOCH }).body.result.updated.map((m: Json) => m._id));
    assert.ok(store.ties.some((t) => t.rid === 'GENERAL' && t.size > 1000), 'a block longer than any page ≤ 1000');
    for (const count of [2, 3, 7, 10, 50, 100, 333, 1000]) {
      const naive = new Set<string>();
      for (let next: string | null = '0', n = 0; next !== null && n < 10_000; n++) {
        const r: Json = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next, count: String(count) }).body.result;
        for (const m of r.updated) naive.add(m._id);
        next = r.cursor.next;
      }
      assert.ok(naive.size < want.size, `count=${count}: the naive walk loses rows (${naive.size}/${want.size})`);
      const safe = new Set<string>();
      let size = count;
      for (let next = '0', n = 0; n < 10_000; n++) {
        const r: Json = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next, count: String(size) }).body.result;
        for (const m of r.updated) safe.add(m._id);
        if (r.cursor.next === null) break;
        const first = ms(r.updated[0]);
        const last = ms(r.updated.at(-1));
        if (first === last && String(last - 1) === next) { size *= 2; continue; }
        next = String(last - 1);
      }
      assert.deepEqual([...safe].sort(), [...want].sort(), `count=${count}: the tie-safe walk`);
    }
  });

  test('starred is filtered to the reader', () => {
    const rooms = readableRooms(ds, ds.identities.user);
    const reads = (who: IdentityName) => rooms.flatMap((rid) => sync(ds, who, { roomId: rid, lastUpdate: EPOCH }).body.result.updated ?? []);
    const mine = reads('user').filter((m: Json) => Array.isArray(m.starred));
    assert.ok(mine.length > 0);
    assert.ok(mine.every((m: Json) => m.starred.every((s: Json) => s._id === ds.identities.user.userId)));
    assert.ok(mine.some((m: Json) => m.starred.length === 0), 'starred by others only: an empty list');
  });
});

describe('room access per caller', () => {
  const ds = fresh();
  const allowed = (who: IdentityName, rid: string) => sync(ds, who, { roomId: rid, lastUpdate: EPOCH }).status === 200;

  test('admins read public channels unjoined, but no private group or DM they are not in', () => {
    const admin = ds.identities.admin.userId;
    const dm = ds.rooms.find((r) => r.t === 'd' && !(r.uids as string[]).includes(admin))!;
    const group = ds.rooms.find((r) => r.t === 'p' && !r.prid && !ds.isSubscribed(admin, r._id as string))!;
    const channel = ds.rooms.find((r) => r.t === 'c' && !r.teamId && !ds.isSubscribed(admin, r._id as string))!;
    assert.ok(dm && group && channel);
    assert.equal(allowed('admin', dm._id as string), false);
    assert.equal(allowed('admin', group._id as string), false);
    assert.equal(allowed('admin', channel._id as string), true);
    assert.equal(allowed('admin', ds.rooms.find((r) => r.t === 'l')!._id as string), true, 'livechat: view-livechat-rooms');
    assert.equal(allowed('user', ds.rooms.find((r) => r.t === 'l')!._id as string), false);
  });

  test('guests read only joined rooms, the restricted role nothing, discussions follow their parent', () => {
    const guest = ds.identities.guest.userId;
    const unjoined = ds.rooms.find((r) => r.t === 'c' && !r.teamId && !ds.isSubscribed(guest, r._id as string))!;
    assert.equal(allowed('guest', unjoined._id as string), false);
    assert.equal(allowed('guest', 'GENERAL'), true);
    assert.ok(ds.isSubscribed(ds.identities.restricted.userId, 'GENERAL'));
    assert.equal(allowed('restricted', 'GENERAL'), false, 'subscribed, but neither view-joined-room nor view-c-room');
    const viaParent = ds.rooms.find((r) => r.prid && !ds.isSubscribed(ds.identities.admin.userId, r._id as string)
      && allowed('admin', r.prid as string));
    if (viaParent) assert.equal(allowed('admin', viaParent._id as string), true);
    for (const who of ['admin', 'user', 'bot', 'guest'] as IdentityName[]) {
      const readable = new Set(readableRooms(ds, ds.identities[who]));
      for (const r of ds.rooms) assert.equal(allowed(who, r._id as string), readable.has(r._id as string), `${who} ${r._id as string}`);
    }
  });
});

describe('deletions, the trash and chat.getDeletedMessages', () => {
  test('the three outcomes of deleteMessage, thread parents, and room deletion', () => {
    const ds = fresh();
    const store = messageStore(ds);
    const bookmark = ds.lastStamp;
    const read = () => sync(ds, 'admin', { roomId: 'GENERAL', lastUpdate: bookmark }).body.result;
    const pool = plainMessages(ds, 'GENERAL');
    const plain = (n: number) => mutate(ds, { messages: { delete: pool.splice(0, n) } }).messages!;
    const d1 = plain(2);
    assert.equal(d1.deleted.length, 2);
    assert.deepEqual(read().deleted.map((d: Json) => d._id).sort(), [...d1.deleted].sort(), 'defaults: tombstones');
    mutate(ds, { messages: { settings: { Message_ShowDeletedStatus: true } } });
    const d2 = plain(1);
    assert.equal(d2.softDeleted.length, 1);
    const rm = read().updated.find((m: Json) => m._id === d2.softDeleted[0]);
    assert.equal(rm.t, 'rm');
    assert.equal(rm.msg, '');
    mutate(ds, { messages: { settings: { Message_ShowDeletedStatus: false, Message_KeepHistory: true } } });
    const d3 = plain(1);
    assert.equal(d3.hidden.length, 1);
    const after = read();
    assert.ok(!after.updated.some((m: Json) => m._id === d3.hidden[0]) && !after.deleted.some((m: Json) => m._id === d3.hidden[0]), 'vanished');
    mutate(ds, { messages: { settings: { Message_KeepHistory: false } } });
    const parent = [...store.threads.keys()].find((i) => store.isVisible(i) && store.slots[store.room[i]!]!.rid === 'GENERAL')!;
    const d4 = mutate(ds, { messages: { delete: [store.id(parent)] } }).messages!;
    assert.deepEqual(d4.softDeleted, [store.id(parent)], 'a thread parent keeps history and shows the status');
    const room = ds.rooms.find((r) => r.t === 'c' && r._id !== 'GENERAL' && !r.teamMain && store.slotOf(r._id as string)!.members.length > 3)!;
    const live = store.slotOf(room._id as string)!.byUpd.toArray().map((i) => store.id(i));
    mutate(ds, { deleteRoomIds: [room._id as string] });
    assert.equal(sync(ds, 'admin', { roomId: room._id as string, lastUpdate: EPOCH }).body.errorType, 'error-not-allowed');
    const ids = call(ds, DELETED, 'user', { roomId: room._id as string, since: bookmark, count: '0' }).body.messages.map((m: Json) => m._id);
    assert.deepEqual(ids.sort(), live.sort(), 'every message of the deleted room is in the trash, listed without access check');
  });

  test('getDeletedMessages: iso-date-time since, offset/count/total, no access check; the 30-day TTL on the dataset clock', () => {
    let now = DATA_END_MS + 86_400_000;
    const ds = fresh({}, () => now);
    const dm = ds.rooms.find((r) => r.t === 'd' && !(r.uids as string[]).includes(ds.identities.user.userId) && messageStore(ds).slotOf(r._id as string)!.trash.idx.length > 0);
    const rid = (dm?._id as string | undefined) ?? 'GENERAL';
    assert.deepEqual(call(ds, DELETED, 'user', { roomId: rid, since: '2024-01-01' }).body,
      { success: false, errorType: 'error-invalid-params', error: 'must match format "iso-date-time"' });
    assert.equal(call(ds, DELETED, 'user', { roomId: rid, since: EPOCH, bogus: '1' }).status, 400);
    const all = call(ds, DELETED, 'user', { roomId: 'GENERAL', since: EPOCH, count: '0' }).body;
    assert.deepEqual(all.messages.map((m: Json) => m._id), expectedDeletedIds(ds, 'GENERAL'));
    assert.equal(all.total, all.messages.length);
    const p2 = call(ds, DELETED, 'user', { roomId: 'GENERAL', since: EPOCH, count: '2', offset: '1' }).body;
    assert.deepEqual(p2, { messages: all.messages.slice(1, 3), count: 2, offset: 1, total: all.total, success: true });
    assert.deepEqual(call(ds, DELETED, 'user', { roomId: 'GENERAL', since: '2024-01-01T23:59:60Z', count: '0' }).body.total, all.total,
      'a leap second passes the format and becomes an Invalid Date');
    const slot = messageStore(ds).slotOf('GENERAL')!;
    assert.ok(slot.trash.idx.length > all.total, 'older tombstones already expired');
    now += 31 * 86_400_000;
    assert.equal(call(ds, DELETED, 'user', { roomId: 'GENERAL', since: EPOCH }).body.total, 0, '31 days later the trash is empty');
    assert.deepEqual(sync(ds, 'user', { roomId: 'GENERAL', lastUpdate: EPOCH }).body.result.deleted, []);
  });
});

describe('message mutations', () => {
  test('insert, edit, react, reply (parent bumped), rename (one millisecond for all the user\'s messages)', () => {
    const ds = fresh();
    const store = messageStore(ds);
    const bookmark = ds.lastStamp;
    const r = mutate(ds, { messages: { identity: 'user', insert: 2, edit: 1, react: 1, reply: 1 } }).messages!;
    assert.equal(r.inserted.length, 3);
    const seen = sync(ds, 'user', { roomId: 'GENERAL', lastUpdate: bookmark }).body.result.updated;
    const byId = new Map(seen.map((m: Json) => [m._id, m]));
    for (const id of [...r.inserted, ...r.updated]) assert.ok(byId.has(id), id);
    const reply: Json = seen.find((m: Json) => m.tmid);
    const parent: Json = byId.get(reply.tmid);
    assert.ok(parent.tcount >= 1 && parent.tlm === reply.ts && parent.replies.includes(ds.identities.user.userId));
    assert.ok(ms(parent) > ms(reply));
    assert.ok(seen.some((m: Json) => m.editedBy?._id === ds.identities.user.userId && m.msg.endsWith('(edited ✏️)')));
    const before = ds.lastStamp;
    const renamed = mutate(ds, { messages: { rename: true } }).messages!.renamed!;
    assert.ok(renamed.messages.length > 1);
    const now = readableRooms(ds, ds.identities.admin).flatMap((rid) => sync(ds, 'admin', { roomId: rid, lastUpdate: before }).body.result.updated);
    const mine = now.filter((m: Json) => m.u._id === renamed.userId);
    assert.ok(mine.length > 1 && mine.every((m: Json) => m.u.username === renamed.to && ms(m) === renamed.ms), 'a bulk tie');
    assert.equal(store.indexOf(renamed.messages[0]!) >= 0, true);
  });

  test('expected() agrees with reading every readable room, for every caller', () => {
    const ds = fresh();
    mutate(ds, { messages: { insert: 3, delete: 2, edit: 2 } });
    for (const who of ['admin', 'user', 'bot', 'app', 'guest', 'restricted'] as IdentityName[]) {
      const exp = expectedMessages(ds, ds.identities[who]);
      const got = readableRooms(ds, ds.identities[who]).map((rid) => ({ rid, ...sync(ds, who, { roomId: rid, lastUpdate: EPOCH }).body.result }));
      assert.deepEqual(got, JSON.parse(JSON.stringify(exp.rooms)), who);
      assert.deepEqual(exp.denied, []);
    }
    assert.deepEqual(expectedMessages(ds, ds.identities.restricted, { rids: ['GENERAL'] }).denied, ['GENERAL']);
  });

  test('ids encode their index', () => {
    for (const i of [0, 1, 54, 55, 12345, 999_999, 3_000_000]) assert.equal(indexOfId(42, messageId(42, i)), i);
    assert.equal(messageId(42, 7).length, 17);
  });
});

describe('scale', () => {
  test('generating 1,000,000 messages (measured, not asserted)', (t) => {
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const ds = new Dataset({ messages: 1_000_000 }, () => DATA_END_MS + 86_400_000);
    const store = messageStore(ds);
    const ms1 = Math.round(performance.now() - t0);
    const rss = Math.round((process.memoryUsage().rss - rss0) / 1048576);
    const ab = Math.round(process.memoryUsage().arrayBuffers / 1048576);
    t.diagnostic(`1M messages generated in ${ms1} ms; rss +${rss} MB, array buffers ${ab} MB`);
    assert.ok(store.n >= 1_000_000);
    const t1 = performance.now();
    const page = sync(ds, 'admin', { roomId: 'GENERAL', type: 'UPDATED', next: String(DATA_END_MS - 400 * 86_400_000), count: '1000' });
    t.diagnostic(`a 1000-row cursor page of a 400k-message room in ${Math.round(performance.now() - t1)} ms`);
    assert.equal(page.body.result.updated.length, 1000);
  });
});

/**
 * The built CLI against the emulator: `scope: workspace` (every room and team, the messages of
 * every readable room, the permission check at start) and the Omnichannel and statistics streams
 * (exact records, incremental livechat_rooms, skipping when the workspace or token cannot serve).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../emulator/index.js';
import type { Doc } from '../emulator/mongo.js';
import { storeOf } from '../emulator/omnichannel/store.js';
import { expectedEndpoint } from '../emulator/workspace/index.js';
import { discoverCatalog, type Catalog } from '../src/catalog.js';
import { SKIPPED_EXIT_CODE } from '../src/skip.js';
import { configFor, emulator } from './support/emulator.js';
import { runTap, tempDir, writeJson } from './support/run-tap.js';
import { assertSameRecords, assertValidAgainstSchemas, idsOf, lastState, recordsOf } from './support/singer.js';

const OMNICHANNEL = ['livechat_rooms', 'livechat_agents', 'livechat_departments', 'livechat_contacts', 'statistics'];

/** The discovered catalog with exactly `streams` selected (and `methods` overriding replication). */
function catalogOf(dir: string, streams: readonly string[], methods: Record<string, string> = {}): string {
  const catalog: Catalog = discoverCatalog();
  for (const entry of catalog.streams) {
    const top = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    top.selected = streams.includes(entry.stream);
    if (methods[entry.stream]) top['replication-method'] = methods[entry.stream];
  }
  return writeJson(dir, `catalog-${streams.join('-')}-${Math.random()}.json`, catalog);
}

function warnings(stderr: string, pattern: RegExp): string[] {
  return stderr.split('\n').filter((l) => pattern.test(l));
}

const withoutToken = (room: Doc): Doc => {
  const out = structuredClone(room);
  delete (out.v as Doc | undefined)?.token;
  if (out.lastMessage) delete (out.lastMessage as Doc).token;
  return out;
};

describe('scope: workspace', () => {
  let emu: Emulator;
  let dir: string;
  before(async () => {
    emu = await emulator({ data: { seed: 7 }, rateLimit: false });
    dir = tempDir();
  });
  after(() => emu.close());

  test('an admin token yields exactly every room and every team of the workspace', async () => {
    const config = configFor(emu, 'admin', { scope: 'workspace' }, dir);
    for (const method of ['INCREMENTAL', 'FULL_TABLE']) {
      const run = await runTap(['--config', config, '--catalog', catalogOf(dir, ['rooms', 'teams'], { rooms: method })]);
      assert.equal(run.code, 0, run.stderr);
      assertValidAgainstSchemas(run.messages);
      const rooms = recordsOf(run.messages, 'rooms');
      assert.deepEqual(idsOf(rooms), idsOf(emu.dataset.rooms), `${method}: every room, each once`);
      assert.deepEqual(idsOf(recordsOf(run.messages, 'teams')), idsOf(emu.dataset.teams), 'every team, each once');
      // The token's own rooms carry the fields rooms.adminRooms does not project.
      const mine = new Set(emu.expected('rooms', 'admin').map((r) => r._id as string));
      for (const r of rooms) assert.equal(r._updatedAt !== undefined, mine.has(r._id), `room ${r._id}: _updatedAt iff the admin is in it`);
      const activated = run.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'rooms');
      assert.equal(activated, method === 'FULL_TABLE', `${method}: ACTIVATE_VERSION only on a full read`);
    }
  });

  test('an incremental run reports rooms deleted anywhere in the workspace', async () => {
    const config = configFor(emu, 'admin', { scope: 'workspace' }, dir);
    const catalog = catalogOf(dir, ['rooms']);
    const first = await runTap(['--config', config, '--catalog', catalog]);
    assert.equal(first.code, 0, first.stderr);
    const mutation = emu.mutate({ deleteRooms: 1, identity: '*' });
    const state = writeJson(dir, 'ws-state.json', lastState(first.messages));
    const second = await runTap(['--config', config, '--catalog', catalog, '--state', state]);
    assert.equal(second.code, 0, second.stderr);
    const rows = recordsOf(second.messages, 'rooms');
    const deleted = rows.filter((r) => r._sdc_deleted_at !== undefined).map((r) => r._id);
    assert.deepEqual(deleted, mutation.rooms.deleted);
    assert.deepEqual(idsOf(rows.filter((r) => r._sdc_deleted_at === undefined)), idsOf(emu.dataset.rooms));
  });

  test('messages: rooms the admin cannot read are skipped and reported in one warning', async () => {
    const config = configFor(emu, 'admin', { scope: 'workspace' }, dir);
    const run = await runTap(['--config', config, '--catalog', catalogOf(dir, ['messages'])]);
    assert.equal(run.code, 0, run.stderr);
    const admin = emu.identities.admin.userId;
    const unreadable = emu.dataset.rooms.filter((r) => (r.t === 'p' || r.t === 'd') && !r.prid && !emu.dataset.isSubscribed(admin, r._id as string));
    assert.ok(unreadable.length > 0, 'the emulator has rooms the admin is not in');
    const lines = warnings(run.stderr, /cannot be read by this token/);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`\\b${unreadable.length} private groups and direct messages`));
    assert.equal(warnings(run.stderr, /is skipped: the server refused to read it/).length, 0, 'no warning per room');
    const rids = new Set(recordsOf(run.messages, 'messages').map((m) => m.rid as string));
    for (const r of unreadable) assert.ok(!rids.has(r._id as string), `no message of unreadable room ${r._id}`);
    // Public channels the admin never joined are read too.
    const unjoined = emu.dataset.rooms.filter((r) => r.t === 'c' && !r.teamId && (r.msgs as number) > 0 && !emu.dataset.isSubscribed(admin, r._id as string));
    assert.ok(unjoined.some((r) => rids.has(r._id as string)), 'messages of a public channel the admin is not in');
  });

  test('a token without view-room-administration gets one clear error, exit 2, nothing emitted', async () => {
    const config = configFor(emu, 'user', { scope: 'workspace' }, dir);
    const run = await runTap(['--config', config]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    const errors = warnings(run.stderr, /error/i);
    assert.equal(errors.length, 1, run.stderr);
    assert.match(errors[0]!, /scope "workspace" needs an admin token: .*error-not-authorized.*view-room-administration/);
  });

  test('--test reports per stream and scope what the token can read', async () => {
    const run = await runTap(['--config', configFor(emu, 'user', {}, dir), '--test']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /stream rooms \(scope subscribed, \/api\/v1\/rooms\.get\): readable/);
    assert.match(run.stderr, /stream rooms \(scope workspace, \/api\/v1\/rooms\.adminRooms\): not readable: .*view-room-administration/);
    assert.match(run.stderr, /stream teams \(scope workspace, \/api\/v1\/teams\.listAll\): not readable: .*view-all-teams/);
    assert.match(run.stderr, /stream livechat_rooms: not readable: .*view-livechat-rooms \(not selected by default/);
    const failed = await runTap(['--config', configFor(emu, 'user', { scope: 'workspace' }, dir), '--test']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /connection test failed: the token cannot read teams, rooms in scope workspace/);
  });

  test('--about lists the scope settings and the new streams', async () => {
    const run = await runTap(['--about']);
    assert.equal(run.code, 0);
    for (const s of ['Name: scope', 'Name: livechat_rooms_full_read_hours', 'livechat_rooms: GET /api/v1/livechat/rooms, incremental on closedAt',
      'statistics: GET /api/v1/statistics', 'scope workspace: GET /api/v1/rooms.adminRooms']) assert.ok(run.stdout.includes(s), s);
  });
});

describe('Omnichannel and statistics streams', () => {
  let emu: Emulator;
  let dir: string;
  before(async () => {
    emu = await emulator({ data: { seed: 11 }, rateLimit: false });
    dir = tempDir();
  });
  after(() => emu.close());

  function expectedOmnichannel(): Record<string, Doc[]> {
    const ds = emu.dataset;
    const all = (endpoint: string, params: Record<string, string> = {}) => expectedEndpoint(ds, endpoint, 'admin', params).records;
    const stats = all('statistics')[0]!;
    return {
      livechat_rooms: all('livechat/rooms').map(withoutToken),
      livechat_agents: all('livechat/users/agent'),
      livechat_departments: all('livechat/department', { showArchived: 'true' }),
      livechat_contacts: [...all('omnichannel/contacts.search', { unknown: 'false' }), ...all('omnichannel/contacts.search', { unknown: 'true' })],
      statistics: [stats],
    };
  }

  test('each stream is exact, and no visitor token is emitted', async () => {
    const config = configFor(emu, 'admin', {}, dir);
    const run = await runTap(['--config', config, '--catalog', catalogOf(dir, OMNICHANNEL)]);
    assert.equal(run.code, 0, run.stderr);
    assertValidAgainstSchemas(run.messages);
    const expected = expectedOmnichannel();
    for (const stream of OMNICHANNEL) assertSameRecords(recordsOf(run.messages, stream), expected[stream]!, stream);
    assert.ok(expected.livechat_departments!.some((d) => d.archived === true), 'archived departments are read');
    assert.ok(expected.livechat_contacts!.some((c) => c.unknown === true), 'unknown contacts are read');
    for (const v of storeOf(emu.dataset).visitors) assert.ok(!run.stdout.includes(v.token as string), 'visitor token never emitted');
    assert.ok(!run.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'statistics'), 'statistics snapshots are never retired');
  });

  test('incremental livechat_rooms: rooms closed since the bookmark, and every open room', async () => {
    const config = configFor(emu, 'admin', {}, dir);
    const catalog = catalogOf(dir, ['livechat_rooms']);
    const first = await runTap(['--config', config, '--catalog', catalog]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(idsOf(recordsOf(first.messages, 'livechat_rooms')).sort(), idsOf(expectedOmnichannel().livechat_rooms!).sort(), 'the first run reads every room');
    const state1 = lastState(first.messages)!;
    assert.equal(state1.bookmarks.livechat_rooms!.replication_key, 'closedAt');

    const opened = emu.dataset.rooms.filter((r) => r.t === 'l' && r.open === true && r.servedBy !== undefined && r.onHold !== true);
    const toClose = opened.slice(0, 2).map((r) => r._id as string);
    const post = await fetch(`${emu.url}/_emulator/omnichannel`, {
      method: 'POST', body: JSON.stringify({ closeLivechatRoomIds: toClose, openLivechatRooms: 1, servedBy: 'admin' }),
    }).then((r) => r.json() as Promise<{ rooms: { inserted: string[] } }>);
    const second = await runTap(['--config', config, '--catalog', catalog, '--state', writeJson(dir, 'lc-1.json', state1)]);
    assert.equal(second.code, 0, second.stderr);
    const notClosed = emu.dataset.rooms.filter((r) => r.t === 'l' && r.open === true).map((r) => r._id as string);
    assert.ok(notClosed.includes(post.rooms.inserted[0]!), 'the new room is open');
    const got = recordsOf(second.messages, 'livechat_rooms');
    assert.deepEqual(idsOf(got).sort(), [...toClose, ...notClosed].sort(), 'the two rooms closed since, and every open, queued and on-hold room');
    for (const id of toClose) assert.ok(got.find((r) => r._id === id)!.closedAt, `room ${id} arrives closed`);

    // Nothing closed since: only the rooms that are not closed, the boundary de-duplicated.
    const third = await runTap(['--config', config, '--catalog', catalog, '--state', writeJson(dir, 'lc-2.json', lastState(second.messages))]);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(idsOf(recordsOf(third.messages, 'livechat_rooms')).sort(), notClosed.slice().sort());
  });

  test('a token without the permissions: each stream skipped with one warning, the others finish, exit 3', async () => {
    const config = configFor(emu, 'user', {}, dir);
    const run = await runTap(['--config', config, '--catalog', catalogOf(dir, ['roles', ...OMNICHANNEL])]);
    assert.equal(run.code, SKIPPED_EXIT_CODE, run.stderr);
    assert.ok(recordsOf(run.messages, 'roles').length > 0, 'roles finished');
    for (const stream of OMNICHANNEL) {
      const lines = warnings(run.stderr, new RegExp(`stream ${stream} is skipped: `));
      assert.equal(lines.length, 1, `${stream}: ${run.stderr}`);
      assert.equal(recordsOf(run.messages, stream).length, 0);
    }
    assert.match(run.stderr, /stream livechat_rooms is skipped: the server refused it \(403\); the token's user needs the permission view-livechat-rooms/);
    assert.match(run.stderr, /finished, but 5 selected streams were skipped/);
    assert.ok(lastState(run.messages), 'STATE was written');
  });

  test('Omnichannel switched off: the livechat streams are skipped, statistics is read', async () => {
    const off = await emulator({ data: { seed: 11 }, rateLimit: false, omnichannel: false });
    try {
      const run = await runTap(['--config', configFor(off, 'admin', {}, dir), '--catalog', catalogOf(dir, OMNICHANNEL)]);
      assert.equal(run.code, SKIPPED_EXIT_CODE, run.stderr);
      assert.equal(warnings(run.stderr, /is skipped: Omnichannel is disabled on this workspace/).length, 4, run.stderr);
      assert.equal(recordsOf(run.messages, 'statistics').length, 1);
    } finally {
      await off.close();
    }
  });
});


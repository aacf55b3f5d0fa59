/**
 * The emulator's workspace-wide (rooms.adminRooms, teams.listAll, rooms.info, statistics) and
 * omnichannel (livechat/rooms, visitors.search, contacts.search, users/agent, department)
 * endpoints over real loopback HTTP, their data consistency, mutations and the expected helper.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type IdentityName } from '../emulator/index.js';
import { ExpectedError } from '../emulator/expected.js';
import { permissionsOf, type Identity } from '../emulator/identities.js';
import { ROUTE_BY_PATH } from '../emulator/routes/registry.js';
import { storeOf } from '../emulator/omnichannel/store.js';
import { expectedEndpoint, omnichannelMutate } from '../emulator/workspace/index.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(emu: Emulator, path: string, who: IdentityName | null = 'admin'): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = who ? { 'X-User-Id': emu.identities[who].userId, 'X-Auth-Token': emu.identities[who].token } : {};
  const res = await fetch(emu.url + path, { headers });
  return { status: res.status, body: await res.json() };
}

async function readAll(emu: Emulator, path: string, key: string, who: IdentityName = 'admin', pageSize = 7): Promise<Json[]> {
  const out: Json[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let offset = 0; ; offset += pageSize) {
    const r = await call(emu, `${path}${sep}offset=${offset}&count=${pageSize}`, who);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...r.body[key]);
    if (offset + pageSize >= r.body.total) return out;
  }
}

const PERMISSION = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
const UNAUTHORIZED = { success: false, error: 'unauthorized' };
const LOGIN = { success: false, error: 'You must be logged in to do this.', status: 'error', message: 'You must be logged in to do this.' };

describe('workspace-wide endpoints', () => {
  let emu: Emulator;
  before(async () => { emu = await startEmulator({ rateLimit: false }); });
  after(() => emu.close());

  test('rooms.adminRooms: no discussions or team main rooms unless asked; every room with all types', async () => {
    const ds = emu.dataset;
    const plain = await readAll(emu, '/api/v1/rooms.adminRooms', 'rooms');
    assert.deepEqual(new Set(plain.map((r) => r._id)), new Set(ds.rooms.filter((r) => !r.prid && r.teamMain !== true).map((r) => r._id)));
    const all = await readAll(emu, '/api/v1/rooms.adminRooms?types[]=c&types[]=p&types[]=d&types[]=l&types[]=discussions&types[]=teams&sort={"_id":1}', 'rooms');
    assert.deepEqual(all.map((r) => r._id), ds.rooms.map((r) => r._id as string).sort());
    for (const r of all) for (const k of ['_updatedAt', 'lm', 'lastMessage', 'joinCode', 'servedBy']) assert.equal(k in r, false, `${k} in ${r._id}`);
    const onlyDiscussions = await readAll(emu, '/api/v1/rooms.adminRooms?types=discussions', 'rooms');
    assert.deepEqual(onlyDiscussions.map((r) => r._id).sort(), ds.rooms.filter((r) => r.prid).map((r) => r._id as string).sort());
    const livechat = await readAll(emu, '/api/v1/rooms.adminRooms?types=l', 'rooms');
    assert.equal(livechat.length, ds.rooms.filter((r) => r.t === 'l').length);
    assert.ok(livechat.length >= 30);
  });

  test('rooms.adminRooms: default sort {default:-1,name:1}, filter, and the errors', async () => {
    const first = await call(emu, '/api/v1/rooms.adminRooms?count=3');
    assert.equal(first.body.rooms[0]._id, 'GENERAL');
    assert.deepEqual(Object.keys(first.body), ['rooms', 'count', 'offset', 'total', 'success']);
    const filtered = await readAll(emu, '/api/v1/rooms.adminRooms?filter=GENERAL', 'rooms');
    assert.deepEqual(filtered.map((r) => r._id), ['GENERAL']);
    assert.deepEqual((await call(emu, '/api/v1/rooms.adminRooms', 'user')).body, { success: false, error: 'error-not-authorized' });
    assert.equal((await call(emu, '/api/v1/rooms.adminRooms', 'user')).status, 400);
    const badType = await call(emu, '/api/v1/rooms.adminRooms?types=x', null);
    assert.deepEqual(badType, { status: 400, body: { success: false, errorType: 'error-invalid-params', error: 'must be equal to one of the allowed values' } });
    assert.equal((await call(emu, '/api/v1/rooms.adminRooms?nope=1', null)).status, 400, 'typed route: validation before authentication');
  });

  test('teams.listAll: every team in natural order with rooms and numberOfUsers; 403 without view-all-teams', async () => {
    const r = await call(emu, '/api/v1/teams.listAll?sort={"name":1}&count=0');
    assert.deepEqual(r.body.teams.map((t: Json) => t._id), emu.dataset.teams.map((t) => t._id), 'natural order, sort ignored');
    const eng = r.body.teams[0];
    assert.equal(eng.rooms, emu.dataset.rooms.filter((x) => x.teamId === eng._id).length);
    assert.equal(typeof eng.numberOfUsers, 'number');
    assert.deepEqual(await call(emu, '/api/v1/teams.listAll', 'user'), { status: 403, body: PERMISSION });
  });

  test('rooms.info: whole document, team and parent; not-allowed with code and message swapped', async () => {
    const ds = emu.dataset;
    const disc = ds.rooms.find((x) => x.prid && ds.rooms.find((p) => p._id === x.prid)?.t === 'c' && !ds.rooms.find((p) => p._id === x.prid)?.teamId);
    assert.ok(disc);
    const info = await call(emu, `/api/v1/rooms.info?roomId=${String(disc._id)}`);
    assert.equal(info.status, 200);
    assert.deepEqual(info.body.room, disc);
    assert.equal(info.body.parent._id, disc.prid);
    const teamRoom = ds.rooms.find((x) => x.teamId && x.teamMain !== true && x.t === 'c') as Json;
    const ti = await call(emu, `/api/v1/rooms.info?roomId=${teamRoom._id}`);
    assert.equal(ti.body.team._id, teamRoom.teamId);
    const foreignDm = ds.rooms.find((x) => x.t === 'd' && !(x.uids as string[]).includes(emu.identities.admin.userId)) as Json;
    assert.deepEqual(await call(emu, `/api/v1/rooms.info?roomId=${foreignDm._id}`), { status: 400, body: { success: false, error: 'not-allowed', errorType: 'Not Allowed' } });
    assert.equal((await call(emu, '/api/v1/rooms.info?roomName=general')).body.room._id, 'GENERAL');
    assert.equal((await call(emu, '/api/v1/rooms.info')).body.error, 'error-roomid-param-not-provided');
  });

  test('statistics: one IStats document for view-statistics; 400 error-not-allowed otherwise; refresh enum before auth', async () => {
    const r = await call(emu, '/api/v1/statistics');
    assert.equal(r.status, 200);
    assert.equal(r.body.success, true);
    assert.equal(r.body.totalRooms, emu.dataset.rooms.length);
    assert.equal(r.body.totalLivechat, emu.dataset.rooms.filter((x) => x.t === 'l').length);
    assert.equal(r.body.totalUsers, emu.dataset.users.size);
    assert.equal(r.body.livechatEnabled, true);
    assert.deepEqual(await call(emu, '/api/v1/statistics', 'user'), { status: 400, body: { success: false, error: 'error-not-allowed' } });
    assert.deepEqual((await call(emu, '/api/v1/statistics?refresh=maybe', null)).status, 400);
    assert.deepEqual((await call(emu, '/api/v1/statistics?refresh=true')).status, 200);
  });
});

describe('omnichannel endpoints', () => {
  let emu: Emulator;
  before(async () => { emu = await startEmulator({ rateLimit: false }); });
  after(() => emu.close());

  test('every livechat room points at a real visitor, contact, agent and department', () => {
    const ds = emu.dataset;
    const store = storeOf(ds);
    const rooms = ds.rooms.filter((r) => r.t === 'l');
    assert.equal(rooms.length, 30);
    const agentIds = new Set(expectedEndpoint(ds, 'livechat/users/agent', 'admin').records.map((u) => u._id));
    for (const r of rooms) {
      const v = r.v as Json;
      assert.ok(store.visitors.some((x) => x._id === v._id && x.token === v.token && x.username === v.username), `visitor of ${String(r._id)}`);
      assert.ok(store.contacts.some((c) => c._id === r.contactId), `contact of ${String(r._id)}`);
      if (r.servedBy) assert.ok(agentIds.has((r.servedBy as Json)._id), `agent of ${String(r._id)}`);
      if (r.departmentId) assert.ok(store.departments.some((d) => d._id === r.departmentId));
    }
    const states = new Set(rooms.map((r) => (r.open !== true ? 'closed' : r.onHold ? 'onhold' : r.servedBy ? 'open' : 'queued')));
    assert.deepEqual([...states].sort(), ['closed', 'onhold', 'open', 'queued']);
  });

  test('admin subscriptions: exactly the open livechat rooms it serves', () => {
    const ds = emu.dataset;
    const uid = emu.identities.admin.userId;
    const subscribed = ds.subscriptionsOf(uid).filter((s) => s.t === 'l').map((s) => s.rid).sort();
    const served = ds.rooms.filter((r) => r.t === 'l' && r.open === true && (r.servedBy as Json)?._id === uid).map((r) => r._id).sort();
    assert.deepEqual(subscribed, served);
  });

  test('livechat/rooms: full read equals expected, default sort ts desc, department attached', async () => {
    const all = await readAll(emu, '/api/v1/livechat/rooms', 'rooms');
    const expected = expectedEndpoint(emu.dataset, 'livechat/rooms', 'admin').records;
    assert.deepEqual(all, expected);
    const ts = all.map((r) => r.ts as string);
    assert.deepEqual(ts, ts.slice().sort().reverse());
    const withDept = all.find((r) => r.departmentId) as Json;
    assert.deepEqual(Object.keys(withDept.department), ['_id', 'name']);
  });

  test('livechat/rooms: open/queued/onhold semantics', async () => {
    const ds = emu.dataset;
    const ids = async (q: string) => (await readAll(emu, `/api/v1/livechat/rooms?${q}`, 'rooms')).map((r) => r._id).sort();
    const l = ds.rooms.filter((r) => r.t === 'l');
    const idsOf = (f: (r: Json) => boolean) => l.filter(f).map((r) => r._id).sort();
    assert.deepEqual(await ids('open=true'), idsOf((r) => r.open === true && !r.onHold && r.servedBy));
    assert.deepEqual(await ids('open=false'), idsOf((r) => r.open === undefined));
    assert.deepEqual(await ids('queued=true'), idsOf((r) => r.open === true && !r.servedBy));
    assert.deepEqual(await ids('onhold=true'), idsOf((r) => r.onHold === true));
    assert.deepEqual(await ids('onhold=false'), idsOf(() => true));
  });

  test('livechat/rooms: createdAt and closedAt ranges are inclusive at both ends', async () => {
    const l = emu.dataset.rooms.filter((r) => r.t === 'l');
    const ts = l.find((r) => l.filter((x) => x.ts === r.ts).length > 1)?.ts as string;
    const twins = l.filter((r) => r.ts === ts);
    assert.ok(twins.length >= 2, 'two rooms share one creation millisecond');
    const q = encodeURIComponent(JSON.stringify({ start: ts, end: ts }));
    assert.deepEqual((await call(emu, `/api/v1/livechat/rooms?createdAt=${q}`)).body.rooms.map((r: Json) => r._id).sort(), twins.map((r) => r._id).sort());
    const closed = l.find((r) => r.closedAt) as Json;
    const c = encodeURIComponent(JSON.stringify({ start: closed.closedAt }));
    const after = (await call(emu, `/api/v1/livechat/rooms?count=0&closedAt=${c}`)).body.rooms;
    assert.ok(after.some((r: Json) => r._id === closed._id));
    assert.ok(after.every((r: Json) => r.closedAt >= closed.closedAt));
  });

  test('livechat/rooms: errors in the order of the handler', async () => {
    assert.deepEqual(await call(emu, '/api/v1/livechat/rooms?createdAt={"start":"not a date"}'),
      { status: 400, body: { success: false, error: 'The "createdAt.start" query parameter must be a valid date.' } });
    const bad = await call(emu, '/api/v1/livechat/rooms?closedAt={oops');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorType, undefined);
    assert.match(bad.body.error, /JSON/);
    assert.deepEqual(await call(emu, '/api/v1/livechat/rooms?bogus=1'),
      { status: 400, body: { success: false, error: 'must NOT have additional properties [invalid-params]', errorType: 'invalid-params' } });
    assert.deepEqual(await call(emu, '/api/v1/livechat/rooms?bogus=1', null), { status: 401, body: LOGIN }, 'legacy validation runs after authentication');
    assert.deepEqual(await call(emu, '/api/v1/livechat/rooms', 'user'), { status: 403, body: UNAUTHORIZED });
    assert.deepEqual(await call(emu, '/api/v1/livechat/rooms?customFields=[1]'),
      { status: 400, body: { success: false, error: 'The "customFields" query parameter must be a valid JSON.' } });
  });

  test('livechat/rooms: an agent with view-l-room only lists with agents=[self]', () => {
    const ds = emu.dataset;
    const agentRoom = ds.rooms.find((r) => r.t === 'l' && (r.servedBy as Json)?._id && (r.servedBy as Json)._id !== emu.identities.admin.userId) as Json;
    const agent: Identity = { ...ds.identities.user, userId: agentRoom.servedBy._id, permissions: permissionsOf(['user', 'livechat-agent']) };
    const route = ROUTE_BY_PATH.get('/api/v1/livechat/rooms');
    assert.ok(route);
    const run = (q: string) => route.handle({ ds, identity: agent, query: new URLSearchParams(q), settings: { defaultCount: 50, maxCount: 100, allowInfiniteCount: true, version: '8.8.1' }, baseUrl: '', page: { offset: 0, count: 0 } });
    assert.deepEqual(run('').body, UNAUTHORIZED);
    assert.deepEqual(run(`agents[]=${agent.userId}&agents[]=x`).status, 403);
    const mine = run(`agents[]=${agent.userId}`);
    assert.equal(mine.status, 200);
    assert.deepEqual((mine.body.rooms as Json[]).map((r) => r._id).sort(),
      ds.rooms.filter((r) => r.t === 'l' && (r.servedBy as Json)?._id === agent.userId).map((r) => r._id).sort());
  });

  test('visitors.search: term required, empty term = every non-disabled visitor, projection', async () => {
    assert.deepEqual(await call(emu, '/api/v1/livechat/visitors.search?count=1'),
      { status: 400, body: { success: false, error: "must have required property 'term' [invalid-params]", errorType: 'invalid-params' } });
    const all = await readAll(emu, '/api/v1/livechat/visitors.search?term=', 'visitors');
    const store = storeOf(emu.dataset);
    assert.equal(all.length, store.visitors.filter((v) => v.disabled !== true).length);
    assert.ok(store.visitors.some((v) => v.disabled === true));
    for (const v of all) for (const k of Object.keys(v)) assert.ok(['_id', 'username', 'name', 'phone', 'livechatData', 'visitorEmails', 'lastChat'].includes(k), k);
    const one = all[3];
    assert.ok((await call(emu, `/api/v1/livechat/visitors.search?term=${one.username.toUpperCase()}`)).body.visitors.some((v: Json) => v._id === one._id));
    assert.deepEqual(await call(emu, '/api/v1/livechat/visitors.search?term=', 'user'), { status: 403, body: PERMISSION });
  });

  test('omnichannel/contacts.search: count echoes the page size, unknown and disabled contacts left out', async () => {
    const r = await call(emu, '/api/v1/omnichannel/contacts.search?count=100');
    assert.equal(r.body.count, 100);
    const store = storeOf(emu.dataset);
    assert.equal(r.body.total, store.contacts.filter((c) => c.unknown === false && c.enabled !== false).length);
    assert.equal(r.body.contacts.length, r.body.total);
    const names = r.body.contacts.map((c: Json) => c.name);
    assert.deepEqual(names, [...names].sort());
    const managed = r.body.contacts.find((c: Json) => c.contactManager);
    if (managed) assert.ok(typeof managed.contactManager === 'object' && managed.contactManager._id);
    const unknown = await call(emu, '/api/v1/omnichannel/contacts.search?unknown=true&count=100');
    assert.ok(unknown.body.contacts.every((c: Json) => c.unknown === true));
    assert.equal((await call(emu, '/api/v1/omnichannel/contacts.search?unknown=maybe')).body.error, 'must be boolean [invalid-params]');
  });

  test('livechat/users/agent: users holding livechat-agent, by name; 403 unauthorized for others', async () => {
    const agents = await readAll(emu, '/api/v1/livechat/users/agent', 'users');
    const fromUsersList = emu.expected('users', 'admin').filter((u) => (u.roles as string[]).includes('livechat-agent')).map((u) => u._id).sort();
    assert.deepEqual(agents.map((u) => u._id).sort(), fromUsersList);
    assert.ok(agents.length >= 2);
    for (const a of agents) assert.ok(['available', 'not-available'].includes(a.statusLivechat));
    assert.deepEqual(await call(emu, '/api/v1/livechat/users/agent', 'user'), { status: 403, body: UNAUTHORIZED });
    assert.equal((await call(emu, '/api/v1/livechat/users/agent?onlyAvailable=true&count=0')).body.users.every((u: Json) => u.statusLivechat === 'available'), true);
  });

  test('livechat/department: archived only with showArchived=true, EE units never, sort by name', async () => {
    const store = storeOf(emu.dataset);
    const listed = await readAll(emu, '/api/v1/livechat/department', 'departments');
    assert.ok(listed.every((d) => d.archived !== true && d.type !== 'u'));
    const withArchived = await readAll(emu, '/api/v1/livechat/department?showArchived=true', 'departments');
    assert.equal(withArchived.length, store.departments.filter((d) => d.type !== 'u').length);
    assert.equal(withArchived.length, listed.length + 1);
    const names = listed.map((d) => d.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok((await call(emu, '/api/v1/livechat/department?enabled=true&count=0')).body.departments.every((d: Json) => d.enabled === true));
  });
});

describe('omnichannel switch and mutations', () => {
  test('Omnichannel off: every livechat route answers error-omnichannel-is-disabled; statistics say so', async () => {
    const emu = await startEmulator({ rateLimit: false, omnichannel: false });
    try {
      for (const p of ['livechat/rooms', 'livechat/visitors.search?term=', 'omnichannel/contacts.search', 'livechat/users/agent', 'livechat/department']) {
        assert.deepEqual(await call(emu, `/api/v1/${p}`), {
          status: 400, body: { success: false, error: '[error-omnichannel-is-disabled]', errorType: 'error-omnichannel-is-disabled' },
        }, p);
      }
      assert.equal((await call(emu, '/api/v1/statistics')).body.livechatEnabled, false);
      assert.equal((await call(emu, '/api/v1/rooms.adminRooms?types=l')).status, 200);
    } finally {
      await emu.close();
    }
  });

  test('open, transfer, close and reopen keep rooms, subscriptions and every endpoint in step', async () => {
    const emu = await startEmulator({ rateLimit: false, data: { livechatRooms: 6 } });
    try {
      const ds = emu.dataset;
      const admin = emu.identities.admin.userId;
      const opened = omnichannelMutate(ds, { openLivechatRooms: 1 });
      const rid = opened.rooms.inserted[0] as string;
      assert.equal(opened.subscriptions.inserted.length, 1);
      assert.ok(emu.expected('rooms', 'admin').some((r) => r._id === rid));
      assert.ok(expectedEndpoint(ds, 'livechat/rooms', 'admin', { open: 'true' }).records.some((r) => r._id === rid));
      const agents = expectedEndpoint(ds, 'livechat/users/agent', 'admin').records.filter((u) => u._id !== admin);
      const other = agents[0]?._id as string;
      const moved = omnichannelMutate(ds, { transferLivechatRoomIds: [rid], transferTo: other });
      assert.equal(moved.subscriptions.deleted.length, 1);
      assert.equal((ds.roomById.get(rid)?.servedBy as Json)._id, other);
      assert.equal(ds.isSubscribed(admin, rid), false);
      const back = omnichannelMutate(ds, { transferLivechatRoomIds: [rid], transferTo: 'admin' });
      assert.equal(back.subscriptions.inserted.length, 1);
      const closed = omnichannelMutate(ds, { closeLivechatRoomIds: [rid] });
      const room = ds.roomById.get(rid) as Json;
      assert.equal(room.open, undefined);
      assert.equal(room.closedAt, room._updatedAt);
      assert.deepEqual(emu.expectedRemove('subscriptions', 'admin', opened.lastStamp).map((s) => s._id),
        [...moved.subscriptions.deleted, ...closed.subscriptions.deleted]);
      const q = { closedAt: JSON.stringify({ start: room.closedAt }) };
      assert.deepEqual(expectedEndpoint(ds, 'livechat/rooms', 'admin', q).records.map((r) => r._id), [rid]);
      omnichannelMutate(ds, { reopenLivechatRoomIds: [rid] });
      assert.equal(ds.roomById.get(rid)?.open, true);
      assert.ok(ds.isSubscribed(admin, rid));
    } finally {
      await emu.close();
    }
  });

  test('add an agent and a department; over the control route too', async () => {
    const emu = await startEmulator({ rateLimit: false });
    try {
      const before = expectedEndpoint(emu.dataset, 'livechat/users/agent', 'admin').records.length;
      const res = await fetch(`${emu.url}/_emulator/omnichannel`, { method: 'POST', body: JSON.stringify({ addAgents: 1, addDepartments: 1 }) });
      const body = await res.json() as Json;
      assert.equal(body.agents.length, 1);
      assert.equal(expectedEndpoint(emu.dataset, 'livechat/users/agent', 'admin').records.length, before + 1);
      assert.ok(emu.expected('users', 'admin').find((u) => u._id === body.agents[0])?.roles);
      assert.ok(expectedEndpoint(emu.dataset, 'livechat/department', 'admin').records.some((d) => d._id === body.departments[0]));
      const viaControl = await (await fetch(`${emu.url}/_emulator/expected-endpoint?endpoint=livechat/department&identity=user`)).json() as Json;
      assert.deepEqual(viaControl.error, PERMISSION);
      assert.throws(() => expectedEndpoint(emu.dataset, 'rooms.adminRooms', 'user'), ExpectedError);
    } finally {
      await emu.close();
    }
  });
});

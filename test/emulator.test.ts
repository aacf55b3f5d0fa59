/**
 * The Rocket.Chat API emulator against the facts in docs/rocketchat-api-notes.md
 * (#authentication-and-permissions, #list-endpoints, #pagination, #sort-query-fields,
 * #error-bodies, #rate-limiting, #incremental-reads-and-deletions): real HTTP requests over
 * loopback with global fetch.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator, type IdentityName, type StreamName } from '../emulator/index.js';
import { compareCodePoints } from '../emulator/mongo.js';
import { RateLimiter } from '../emulator/rate-limiter.js';
import { withEmulator } from './support/emulator.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

function authHeaders(emu: Emulator, who: IdentityName | null): Record<string, string> {
  if (!who) return {};
  return { 'X-User-Id': emu.identities[who].userId, 'X-Auth-Token': emu.identities[who].token };
}

async function call(emu: Emulator, path: string, who: IdentityName | null = 'admin', init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(emu.url + path, { ...init, headers: { ...authHeaders(emu, who), ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

const qs = (o: Record<string, string | number>): string =>
  `?${new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;

const UNAUTHORIZED = { success: false, error: 'You must be logged in to do this.', status: 'error', message: 'You must be logged in to do this.' };
const INVALID_PARAMS = { success: false, errorType: 'error-invalid-params', error: 'must NOT have additional properties' };
const PERMISSION = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
const MAX_TS = (docs: Json[]): string => docs.map((d) => d._updatedAt as string).sort().at(-1) as string;

async function readAllPages(emu: Emulator, path: string, key: string, who: IdentityName, extra: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; ) {
    const r = await call(emu, `${path}${qs({ ...extra, offset, count: 100 })}`, who);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body[key]);
    offset += r.body.count;
    if (r.body.count === 0 || offset >= r.body.total) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('shared emulator (read-only checks)', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  after(async () => {
    await emu.close();
  });

  test('/api/info needs no auth, trims the version for anonymous callers, full version for view-statistics', async () => {
    const anon = await call(emu, '/api/info', null);
    assert.equal(anon.status, 200);
    assert.equal(anon.body.version, '8.8');
    assert.deepEqual(anon.body.minimumClientVersions, { desktop: '3.9.6', mobile: '4.39.0' });
    assert.equal(anon.body.success, true);
    assert.equal(anon.body.info, undefined);
    const bad = await call(emu, '/api/info', null, { headers: { 'X-User-Id': 'nobody', 'X-Auth-Token': 'wrong' } });
    assert.equal(bad.status, 200, 'info does not validate credentials');
    const admin = await call(emu, '/api/info', 'admin');
    assert.equal(admin.body.version, '8.8.1');
    assert.equal(admin.body.info.version, '8.8.1');
  });

  test('401 with the four-key body when credentials are missing or wrong', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { 'X-User-Id': emu.identities.admin.userId },
      { 'X-Auth-Token': emu.identities.admin.token },
      { 'X-User-Id': emu.identities.admin.userId, 'X-Auth-Token': 'wrong' },
      { 'X-User-Id': emu.identities.user.userId, 'X-Auth-Token': emu.identities.admin.token },
    ];
    for (const headers of cases) {
      for (const path of ['/api/v1/me', '/api/v1/users.list', '/api/v1/rooms.get', '/api/v1/roles.list']) {
        const r = await call(emu, path, null, { headers });
        assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(r.text, JSON.stringify(UNAUTHORIZED));
      }
    }
  });

  test('header names are case-insensitive; JSON, no-store and no-cache headers; keep-alive reuses sockets', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (headers: Record<string, string>) => new Promise<{ status: number; headers: Record<string, unknown>; reused: boolean; body: string }>((resolve, reject) => {
      const req = httpRequest(`${emu.url}/api/v1/me`, { agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, reused: req.reusedSocket, body }));
      });
      req.on('error', reject);
      req.end();
    });
    const h = { 'x-USER-iD': emu.identities.user.userId, 'X-AUTH-TOKEN': emu.identities.user.token };
    const a = await get(h);
    const b = await get(h);
    agent.destroy();
    assert.equal(a.status, 200);
    assert.equal(JSON.parse(a.body).username, 'alice');
    assert.equal(a.headers['content-type'], 'application/json');
    assert.equal(a.headers['cache-control'], 'no-store');
    assert.equal(a.headers.pragma, 'no-cache');
    assert.equal(b.reused, true, 'second request reused the kept-alive socket');
  });

  test('unknown routes, non-GET methods and control paths under /api answer 404 Resource not found', async () => {
    for (const [path, method] of [['/api/v1/nope', 'GET'], ['/api/v1/users.list', 'POST'], ['/api/_emulator/stats', 'GET'], ['/api/v1/_emulator/stats', 'GET'], ['/', 'GET']] as const) {
      const r = await call(emu, path, 'admin', { method });
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.body, { success: false, error: 'Resource not found' });
    }
  });

  test('/api/v1/me returns the caller with success:true and no password hash', async () => {
    const r = await call(emu, '/api/v1/me', 'user');
    assert.equal(r.status, 200);
    assert.equal(r.body._id, emu.identities.user.userId);
    assert.equal(r.body.success, true);
    assert.deepEqual(r.body.services, { password: { exists: true } });
    assert.equal(typeof r.body.avatarUrl, 'string');
    assert.ok(r.body.settings);
  });

  test('pagination on users.list: default 50, clamp 100, count=0 everything, offset echoed, exact total, empty past the end', async () => {
    const total = emu.expected('users', 'admin').length;
    const def = await call(emu, '/api/v1/users.list');
    assert.equal(def.body.count, 50);
    assert.equal(def.body.users.length, 50);
    assert.equal(def.body.offset, 0);
    assert.equal(def.body.total, total);
    assert.deepEqual(Object.keys(def.body), ['users', 'count', 'offset', 'total', 'success']);
    const big = await call(emu, `/api/v1/users.list${qs({ count: 150 })}`);
    assert.equal(big.body.count, 100);
    assert.equal(big.body.users.length, 100);
    const all = await call(emu, `/api/v1/users.list${qs({ count: 0 })}`);
    assert.equal(all.body.count, total);
    assert.equal(all.body.users.length, total);
    const mid = await call(emu, `/api/v1/users.list${qs({ count: 7, offset: 3 })}`);
    assert.equal(mid.body.offset, 3);
    assert.deepEqual(mid.body.users, all.body.users.slice(3, 10));
    const tail = await call(emu, `/api/v1/users.list${qs({ count: 100, offset: total - 5 })}`);
    assert.equal(tail.body.count, 5, 'count is the number of items returned');
    for (const offset of [total, total + 500]) {
      const past = await call(emu, `/api/v1/users.list${qs({ count: 50, offset })}`);
      assert.deepEqual(past.body, { users: [], count: 0, offset, total, success: true });
    }
  });

  test('pagination on teams.list and channels.list', async () => {
    const teams = emu.expected('teams', 'admin');
    const t = await call(emu, `/api/v1/teams.list${qs({ count: 2, offset: 1 })}`);
    assert.deepEqual(Object.keys(t.body), ['teams', 'total', 'count', 'offset', 'success']);
    assert.equal(t.body.total, teams.length);
    assert.deepEqual(t.body.teams, teams.slice(1, 3));
    const tPast = await call(emu, `/api/v1/teams.list${qs({ offset: 100, count: 50 })}`);
    assert.deepEqual(tPast.body, { teams: [], total: teams.length, count: 0, offset: 100, success: true });
    const channels = emu.expected('channels', 'admin');
    const c = await call(emu, `/api/v1/channels.list${qs({ count: 5, offset: 2 })}`);
    assert.deepEqual(Object.keys(c.body), ['channels', 'count', 'offset', 'total', 'success']);
    assert.deepEqual(c.body.channels, channels.slice(2, 7));
    assert.equal(c.body.total, channels.length);
    const paged = await readAllPages(emu, '/api/v1/channels.list', 'channels', 'admin');
    assert.deepEqual(paged, channels);
  });

  test('paging users.list with sort {"_id":1} yields every visible user once, in code-point order', async () => {
    const paged = await readAllPages(emu, '/api/v1/users.list', 'users', 'user', { sort: '{"_id":1}' });
    const expected = emu.expected('users', 'user', { sort: '{"_id":1}' });
    assert.deepEqual(paged, expected);
    assert.equal(new Set(paged.map((u) => u._id)).size, paged.length);
    for (let i = 1; i < paged.length; i++) assert.ok(compareCodePoints(paged[i - 1]!._id as string, paged[i]!._id as string) < 0);
    const desc = await call(emu, `/api/v1/users.list${qs({ count: 0, sort: '{"_id":-1}' })}`, 'user');
    assert.deepEqual(desc.body.users, expected.slice().reverse());
  });

  test('users.list default sort is {username:1}: users without username first, then by code point', async () => {
    const all = (await call(emu, `/api/v1/users.list${qs({ count: 0 })}`)).body.users as Json[];
    const explicit = (await call(emu, `/api/v1/users.list${qs({ count: 0, sort: '{"username":1}' })}`)).body.users as Json[];
    assert.deepEqual(all, explicit);
    const firstNamed = all.findIndex((u) => u.username !== undefined);
    assert.ok(firstNamed > 0, 'some users have no username');
    assert.ok(all.slice(firstNamed).every((u) => u.username !== undefined));
    for (let i = firstNamed + 1; i < all.length; i++) assert.ok(compareCodePoints(all[i - 1]!.username, all[i]!.username) <= 0);
    const byName = (await call(emu, `/api/v1/users.list${qs({ count: 0, sort: '{"name":1}' })}`)).body.users as Json[];
    assert.equal(byName.length, all.length);
    assert.ok(byName[0].name === undefined, 'missing names sort first');
  });

  test('compareCodePoints orders like UTF-8 bytes, not UTF-16 code units', () => {
    assert.ok('\uFF21' > '\u{1F600}', 'JS compares code units');
    assert.ok(compareCodePoints('\uFF21', '\u{1F600}') < 0, 'U+FF21 < U+1F600 by code point');
    assert.ok(compareCodePoints('Z', 'a') < 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.equal(compareCodePoints('é', 'é'), 0);
  });

  test('invalid sort answers 400 error-invalid-sort', async () => {
    for (const path of ['/api/v1/users.list', '/api/v1/channels.list', '/api/v1/teams.list']) {
      for (const sort of ['{name:1}', '{"name":2}', '[1]', '"x"', '{"name":"asc"}']) {
        const r = await call(emu, `${path}${qs({ sort })}`);
        assert.equal(r.status, 400, `${path} ${sort}`);
        assert.deepEqual(r.body, {
          success: false, error: `Invalid sort parameter provided: "${sort}" [error-invalid-sort]`, errorType: 'error-invalid-sort',
          details: { helperMethod: 'parseJsonQuery' },
        });
      }
    }
  });

  test('query validation per endpoint', async () => {
    const strict: Array<[string, Record<string, string>]> = [
      ['/api/v1/channels.list', { updatedSince: '2024-01-01T00:00:00.000Z' }],
      ['/api/v1/channels.list', { foo: 'bar' }],
      ['/api/v1/users.list', { updatedSince: '2024-01-01T00:00:00.000Z' }],
      ['/api/v1/users.list', { _id: 'x' }],
      ['/api/v1/subscriptions.get', { count: '50', offset: '0' }],
      ['/api/v1/subscriptions.get', { sort: '{"_id":1}' }],
      ['/api/v1/subscriptions.get', { query: '{}' }],
    ];
    for (const [path, params] of strict) {
      const r = await call(emu, `${path}${qs(params)}`);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(params)}`);
      assert.equal(r.text, JSON.stringify(INVALID_PARAMS));
    }
    // checked before authentication in the newest code
    const unauth = await call(emu, `/api/v1/users.list${qs({ foo: 1 })}`, null);
    assert.equal(unauth.status, 400);
    for (const path of ['/api/v1/teams.list', '/api/v1/rooms.get', '/api/v1/roles.list', '/api/v1/me']) {
      const r = await call(emu, `${path}${qs({ foo: 'bar', count: 5, fields: '{"x":1}' })}`);
      assert.equal(r.status, 200, path);
    }
    for (const path of ['/api/v1/channels.list', '/api/v1/users.list']) {
      const plain = await call(emu, path);
      const withIgnored = await call(emu, `${path}${qs({ query: '{"name":"x"}', fields: '{"name":1}' })}`);
      assert.equal(withIgnored.status, 200);
      assert.deepEqual(withIgnored.body, plain.body, 'query and fields are ignored');
    }
    assert.equal((await call(emu, `/api/v1/users.list${qs({ count: 'abc' })}`)).status, 400);
    assert.equal((await call(emu, `/api/v1/channels.list${qs({ offset: -1 })}`)).status, 400);
  });

  test('users.list email filter: admin only, exact and case-insensitive', async () => {
    const denied = await call(emu, `/api/v1/users.list${qs({ email: 'alice@example.com' })}`, 'user');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, { success: false, error: 'unauthorized' });
    const found = await call(emu, `/api/v1/users.list${qs({ email: 'ALICE@Example.com' })}`, 'admin');
    assert.equal(found.status, 200);
    assert.equal(found.body.total, 1);
    assert.equal(found.body.users[0].username, 'alice');
    const none = await call(emu, `/api/v1/users.list${qs({ email: 'alice@example' })}`, 'admin');
    assert.equal(none.body.total, 0);
    assert.equal((await call(emu, `/api/v1/users.list${qs({ email: '' })}`, 'admin')).status, 400);
  });

  test('users.list fields depend on the caller; no _updatedAt/createdAt; nameInsensitive always', async () => {
    const full = new Set(['_id', 'username', 'name', 'emails', 'roles', 'status', 'active', 'avatarETag', 'lastLogin', 'type', 'nameInsensitive']);
    const limited = new Set(['_id', 'username', 'name', 'status', 'active', 'avatarETag', 'type', 'nameInsensitive']);
    const admin = (await call(emu, `/api/v1/users.list${qs({ count: 0 })}`, 'admin')).body.users as Json[];
    for (const who of ['user', 'bot', 'app', 'guest'] as const) {
      const users = (await call(emu, `/api/v1/users.list${qs({ count: 0 })}`, who)).body.users as Json[];
      for (const u of users) {
        for (const k of Object.keys(u)) assert.ok(limited.has(k), `${who} sees ${k}`);
        assert.equal(typeof u.nameInsensitive, 'string');
      }
      assert.ok(users.every((u) => u.username !== undefined || u.name !== undefined), 'neither username nor name: never listed');
      assert.ok(users.length < admin.length);
    }
    for (const u of admin) for (const k of Object.keys(u)) assert.ok(full.has(k), `admin sees ${k}`);
    assert.ok(admin.some((u) => u.emails) && admin.some((u) => u.roles) && admin.some((u) => u.lastLogin));
    const anonymous = admin.filter((u) => u.username === undefined && u.name === undefined);
    assert.ok(anonymous.length > 0 && anonymous.every((u) => u.emails?.length > 0), 'admins see them only through an email');
    const noName = admin.find((u) => u.name === undefined && u.username !== undefined);
    assert.equal(noName?.nameInsensitive, '');
    assert.ok(admin.some((u) => u.active === false), 'deactivated users are listed');
    assert.ok(admin.some((u) => u.type === 'bot') && admin.some((u) => u.type === 'app'));
    assert.ok(admin.some((u) => u._id === 'rocket.cat'));
    assert.ok(admin.some((u) => /[^\x00-\x7f]/.test(u.name ?? '')), 'unicode names');
    const upper = admin.find((u) => u.name === 'ÉLODIE DUPONT' || u.name === 'ÅSA ÖBERG' || u.name === 'JOHN O’NEILL');
    if (upper) assert.equal(upper.nameInsensitive, upper.name.replace(/[A-Z]/g, (c: string) => c.toLowerCase()), '$toLower lowers ASCII only');
  });

  test('permissions: 403 on channels.list and users.list without view-c-room/view-joined-room/view-d-room', async () => {
    for (const path of ['/api/v1/channels.list', '/api/v1/users.list']) {
      const r = await call(emu, path, 'restricted');
      assert.equal(r.status, 403);
      assert.equal(r.text, JSON.stringify(PERMISSION));
    }
    for (const path of ['/api/v1/teams.list', '/api/v1/rooms.get', '/api/v1/roles.list', '/api/v1/subscriptions.get']) {
      assert.equal((await call(emu, path, 'restricted')).status, 200, path);
    }
  });

  test('channels.list: public rooms only, excluded fields, team channels only if subscribed, _id filter, default {name:1}', async () => {
    const ds = emu.dataset;
    for (const who of ['admin', 'user', 'bot', 'guest'] as const) {
      const channels = (await call(emu, `/api/v1/channels.list${qs({ count: 0 })}`, who)).body.channels as Json[];
      const subscribed = new Set(ds.subscriptionsOf(emu.identities[who].userId).map((s) => s.rid));
      for (const c of channels) {
        assert.equal(c.t, 'c');
        for (const k of ['joinCode', 'members', 'importIds', 'e2e']) assert.equal(c[k], undefined);
        if (c.teamId) assert.ok(subscribed.has(c._id), `${who} sees unsubscribed team channel`);
      }
      for (let i = 1; i < channels.length; i++) assert.ok(compareCodePoints(channels[i - 1].name, channels[i].name) <= 0);
      if (who === 'guest') assert.ok(channels.every((c) => subscribed.has(c._id)), 'view-joined-room only: joined channels');
    }
    const adminSubs = new Set(ds.subscriptionsOf(emu.identities.admin.userId).map((s) => s.rid));
    assert.ok(ds.rooms.some((r) => r.t === 'c' && r.teamId && !adminSubs.has(r._id as string)), 'dataset has a team channel the admin does not see');
    assert.ok(ds.rooms.some((r) => r.t === 'c' && !r.teamId && !adminSubs.has(r._id as string)), 'admin is not in every channel');
    const adminChannels = (await call(emu, `/api/v1/channels.list${qs({ count: 0 })}`)).body.channels as Json[];
    assert.ok(adminChannels.some((c) => !adminSubs.has(c._id)), 'non-team public channels are visible without subscription');
    const withJoinCode = ds.rooms.find((r) => r.t === 'c' && r.joinCode !== undefined && !r.teamId);
    if (withJoinCode) {
      const one = await call(emu, `/api/v1/channels.list${qs({ _id: withJoinCode._id as string })}`);
      assert.equal(one.body.total, 1);
      assert.equal(one.body.channels[0].joinCode, undefined);
      assert.equal(one.body.channels[0].joinCodeRequired, true);
    }
    const general = await call(emu, `/api/v1/channels.list${qs({ _id: 'GENERAL' })}`);
    assert.equal(general.body.channels[0].name, 'general');
  });

  test('teams.list: only the caller\'s teams, with rooms and numberOfUsers; empty for a caller in no team', async () => {
    const ds = emu.dataset;
    const admin = (await call(emu, `/api/v1/teams.list${qs({ count: 0 })}`)).body;
    assert.ok(admin.total > 0 && admin.total < ds.teams.length, 'admin is in most but not all teams');
    for (const t of admin.teams) {
      assert.match(t._id, /^[0-9a-f]{24}$/);
      assert.ok(t.type === 0 || t.type === 1);
      assert.equal(typeof t.rooms, 'number');
      assert.equal(typeof t.numberOfUsers, 'number');
      assert.deepEqual(Object.keys(t.createdBy), ['_id', 'username']);
      assert.ok(ds.rooms.some((r) => r._id === t.roomId && r.teamMain === true));
    }
    const guest = await call(emu, '/api/v1/teams.list', 'guest');
    assert.deepEqual(guest.body, { teams: [], total: 0, count: 0, offset: 0, success: true });
    const sorted = (await call(emu, `/api/v1/teams.list${qs({ count: 0, sort: '{"_id":1}' })}`)).body.teams as Json[];
    assert.deepEqual(sorted.map((t) => t._id), admin.teams.map((t: Json) => t._id).sort());
  });

  test('roles.list: every role, default ids equal names, custom roles random ids, never _updatedAt', async () => {
    const r = await call(emu, `/api/v1/roles.list${qs({ count: 1 })}`, 'guest');
    assert.deepEqual(Object.keys(r.body), ['roles', 'success']);
    const roles = r.body.roles as Json[];
    for (const name of ['admin', 'moderator', 'leader', 'owner', 'user', 'bot', 'app', 'guest', 'anonymous', 'livechat-agent', 'livechat-manager']) {
      const role = roles.find((x) => x._id === name);
      assert.ok(role, name);
      assert.equal(role.name, name);
    }
    const custom = roles.filter((x) => x.protected === false);
    assert.ok(custom.length >= 3);
    for (const c of custom) assert.match(c._id, /^[23456789A-HJ-NP-Za-km-z]{17}$/);
    assert.ok(roles.every((x) => !('_updatedAt' in x)));
  });

  test('rooms.get: caller\'s rooms of every type, awkward shapes, not paginated', async () => {
    const r = await call(emu, `/api/v1/rooms.get${qs({ count: 1, offset: 5 })}`);
    assert.deepEqual(Object.keys(r.body), ['update', 'remove', 'success']);
    assert.deepEqual(r.body.remove, []);
    const rooms = r.body.update as Json[];
    const subscribed = new Set(emu.dataset.subscriptionsOf(emu.identities.admin.userId).map((s) => s.rid));
    assert.equal(rooms.length, subscribed.size);
    assert.ok(rooms.every((x) => subscribed.has(x._id)));
    assert.deepEqual(new Set(rooms.map((x) => x.t)), new Set(['c', 'p', 'd', 'l']));
    const dms = rooms.filter((x) => x.t === 'd');
    assert.ok(dms.every((d) => d.name === undefined && d.u === undefined && Array.isArray(d.uids)));
    const pair = dms.find((d) => d.uids.length === 2);
    assert.equal(pair._id, pair.uids.slice().sort().join(''), 'DM id = the two user ids concatenated');
    assert.ok(rooms.some((x) => x._id === 'GENERAL'));
    assert.ok(rooms.some((x) => /^[0-9a-f]{24}$/.test(x._id)) && rooms.some((x) => /^[23456789A-HJ-NP-Za-km-z]{17}$/.test(x._id)));
    assert.ok(rooms.some((x) => x.prid), 'discussions');
    assert.ok(rooms.some((x) => x.teamMain === true));
    assert.ok(rooms.some((x) => x.lastMessage && typeof x.lastMessage === 'object'));
    assert.ok(rooms.every((x) => x.teamDefault === undefined && x.favorite === undefined && x.joinCode === undefined), 'roomFields projection');
    for (const x of rooms) assert.match(x._updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const everywhere = emu.dataset.rooms;
    assert.ok(everywhere.some((x) => Array.isArray(x.sysMes)) && everywhere.some((x) => x.sysMes === true));
    assert.ok(everywhere.some((x) => x.announcementDetails === null));
    const user = await call(emu, '/api/v1/rooms.get', 'user');
    assert.ok(user.body.update.length < rooms.length);
  });

  test('subscriptions.get: caller\'s own, fname null on some, DMs named after the other user', async () => {
    const r = await call(emu, '/api/v1/subscriptions.get', 'user');
    assert.deepEqual(Object.keys(r.body), ['update', 'remove', 'success']);
    const subs = r.body.update as Json[];
    assert.ok(subs.length > 0);
    assert.ok(subs.every((s) => s.u._id === emu.identities.user.userId));
    assert.ok(subs.some((s) => s.fname === null));
    const dm = subs.find((s) => s.t === 'd' && !s.name.includes(','));
    assert.notEqual(dm.name, 'alice');
    assert.ok(subs.every((s) => s.teamId === undefined && s.customFields === undefined), 'subscriptionFields projection');
  });

  test('updatedSince: strict >, invalid values, remove lists', async () => {
    const rooms = emu.expected('rooms', 'admin');
    const target = rooms[Math.floor(rooms.length / 2)]!;
    const at = target._updatedAt as string;
    const exact = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: at })}`);
    assert.ok(!exact.body.update.some((x: Json) => x._id === target._id), 'equal _updatedAt is excluded');
    assert.ok(exact.body.update.every((x: Json) => x._updatedAt > at));
    const before1 = new Date(Date.parse(at) - 1).toISOString();
    const earlier = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: before1 })}`);
    assert.ok(earlier.body.update.some((x: Json) => x._id === target._id));
    const bad = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: 'not-a-date' })}`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      success: false, error: 'The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]',
      errorType: 'error-updatedSince-param-invalid',
    });
    const badSub = await call(emu, `/api/v1/subscriptions.get${qs({ updatedSince: 'yesterday-ish' })}`);
    assert.equal(badSub.status, 400);
    assert.deepEqual(badSub.body, {
      success: false, error: 'The "lastUpdate" query parameter must be a valid date. [error-roomId-param-invalid]',
      errorType: 'error-roomId-param-invalid',
    });
    // rooms.get remove is workspace-wide: every caller gets the whole trash
    const since = '2000-01-01T00:00:00.000Z';
    const trash = emu.dataset.roomTrash.map((t) => ({ _id: t._id, _deletedAt: t._deletedAt }));
    for (const who of ['admin', 'guest'] as const) {
      const r = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: since })}`, who);
      assert.deepEqual(r.body.remove, trash);
    }
    // subscriptions.get remove is the caller's own
    const mine = await call(emu, `/api/v1/subscriptions.get${qs({ updatedSince: since })}`, 'user');
    const own = emu.dataset.subscriptionTrash.filter((t) => t.uid === emu.identities.user.userId);
    assert.deepEqual(mine.body.remove, own.map((t) => ({ _id: t._id, _deletedAt: t._deletedAt })));
    assert.ok(emu.dataset.subscriptionTrash.length > own.length);
    for (const x of mine.body.remove) assert.deepEqual(Object.keys(x), ['_id', '_deletedAt']);
    // unparseable only: any Date.parse-able string is accepted
    assert.equal((await call(emu, `/api/v1/rooms.get${qs({ updatedSince: '2024-07-15' })}`)).status, 200);
  });

  test('expected() matches what a full read returns for every stream and identity', async () => {
    // messages is a per-room read: test/emulator-messages.test.ts compares it room by room.
    const paths: Record<Exclude<StreamName, 'messages'>, [string, string, boolean]> = {
      teams: ['/api/v1/teams.list', 'teams', true], rooms: ['/api/v1/rooms.get', 'update', false],
      channels: ['/api/v1/channels.list', 'channels', true], roles: ['/api/v1/roles.list', 'roles', false],
      subscriptions: ['/api/v1/subscriptions.get', 'update', false], users: ['/api/v1/users.list', 'users', true],
    };
    for (const who of ['admin', 'user', 'bot', 'guest'] as const) {
      for (const [stream, [path, key, paged]] of Object.entries(paths) as Array<[Exclude<StreamName, 'messages'>, [string, string, boolean]]>) {
        const got = paged ? await readAllPages(emu, path, key, who) : (await call(emu, path, who)).body[key];
        assert.deepEqual(got, emu.expected(stream, who), `${stream} as ${who}`);
      }
    }
    const viaHttp = await call(emu, `/_emulator/expected${qs({ stream: 'users', identity: 'user' })}`, null);
    assert.deepEqual(viaHttp.body.records, emu.expected('users', 'user'));
    assert.throws(() => emu.expected('users', 'restricted'), /403/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rate limiter', () => {
  test('10 calls per window per route; headers on every limited response; exact 429; bypass callers get no headers', async () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 0, 0);
    let now = start;
    await withEmulator({ rateLimit: { calls: 10, windowMs: 3000 }, now: () => now }, async (emu) => {
      for (let i = 1; i <= 10; i++) {
        const r = await call(emu, '/api/v1/users.list', 'user');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), '10');
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(10 - i));
        assert.equal(r.headers.get('x-ratelimit-reset'), String(start + 3000), 'fixed window: the reset does not move');
        now += 100;
      }
      const limited = await call(emu, '/api/v1/users.list', 'user');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(limited.headers.get('x-ratelimit-limit'), '10');
      const reset = Number(limited.headers.get('x-ratelimit-reset'));
      assert.ok(reset > 1e12, 'epoch milliseconds');
      assert.equal(reset, now + 2000);
      assert.equal(limited.headers.get('retry-after'), null);
      assert.equal(limited.text, JSON.stringify({
        success: false,
        error: 'Error, too many requests. Please slow down. You must wait 2 seconds before trying this endpoint again. [error-too-many-requests]',
      }));
      // per route: another route has its own budget; per IP: another non-bypass caller shares users.list's
      assert.equal((await call(emu, '/api/v1/channels.list', 'user')).status, 200);
      assert.equal((await call(emu, '/api/v1/users.list', 'guest')).status, 429);
      // bypass callers: never limited, no headers
      for (const who of ['admin', 'bot', 'app'] as const) {
        for (let i = 0; i < 12; i++) {
          const r = await call(emu, '/api/v1/users.list', who);
          assert.equal(r.status, 200);
          assert.equal(r.headers.get('x-ratelimit-limit'), null);
        }
      }
      // /api/info is never limited
      for (let i = 0; i < 15; i++) {
        const r = await call(emu, '/api/info', 'user');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), null);
      }
      // errors after the limiter carry the headers too
      const badSort = await call(emu, `/api/v1/channels.list${qs({ sort: '{x}' })}`, 'user');
      assert.equal(badSort.status, 400);
      assert.equal(badSort.headers.get('x-ratelimit-remaining'), '8');
      // fixed window: once it has passed (strictly), everyone starts again
      now = start + 3000;
      assert.equal((await call(emu, '/api/v1/users.list', 'user')).status, 429, 'exactly at the boundary: still the old window');
      now += 1;
      const fresh = await call(emu, '/api/v1/users.list', 'user');
      assert.equal(fresh.status, 200);
      assert.equal(fresh.headers.get('x-ratelimit-remaining'), '9');
      assert.equal(fresh.headers.get('x-ratelimit-reset'), String(now + 3000));
      const s = emu.stats();
      assert.equal(s.rateLimited, 3);
      assert.equal(emu.requests.filter((r) => r.status === 429).length, 3);
    });
  });

  test('the 429 message rounds the wait up to whole seconds; the limiter can be disabled and reconfigured', async () => {
    let now = 1_000_000;
    const rl = new RateLimiter({ calls: 1, windowMs: 60_000 }, () => now);
    assert.equal(rl.hit('/api/v1/x', 'GET', 'ip', 'u').allowed, true);
    now += 17_500;
    const d = rl.hit('/api/v1/x', 'GET', 'ip', 'u');
    assert.equal(d.allowed, false);
    assert.equal(d.waitSeconds, 43);
    assert.equal(d.headers['X-RateLimit-Reset'], String(now + 42_500));
    assert.equal(rl.hit('/api/v1/x', 'GET', 'other-ip', 'u').allowed, true, 'keyed by IP');

    await withEmulator({}, async (emu) => {
      for (let i = 0; i < 12; i++) {
        const r = await call(emu, '/api/v1/me', 'user');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), null);
      }
      emu.setRateLimit({ calls: 2, windowMs: 60_000 });
      assert.equal((await call(emu, '/api/v1/me', 'user')).headers.get('x-ratelimit-remaining'), '1');
      assert.equal((await call(emu, '/api/v1/me', 'user')).status, 200);
      assert.equal((await call(emu, '/api/v1/me', 'user')).status, 429);
      await fetch(`${emu.url}/_emulator/rate-limit`, { method: 'POST', body: JSON.stringify({ reset: true }) });
      assert.equal((await call(emu, '/api/v1/me', 'user')).status, 200);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('mutations', () => {
  test('rooms: updates, inserts and deletions show up in an incremental rooms.get; stamps strictly increase', async () => {
    await withEmulator({}, async (emu) => {
      const first = await call(emu, '/api/v1/rooms.get');
      const bookmark = MAX_TS(first.body.update);
      const res = emu.mutate({ updateRooms: 3, insertRooms: 2, deleteRooms: 1 });
      assert.equal(res.rooms.updated.length, 3);
      assert.equal(res.rooms.inserted.length, 2);
      assert.equal(res.rooms.deleted.length, 1);
      const inc = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: bookmark })}`);
      assert.deepEqual(new Set(inc.body.update.map((r: Json) => r._id)), new Set([...res.rooms.updated, ...res.rooms.inserted]));
      assert.deepEqual(inc.body.remove.map((r: Json) => r._id), res.rooms.deleted);
      const stamps = inc.body.update.map((r: Json) => r._updatedAt as string).sort();
      assert.equal(new Set(stamps).size, stamps.length, 'distinct stamps');
      assert.ok(stamps[0] > bookmark);
      assert.ok(inc.body.remove[0]._deletedAt > bookmark);
      // the deleted room's subscriptions went to the trash too
      const subs = await call(emu, `/api/v1/subscriptions.get${qs({ updatedSince: bookmark })}`);
      assert.ok(subs.body.remove.length >= 1);
      assert.ok(subs.body.update.some((s: Json) => res.subscriptions.inserted.includes(s._id)));
      // nothing changed since the new bookmark
      const again = await call(emu, `/api/v1/rooms.get${qs({ updatedSince: MAX_TS(inc.body.update) > inc.body.remove[0]._deletedAt ? MAX_TS(inc.body.update) : inc.body.remove[0]._deletedAt })}`);
      assert.deepEqual(again.body, { update: [], remove: [], success: true });
    });
  });

  test('subscriptions: update, join and leave; HTTP control route; stats', async () => {
    let now = Date.UTC(2020, 0, 1); // a clock behind the data: stamps still move forward
    await withEmulator({ now: () => now }, async (emu) => {
      const before = emu.expected('subscriptions', 'user');
      const bookmark = MAX_TS(before);
      const r = await fetch(`${emu.url}/_emulator/mutate`, {
        method: 'POST', body: JSON.stringify({ identity: 'user', updateSubscriptions: 2, deleteSubscriptions: 1, insertSubscriptions: 1 }),
      });
      const res = await r.json() as Json;
      assert.equal(res.subscriptions.updated.length, 2);
      assert.equal(res.subscriptions.deleted.length, 1);
      assert.equal(res.subscriptions.inserted.length, 1);
      const inc = await call(emu, `/api/v1/subscriptions.get${qs({ updatedSince: bookmark })}`, 'user');
      assert.deepEqual(new Set(inc.body.update.map((s: Json) => s._id)), new Set([...res.subscriptions.updated, ...res.subscriptions.inserted]));
      assert.deepEqual(inc.body.remove.map((s: Json) => s._id), res.subscriptions.deleted);
      const other = await call(emu, `/api/v1/subscriptions.get${qs({ updatedSince: bookmark })}`, 'admin');
      assert.deepEqual(other.body.remove, [], 'another caller does not see the removal');
      for (const s of inc.body.update) assert.ok(s._updatedAt > bookmark);
      now += 1;
      const stats = await (await fetch(`${emu.url}/_emulator/stats`)).json() as Json;
      assert.equal(stats.dataVersion, 1);
    });
  });

  test('users inserted and deleted between pages of users.list (onRequest hook)', async () => {
    await withEmulator({}, async (emu) => {
      const total0 = emu.expected('users', 'admin').length;
      let fired = 0;
      emu.onRequest('users.list', 2, (info, e) => {
        fired++;
        assert.equal(info.n, 2);
        e.mutate({ insertUsers: 5, deleteUsers: 2 });
      });
      const p1 = await call(emu, `/api/v1/users.list${qs({ count: 100, sort: '{"_id":1}' })}`);
      const p2 = await call(emu, `/api/v1/users.list${qs({ count: 100, offset: 100, sort: '{"_id":1}' })}`);
      assert.equal(fired, 1);
      assert.equal(p1.body.total, total0);
      assert.equal(p2.body.total, total0 + 3);
      const all = emu.expected('users', 'admin', { sort: '{"_id":1}' });
      assert.equal(all.length, total0 + 3);
      assert.equal(new Set(all.map((u) => u._id)).size, all.length);
      const p3 = await call(emu, `/api/v1/users.list${qs({ count: 100, offset: 100, sort: '{"_id":1}' })}`);
      assert.deepEqual(p3.body.users, all.slice(100, 200));
      const every: number[] = [];
      const off = emu.onRequest('*', 'every', (info) => { every.push(info.n); });
      await call(emu, '/api/v1/roles.list');
      await call(emu, '/api/info', null);
      off();
      await call(emu, '/api/v1/roles.list');
      assert.deepEqual(every, [1, 2]);
    });
  });

  test('teams and roles change too', async () => {
    await withEmulator({}, async (emu) => {
      const teams0 = emu.expected('teams', 'admin').length;
      const roles0 = emu.expected('roles').length;
      const res = emu.mutate({ insertTeams: 1, insertRoles: 2, deleteRoles: 1 });
      assert.equal(emu.expected('teams', 'admin').length, teams0 + 1);
      assert.equal(emu.expected('roles').length, roles0 + 1);
      assert.ok(emu.expected('rooms', 'admin').some((r) => r._id === res.rooms.inserted[0] && r.teamMain));
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('faults', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ rateLimit: false, faultSeed: 7 });
  });
  after(async () => {
    await emu.close();
  });

  const once = (rule: Json) => emu.setFaults([{ route: 'users.list', nth: 1, ...rule }]);

  test('status faults: JSON or HTML bodies, optional Retry-After', async () => {
    once({ kind: 'status', status: 500 });
    let r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { success: false, error: 'Internal server error' });
    once({ kind: 'status', status: 502, body: 'html' });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 502);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.match(r.text, /502 Bad Gateway/);
    once({ kind: 'status', status: 503, retryAfter: 2 });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.deepEqual(r.body, { success: false, error: 'Service Unavailable' });
    for (const status of [504, 408]) {
      once({ kind: 'status', status });
      assert.equal((await call(emu, '/api/v1/users.list')).status, status);
    }
    assert.equal((await call(emu, '/api/v1/users.list')).status, 200, 'nth:1 fires once');
  });

  test('429 variants: X-RateLimit headers, Retry-After (seconds / HTTP-date), body only', async () => {
    once({ kind: '429', waitMs: 2500 });
    const t0 = Date.now();
    let r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(r.headers.get('x-ratelimit-reset')) >= t0 + 2500);
    assert.match(r.body.error, /You must wait 3 seconds/);
    once({ kind: '429-retry-after', retryAfter: 4 });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '4');
    assert.equal(r.headers.get('x-ratelimit-reset'), null);
    once({ kind: '429-retry-after', retryAfter: 'http-date', retryAfterSeconds: 3 });
    r = await call(emu, '/api/v1/users.list');
    const date = Date.parse(r.headers.get('retry-after') ?? '');
    assert.ok(date > Date.now() + 1000 && date <= Date.now() + 5000, r.headers.get('retry-after') ?? '');
    once({ kind: '429-body-only', waitMs: 5000 });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal(r.headers.get('x-ratelimit-reset'), null);
    assert.match(r.body.error, /You must wait 5 seconds before trying this endpoint again/);
  });

  test('connection faults: reset before the response, reset mid-body, truncated body', async () => {
    once({ kind: 'reset-before' });
    await assert.rejects(fetch(`${emu.url}/api/v1/users.list`, { headers: authHeaders(emu, 'admin') }));
    once({ kind: 'reset-mid-body' });
    let res = await fetch(`${emu.url}/api/v1/users.list`, { headers: authHeaders(emu, 'admin') });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    once({ kind: 'truncated' });
    res = await fetch(`${emu.url}/api/v1/users.list`, { headers: authHeaders(emu, 'admin') });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal((await call(emu, '/api/v1/users.list')).status, 200, 'the server is fine afterwards');
  });

  test('body faults: invalid JSON, HTML login page, missing records key, success:false with 200', async () => {
    once({ kind: 'invalid-json' });
    let r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 200);
    assert.equal(r.body, undefined);
    assert.throws(() => JSON.parse(r.text));
    once({ kind: 'html-200' });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.match(r.text, /<form/);
    once({ kind: 'missing-key' });
    r = await call(emu, '/api/v1/users.list');
    assert.deepEqual(r.body, { success: true });
    once({ kind: 'success-false-200' });
    r = await call(emu, '/api/v1/users.list');
    assert.equal(r.status, 200);
    assert.equal(r.body.success, false);
  });

  test('auth faults, slow, stall, latency', async () => {
    emu.setFaults([{ route: 'users.list', kind: '401', after: 2 }]);
    assert.equal((await call(emu, '/api/v1/users.list')).status, 200);
    assert.equal((await call(emu, '/api/v1/users.list')).status, 200);
    const revoked = await call(emu, '/api/v1/users.list');
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.body, UNAUTHORIZED);
    assert.equal((await call(emu, '/api/v1/users.list')).status, 401);
    once({ kind: '403' });
    assert.deepEqual((await call(emu, '/api/v1/users.list')).body, PERMISSION);

    once({ kind: 'slow', delayMs: 150 });
    let t = performance.now();
    const slow = await call(emu, '/api/v1/users.list');
    assert.equal(slow.status, 200);
    assert.ok(performance.now() - t >= 140);

    once({ kind: 'stall' });
    await assert.rejects(fetch(`${emu.url}/api/v1/users.list`, { headers: authHeaders(emu, 'admin'), signal: AbortSignal.timeout(200) }), /TimeoutError|aborted/i);

    emu.clearFaults();
    emu.setLatency(120);
    t = performance.now();
    assert.equal((await call(emu, '/api/v1/roles.list')).status, 200);
    assert.ok(performance.now() - t >= 110);
    emu.setLatency(0);
    const r = await fetch(`${emu.url}/_emulator/latency`, { method: 'POST', body: '{"ms":0}' });
    assert.equal(((await r.json()) as Json).latencyMs, 0);
  });

  test('selection: nth list, every, times, identity, route *, seeded probability; stats count firings', async () => {
    emu.setFaults([{ route: 'roles.list', kind: 'status', status: 503, nth: [2, 4] }]);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(emu, '/api/v1/roles.list')).status);
    assert.deepEqual(statuses, [200, 503, 200, 503, 200]);

    emu.setFaults([{ route: '/api/v1/roles.list', kind: 'status', status: 500, every: 2, times: 2 }]);
    statuses.length = 0;
    for (let i = 0; i < 7; i++) statuses.push((await call(emu, '/api/v1/roles.list')).status);
    assert.deepEqual(statuses, [200, 500, 200, 500, 200, 200, 200]);

    emu.setFaults([{ route: '*', kind: '403', identity: 'user' }]);
    assert.equal((await call(emu, '/api/v1/roles.list', 'user')).status, 403);
    assert.equal((await call(emu, '/api/v1/roles.list', 'bot')).status, 200);

    const pattern = async () => {
      emu.setFaults([{ route: 'roles.list', kind: 'status', status: 502, probability: 0.3 }]);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await call(emu, '/api/v1/roles.list')).status);
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    assert.deepEqual(a, b, 'same seed, same pattern');
    const fired = a.filter((s) => s === 502).length;
    assert.ok(fired > 0 && fired < 30, String(fired));

    const res = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify([{ route: 'info', kind: 'html-200', nth: 1 }]) });
    assert.equal(res.status, 200);
    assert.match((await call(emu, '/api/info', null)).text, /<html/);
    const stats = emu.stats();
    assert.ok(stats.faultsFired > 10);
    assert.ok((stats.faultsByKind['html-200'] ?? 0) >= 1);
    assert.ok(emu.requests.some((r) => r.fault === 'html-200'));
    const bad = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify([{ route: 'x', kind: 'nope' }]) });
    assert.equal(bad.status, 400);
    emu.clearFaults();
  });
});

// ---------------------------------------------------------------------------------------------

describe('data', () => {
  test('determinism: same seed, same data and tokens; another seed, other data', async () => {
    const a = await startEmulator({ seed: 1234, rateLimit: false });
    const b = await startEmulator({ seed: 1234, rateLimit: false });
    const c = await startEmulator({ seed: 99, rateLimit: false });
    try {
      assert.deepEqual(a.identities, b.identities);
      for (const stream of ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'] as const) {
        for (const who of ['admin', 'user'] as const) assert.deepEqual(a.expected(stream, who), b.expected(stream, who), stream);
      }
      assert.deepEqual(a.mutate({ insertUsers: 3, updateRooms: 2 }).users.inserted, b.mutate({ insertUsers: 3, updateRooms: 2 }).users.inserted);
      assert.notDeepEqual(a.expected('users', 'admin').map((u) => u._id), c.expected('users', 'admin').map((u) => u._id));
      assert.notEqual(a.identities.admin.token, c.identities.admin.token);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  test('sizes are honoured; large responses are streamed as valid JSON', async () => {
    await withEmulator({ data: { users: 6000, channels: 12, teams: 2, privateGroups: 3, directMessages: 8, discussions: 2 } }, async (emu) => {
      const r = await call(emu, `/api/v1/users.list${qs({ count: 0 })}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.count, r.body.total);
      assert.ok(r.body.total > 5800 && r.body.total <= 6000);
      assert.equal(r.headers.get('content-length'), null, 'chunked');
      assert.equal(emu.dataset.teams.length, 2);
      assert.equal(emu.dataset.rooms.filter((x) => x.t === 'c' && !x.teamMain && !x.prid).length, 12);
    });
  });

  test('control routes: stats, identities, requests log, revoke/restore', async () => {
    await withEmulator({}, async (emu) => {
      await call(emu, '/api/v1/me', 'bot');
      const ids = (await call(emu, '/_emulator/identities', null)).body.identities;
      assert.equal(ids.admin.token, emu.identities.admin.token);
      const log = (await call(emu, '/_emulator/requests', null)).body.requests as Json[];
      assert.equal(log.length, 1);
      assert.equal(log[0].identity, 'bot');
      assert.equal(log[0].status, 200);
      assert.equal(log[0].path, '/api/v1/me');
      const stats = (await call(emu, '/_emulator/stats', null)).body;
      assert.equal(stats.byRoute['/api/v1/me'].requests, 1);
      assert.equal(emu.requests.length, 1, 'control routes are not logged');
      await fetch(`${emu.url}/_emulator/revoke`, { method: 'POST', body: '{"identity":"bot"}' });
      assert.equal((await call(emu, '/api/v1/me', 'bot')).status, 401);
      await fetch(`${emu.url}/_emulator/restore`, { method: 'POST', body: '{"identity":"bot"}' });
      assert.equal((await call(emu, '/api/v1/me', 'bot')).status, 200);
      const usage = (await call(emu, '/_emulator/expected', null)).body;
      assert.ok(usage.streams.includes('users'));
      const since = (await call(emu, `/_emulator/expected${qs({ stream: 'rooms', identity: 'user', updatedSince: '2000-01-01T00:00:00Z' })}`, null)).body;
      assert.ok(Array.isArray(since.remove) && since.remove.length > 0);
      const everything = (await call(emu, `/_emulator/expected${qs({ stream: 'all', identity: 'restricted' })}`, null)).body;
      assert.deepEqual(everything.roles.records, emu.expected('roles', 'restricted'));
      assert.equal(everything.users.status, 403);
      assert.equal((await call(emu, '/_emulator/nope', null)).status, 404);
    });
  });

  test('CLI prints {url, identities}, writes a tap config, stops on SIGTERM', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const cli = join(here, '..', 'emulator', 'cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));
    const cfg = join(dir, 'config.json');
    const child = spawn(process.execPath, [cli, '--users', '300', '--seed', '5', '--write-config', cfg, '--identity', 'user', '--rate-limit-calls', '3', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (c: string) => {
          buf += c;
          const nl = buf.indexOf('\n');
          if (nl >= 0) resolve(buf.slice(0, nl));
        });
        child.on('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
      });
      const info = JSON.parse(line) as Json;
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const config = JSON.parse(readFileSync(cfg, 'utf8')) as Json;
      assert.deepEqual(config, { endpoint: info.url, user_id: info.identities.user.userId, token: info.identities.user.token });
      const me = await fetch(`${info.url}/api/v1/me`, { headers: { 'X-User-Id': config.user_id, 'X-Auth-Token': config.token } });
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('x-ratelimit-limit'), '3');
      await me.text();
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

/**
 * Where the emulator must be as unkind as a real server: typed query coercion
 * (docs/rocketchat-api-notes.md#pagination, #error-bodies), the order of validation and
 * permission checks (#authentication-and-permissions), the fields and shapes real data has
 * (#list-endpoints), awkward text, and a rate-limiting proxy in front of the server
 * (#rate-limiting). Real HTTP over loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, IDENTITY_NAMES, type Emulator, type IdentityName } from '../emulator/index.js';
import { Dataset } from '../emulator/data/dataset.js';
import { LINE_SEPARATOR, NASTY_NAMES } from '../emulator/data/nasty-text.js';
import { UNKNOWN_SHAPES } from '../emulator/data/nasty.js';
import { generateUser } from '../emulator/data/users.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply { status: number; headers: Headers; text: string; body: Json }

async function call(emu: Emulator, path: string, who: IdentityName | null = 'admin'): Promise<Reply> {
  const headers: Record<string, string> = who ? { 'X-User-Id': emu.identities[who].userId, 'X-Auth-Token': emu.identities[who].token } : {};
  const res = await fetch(emu.url + path, { headers });
  const text = await res.text();
  let body: Json;
  try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: res.status, headers: res.headers, text, body };
}

const invalid = (error: string): string => JSON.stringify({ success: false, errorType: 'error-invalid-params', error });

describe('typed query validation as the server\'s ajv does it', () => {
  let emu: Emulator;
  before(async () => { emu = await startEmulator({ rateLimit: false }); });
  after(() => emu.close());

  test('channels.list: an empty count or offset is 400 "must be number", before authentication', async () => {
    for (const q of ['count=', 'offset=', 'count=10&offset=', 'count=1&count=2']) {
      for (const who of ['admin', 'user', null] as const) {
        const r = await call(emu, `/api/v1/channels.list?${q}`, who);
        assert.equal(r.status, 400, `${q} as ${who}`);
        assert.equal(r.text, invalid('must be number'), `${q} as ${who}`);
      }
    }
    const sorts = await call(emu, '/api/v1/channels.list?sort=%7B%7D&sort=%7B%7D');
    assert.equal(sorts.text, invalid('must be string'), 'a repeated string parameter is an array');
    const spaced = await call(emu, '/api/v1/channels.list?count=%20');
    assert.equal(spaced.status, 200, 'a blank count coerces to 0, which means everything');
    assert.equal(spaced.body.count, spaced.body.total);
  });

  test('users.list: count and offset are nullable, so an empty one is absent (the default page), not an error', async () => {
    const empty = await call(emu, '/api/v1/users.list?count=&offset=');
    assert.equal(empty.status, 200, empty.text);
    assert.equal(empty.body.count, 50, 'the default count, not everything');
    assert.equal(empty.body.offset, 0);
    assert.ok(empty.body.total > 50);
    const plain = await call(emu, '/api/v1/users.list');
    assert.deepEqual(empty.body, plain.body);
    assert.equal((await call(emu, '/api/v1/users.list?count=0')).body.count, plain.body.total, 'count=0 is still everything');
    assert.equal((await call(emu, '/api/v1/users.list?count=1&count=2')).text, invalid('must be number'));
    const teams = await call(emu, '/api/v1/teams.list?count=');
    assert.equal(teams.body.count, teams.body.total, 'teams.list has no schema: an empty count is parseInt(0), everything');
  });

  test('an empty email is 400 for every caller: validation (minLength 1) runs before the handler\'s 403', async () => {
    for (const who of ['admin', 'user', 'bot', null] as const) {
      const r = await call(emu, '/api/v1/users.list?email=', who);
      assert.equal(r.status, 400, String(who));
      assert.equal(r.text, invalid('must NOT have fewer than 1 characters'));
    }
    const denied = await call(emu, '/api/v1/users.list?email=alice%40example.com', 'user');
    assert.equal(denied.status, 403);
    assert.equal(denied.text, JSON.stringify({ success: false, error: 'unauthorized' }));
  });
});

describe('data a real workspace has', () => {
  let emu: Emulator;
  before(async () => { emu = await startEmulator({ rateLimit: false }); });
  after(() => emu.close());

  async function subscriptionsOfAll(): Promise<Json[]> {
    const out: Json[] = [];
    for (const who of IDENTITY_NAMES) out.push(...(await call(emu, '/api/v1/subscriptions.get', who)).body.update);
    return out;
  }

  test('roles: a legacy role without description, protected and mandatory2fa, and one without a name', async () => {
    const roles = (await call(emu, '/api/v1/roles.list', 'user')).body.roles as Json[];
    const legacy = roles.find((r) => r._id === 'Reviewer');
    assert.deepEqual(legacy, { _id: 'Reviewer', name: 'Reviewer', scope: 'Users' });
    const nameless = roles.filter((r) => !('name' in r));
    assert.equal(nameless.length, 1);
    assert.ok(!('protected' in nameless[0]) && nameless[0].scope === 'Subscriptions');
    assert.ok(roles.filter((r) => r.protected === true).length >= 11, 'the default roles are still there');
  });

  test('subscriptions: blocked, blocker, code and department in every JSON shape; the admin blocks the user', async () => {
    const subs = await subscriptionsOfAll();
    for (const field of ['blocked', 'blocker', 'code', 'department']) {
      const shapes = new Set(subs.filter((s) => field in s).map((s) => JSON.stringify(s[field])));
      for (const shape of UNKNOWN_SHAPES) assert.ok(shapes.has(JSON.stringify(shape)), `${field} = ${JSON.stringify(shape)}`);
    }
    const pair = [emu.identities.admin.userId, emu.identities.user.userId].sort().join('');
    const adminSide = subs.find((s) => s.rid === pair && s.u._id === emu.identities.admin.userId);
    const userSide = subs.find((s) => s.rid === pair && s.u._id === emu.identities.user.userId);
    assert.equal(adminSide.blocker, true);
    assert.equal(userSide.blocked, true);
    assert.ok(subs.some((s) => s.t === 'l' && typeof s.department === 'string' && /^[0-9A-Za-z]{17}$/.test(s.department)));
  });

  test('subscriptions: *PrefOrigin is subscription beside an own preference, else sometimes user', async () => {
    const subs = await subscriptionsOfAll();
    const pairs = [['desktopNotifications', 'desktopPrefOrigin'], ['mobilePushNotifications', 'mobilePrefOrigin'], ['emailNotifications', 'emailPrefOrigin']];
    for (const [pref, origin] of pairs as Array<[string, string]>) {
      assert.ok(subs.some((s) => s[origin] === 'subscription') && subs.some((s) => s[origin] === 'user'), origin);
      for (const s of subs) {
        if (s[pref] !== undefined) assert.equal(s[origin], 'subscription', `${origin} of ${s._id}`);
        if (origin in s) assert.ok(['subscription', 'user'].includes(s[origin]));
      }
    }
  });

  test('rooms: federated true and false, a retention override on channels, omnichannel tags', async () => {
    const rooms = (await call(emu, '/api/v1/rooms.get')).body.update as Json[];
    const channels = (await call(emu, '/api/v1/channels.list?count=0')).body.channels as Json[];
    const all = [...rooms, ...channels];
    assert.ok(all.some((x) => x.federated === true) && all.some((x) => x.federated === false));
    const retained = channels.filter((c) => c.retention);
    assert.ok(retained.length > 0, 'channels.list serves retention');
    for (const c of retained) {
      assert.deepEqual(Object.keys(c.retention).sort(), ['enabled', 'excludePinned', 'filesOnly', 'ignoreThreads', 'maxAge', 'overrideGlobal']);
      assert.equal(typeof c.retention.maxAge, 'number');
      assert.equal(typeof c.retention.enabled, 'boolean');
    }
    const livechat = rooms.filter((x) => x.t === 'l');
    assert.ok(livechat.length > 0 && livechat.every((x) => Array.isArray(x.tags)));
    // Which livechat rooms the admin is subscribed to (open ones it serves) varies: check the data.
    const every = emu.dataset.rooms.filter((x) => x.t === 'l') as Json[];
    assert.ok(every.some((x) => x.tags.length === 0) && every.some((x) => x.tags.length > 0));
  });

  test('users: some have roles [] (admins see it); awkward names reach every caller', async () => {
    const admin = (await call(emu, '/api/v1/users.list?count=0')).body.users as Json[];
    assert.ok(admin.some((u) => Array.isArray(u.roles) && u.roles.length === 0), 'roles: []');
    const limited = await call(emu, '/api/v1/users.list?count=0', 'user');
    const names = (limited.body.users as Json[]).map((u) => u.name as string | undefined).filter((n): n is string => n !== undefined);
    for (const [kind, name] of Object.entries(NASTY_NAMES)) assert.ok(names.includes(name), kind);
    assert.ok(names.some((n) => n.length === 270));
    assert.ok(names.some((n) => n.normalize('NFC') !== n), 'combining marks, not precomposed');
    assert.ok(limited.text.includes(LINE_SEPARATOR), 'U+2028 is sent raw, as JSON.stringify leaves it');
    assert.ok(limited.text.includes('C:\\\\Users\\\\new'), 'backslashes are escaped in the bytes');
    const html = (limited.body.users as Json[]).find((u) => u.name === NASTY_NAMES.html);
    assert.equal(html.nameInsensitive, NASTY_NAMES.html.toLowerCase());
  });

  test('rooms: a 20 KB description, a 270-character fname, separators, HTML; subscriptions carry the fname', async () => {
    const channels = (await call(emu, '/api/v1/channels.list?count=0')).body.channels as Json[];
    const rooms = (await call(emu, '/api/v1/rooms.get')).body.update as Json[];
    const both = [...channels, ...rooms];
    assert.ok(both.some((x) => typeof x.description === 'string' && x.description.length === 20_480), '20 KB description');
    assert.ok(both.some((x) => x.fname === NASTY_NAMES.long));
    assert.ok(both.some((x) => typeof x.topic === 'string' && x.topic.includes(LINE_SEPARATOR)));
    assert.ok(both.some((x) => x.announcement === NASTY_NAMES.html));
    assert.ok(both.some((x) => x.description === NASTY_NAMES.backslashes));
    const subs = (await call(emu, '/api/v1/subscriptions.get')).body.update as Json[];
    for (const s of subs) {
      const room = emu.dataset.roomById.get(s.rid);
      if (room && room.t !== 'd' && room.t !== 'l' && s.fname !== null) assert.equal(s.fname, room.fname ?? room.name, s._id);
    }
  });

  test('deterministic from the seed; users regenerate from (seed, index) alone, also far into a large table', () => {
    const a = new Dataset({ seed: 9 });
    const b = new Dataset({ seed: 9 });
    assert.deepEqual(a.rooms, b.rooms);
    assert.deepEqual(a.subscriptions, b.subscriptions);
    assert.deepEqual(a.roles, b.roles);
    for (const i of [13, 14, 18, 77, 240]) assert.deepEqual(a.users.doc(i), b.users.doc(i));
    for (const i of [13, 999_999]) assert.deepEqual(generateUser(9, i, [], false), generateUser(9, i, [], false));
    assert.deepEqual(generateUser(9, 13, [], false).roles, []);
    const other = new Dataset({ seed: 10 });
    assert.notDeepEqual(other.subscriptions.map((s) => s.blocked), a.subscriptions.map((s) => s.blocked));
  });
});

test('userNameChars grows every display name to that many code points of escapes and non-ASCII text', async () => {
  const emu = await startEmulator({ rateLimit: false, data: { users: 300, userNameChars: 300 } });
  try {
    const { body } = await call(emu, '/api/v1/users.list?count=100&offset=50');
    const names = (body.users as Json[]).map((u) => u.name).filter((n) => typeof n === 'string') as string[];
    assert.ok(names.length > 80, `${names.length} named users`);
    for (const name of names) assert.equal([...name].length, 300, name);
    assert.ok(names.every((n) => /[^\x00-\x7f]/.test(n)), 'non-ASCII in every name');
    assert.ok(names.filter((n) => n.includes('\\') && n.includes('"')).length > names.length / 2, 'most names need JSON escapes');
    assert.deepEqual(emu.expected('users', 'admin').find((u) => u._id === body.users[0]._id), body.users[0], 'what the tests expect is what is served');
  } finally {
    await emu.close();
  }
});

describe('proxy mode: a rate-limiting proxy in front of the server', () => {
  test('every caller and every /api path is limited; HTML 429 with Retry-After and no X-RateLimit-* headers', async () => {
    let now = 5_000_000;
    const emu = await startEmulator({ now: () => now, proxy: { calls: 3, windowMs: 60_000 } });
    try {
      for (let k = 0; k < 3; k++) assert.equal((await call(emu, k === 0 ? '/api/info' : '/api/v1/roles.list')).status, 200);
      for (const [path, who] of [['/api/v1/roles.list', 'admin'], ['/api/info', null], ['/api/v1/nothing', 'bot']] as const) {
        const r = await call(emu, path, who);
        assert.equal(r.status, 429, path);
        assert.equal(r.headers.get('content-type'), 'text/html');
        assert.equal(r.headers.get('retry-after'), '61', 'rounded up past the instant the window resets');
        assert.match(r.text, /<title>429 Too Many Requests<\/title>/);
        assert.equal([...r.headers.keys()].filter((h) => h.startsWith('x-ratelimit')).length, 0);
      }
      assert.equal(emu.stats().proxyRateLimited, 3);
      assert.equal(emu.stats().rateLimited, 0, 'the server never saw them');
      assert.ok(emu.requests.filter((e) => e.proxy).every((e) => e.status === 429));
      now += 60_001;
      assert.equal((await call(emu, '/api/v1/roles.list', 'admin')).status, 200, 'a new window');
    } finally {
      await emu.close();
    }
  });

  test('perRoute keeps one budget per path; the server\'s own limiter still answers behind the proxy', async () => {
    const emu = await startEmulator({ proxy: { calls: 2, windowMs: 60_000, perRoute: true }, rateLimit: { calls: 1, windowMs: 60_000 } });
    try {
      const first = await call(emu, '/api/v1/roles.list', 'user');
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-ratelimit-limit'), '1', 'the server\'s headers pass through the proxy');
      const second = await call(emu, '/api/v1/roles.list', 'user');
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('content-type'), 'application/json', 'the server\'s own 429');
      const third = await call(emu, '/api/v1/roles.list', 'user');
      assert.equal(third.headers.get('content-type'), 'text/html', 'the proxy\'s 429');
      assert.equal((await call(emu, '/api/v1/teams.list', 'admin')).status, 200, 'another path, another proxy budget');
    } finally {
      await emu.close();
    }
  });
});

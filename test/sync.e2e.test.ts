import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../emulator/index.js';
import { STREAMS } from '../src/streams.js';
import { configFor, emulator } from './support/emulator.js';
import { runTap, tempDir, writeJson } from './support/run-tap.js';
import { ALL_STREAM_NAMES, STREAM_NAMES, assertExactStreams, assertSameRecords, assertValidAgainstSchemas, lastState, parseMessages, recordsOf } from './support/singer.js';
import { encodeJsonText, jsonTextFields } from '../src/json-text.js';
import { streamSchema } from '../src/schemas.js';
import { rewrite } from '../src/messages/emitted-message.js';
import { withoutVisitorToken } from '../src/visitor-token.js';
import type { MessageRow } from '../src/messages/sync-messages-api.js';

/** Streams without a replication key are read in full each run, under a new table version. */
const FULL_TABLE: readonly string[] = STREAMS.filter((s) => !('incremental' in s)).map((s) => s.name);

describe('a full sync against the emulator', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 620, seed: 7 } });
  });
  after(() => emu.close());

  test('admin token: every stream matches the server exactly, valid against its schema', async () => {
    const run = await runTap(['--config', configFor(emu, 'admin')]);
    assert.equal(run.code, 0, run.stderr);
    for (const stream of STREAM_NAMES) {
      const records = recordsOf(run.messages, stream);
      assertSameRecords(records, emu.expected(stream, 'admin'), stream);
      const byId = new Map(records.map((r) => [r._id, r]));
      // Union-typed fields come out as JSON text (src/json-text.ts).
      // Messages lose a visitor token and gain _sdc_deleted_at when soft-deleted (src/messages/emitted-message.ts).
      const emitted = (doc: Record<string, unknown>) => (stream === 'messages' ? rewrite(doc as MessageRow) : withoutVisitorToken(doc));
      const asText = (doc: Record<string, unknown>) => encodeJsonText(emitted(doc), jsonTextFields(streamSchema({ name: stream })));
      for (const doc of emu.expected(stream, 'admin')) assert.deepEqual(byId.get(doc._id as string), asText(doc), `${stream} ${doc._id as string} as served`);
    }
    assertValidAgainstSchemas(run.messages);
    assert.ok(recordsOf(run.messages, 'users').length > 600, 'several pages of users');
  });

  test('messages are in Singer order: SCHEMA first, ACTIVATE_VERSION after the records, STATE last', async () => {
    const run = await runTap(['--config', configFor(emu, 'admin')]);
    const { messages } = run;
    for (const stream of STREAM_NAMES) {
      const indexes = messages.map((m, i) => (m.stream === stream ? i : -1)).filter((i) => i >= 0);
      assert.equal(messages[indexes[0]!]!.type, 'SCHEMA', `${stream} starts with SCHEMA`);
      if (FULL_TABLE.includes(stream)) {
        const last = messages[indexes.at(-1)!]!;
        assert.equal(last.type, 'ACTIVATE_VERSION', `${stream} ends with ACTIVATE_VERSION`);
        const versions = new Set(messages.filter((m) => m.stream === stream && m.type === 'RECORD').map((m) => m.version));
        assert.deepEqual([...versions], [last.version], `${stream} records carry the activated version`);
      } else {
        assert.ok(messages.every((m) => m.stream !== stream || m.version === undefined), `${stream} is incremental: no version`);
      }
    }
    assert.equal(messages.at(-1)!.type, 'STATE');
    const state = lastState(messages)!;
    assert.deepEqual(Object.keys(state.bookmarks).sort(), [...STREAM_NAMES].sort());
    const newestRoom = emu.expected('rooms', 'admin').map((r) => r._updatedAt as string).sort().at(-1);
    assert.equal(state.bookmarks.rooms!.replication_key_value, newestRoom);
    assert.equal(state.bookmarks.rooms!.replication_key, '_updatedAt');
    for (const m of messages.filter((x) => x.type === 'RECORD')) assert.match(m.time_extracted!, /^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  test('bot token: users without emails, roles and lastLogin, as Rocket.Chat hides them', async () => {
    const run = await runTap(['--config', configFor(emu, 'bot')]);
    assert.equal(run.code, 0, run.stderr);
    const users = recordsOf(run.messages, 'users');
    assertSameRecords(users, emu.expected('users', 'bot'), 'users');
    assert.ok(users.every((u) => !('emails' in u) && !('roles' in u) && !('lastLogin' in u)));
    assertSameRecords(recordsOf(run.messages, 'teams'), emu.expected('teams', 'bot'), 'teams');
  });

  test('--config ENV reads the TAP_ROCKETCHAT_* variables', async () => {
    const who = emu.identities.admin;
    const run = await runTap(['--config', 'ENV'], {
      env: { TAP_ROCKETCHAT_ENDPOINT: emu.url, TAP_ROCKETCHAT_USER_ID: who.userId, TAP_ROCKETCHAT_TOKEN: who.token, TAP_ROCKETCHAT_PAGE_SIZE: '50' },
    });
    assert.equal(run.code, 0, run.stderr);
    assertSameRecords(recordsOf(run.messages, 'users'), emu.expected('users', 'admin'), 'users');
    const pages = emu.requests.filter((r) => r.path === '/api/v1/users.list' && r.query.count === '50');
    assert.ok(pages.length >= Math.ceil(emu.expected('users', 'admin').length / 50), 'page_size from the environment was used');
  });

  test('a later --config file wins key by key', async () => {
    const dir = tempDir();
    const base = configFor(emu, 'admin', {}, dir);
    const override = writeJson(dir, 'override.json', { page_size: 7 });
    emu.clearRequests();
    const run = await runTap(['--config', base, '--config', override]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(emu.requests.some((r) => r.path === '/api/v1/teams.list' && r.query.count === '7'));
  });
});

describe('a server that compresses its answers (a proxy with gzip on)', () => {
  test('gzipped pages give exactly the records of plain ones', async () => {
    const plain = await emulator({ data: { users: 620, seed: 7 } });
    const gzipped = await emulator({ data: { users: 620, seed: 7 }, gzip: true });
    try {
      const asked = await fetch(`${gzipped.url}/api/v1/users.list?count=100`, {
        headers: { 'X-User-Id': gzipped.identities.admin.userId, 'X-Auth-Token': gzipped.identities.admin.token, 'Accept-Encoding': 'gzip' },
      });
      assert.equal(asked.headers.get('content-encoding'), 'gzip', 'the emulator compresses when asked');
      const [a, b] = await Promise.all([runTap(['--config', configFor(plain, 'admin')]), runTap(['--config', configFor(gzipped, 'admin')])]);
      assert.equal(b.code, 0, b.stderr);
      for (const stream of STREAM_NAMES) {
        const strip = (run: typeof a) => recordsOf(run.messages, stream).map((r) => JSON.stringify(r)).sort();
        assert.deepEqual(strip(b), strip(a), stream);
        assert.ok(strip(b).length > 0, `${stream} has records`);
      }
    } finally {
      await Promise.all([plain.close(), gzipped.close()]);
    }
  });
});

describe('catalog selection', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 120, seed: 3 } });
  });
  after(() => emu.close());

  test('--discover needs no config and lists every stream', async () => {
    const run = await runTap(['--discover']);
    assert.equal(run.code, 0, run.stderr);
    const catalog = JSON.parse(run.stdout);
    assert.deepEqual(catalog.streams.map((s: { tap_stream_id: string }) => s.tap_stream_id), [...ALL_STREAM_NAMES]);
  });

  test('only selected streams and fields are emitted', async () => {
    const catalog = JSON.parse((await runTap(['--discover'])).stdout);
    for (const entry of catalog.streams) {
      const top = entry.metadata.find((m: { breadcrumb: string[] }) => m.breadcrumb.length === 0);
      top.metadata.selected = entry.stream === 'users' || entry.stream === 'roles';
      if (entry.stream === 'users') {
        for (const m of entry.metadata) if (['emails', 'lastLogin', '_id'].includes(m.breadcrumb[1])) m.metadata.selected = false;
      }
    }
    const dir = tempDir();
    const run = await runTap(['--config', configFor(emu, 'admin', {}, dir), '--catalog', writeJson(dir, 'catalog.json', catalog)]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([...new Set(run.messages.filter((m) => m.type === 'SCHEMA').map((m) => m.stream))], ['roles', 'users']);
    const users = recordsOf(run.messages, 'users');
    assertSameRecords(users, emu.expected('users', 'admin'), 'users');
    assert.ok(users.every((u) => !('emails' in u) && !('lastLogin' in u) && typeof u._id === 'string'), 'deselected fields are gone, the key stays');
    assert.ok(users.some((u) => 'roles' in u), 'other fields stay');
    const schema = run.messages.find((m) => m.type === 'SCHEMA' && m.stream === 'users')!.schema as { properties: Record<string, unknown> };
    assert.ok(!('emails' in schema.properties) && '_id' in schema.properties);
    assert.deepEqual(emu.requests.filter((r) => r.path === '/api/v1/rooms.get'), [], 'unselected streams are not requested');
  });

  test('--properties is accepted as the legacy name of --catalog', async () => {
    const catalog = JSON.parse((await runTap(['--discover'])).stdout);
    catalog.streams = catalog.streams.filter((s: { stream: string }) => s.stream === 'roles');
    const dir = tempDir();
    const run = await runTap(['--config', configFor(emu, 'admin', {}, dir), '--properties', writeJson(dir, 'properties.json', catalog)]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([...new Set(recordsOf(run.messages, 'roles').map(() => 'roles'))], ['roles']);
    assert.equal(recordsOf(run.messages, 'users').length, 0);
  });
});

describe('rate limiting with an ordinary token', () => {
  let emu: Emulator;
  const windowMs = 1000;
  before(async () => {
    emu = await emulator({ data: { users: 2400, seed: 11 }, rateLimit: { calls: 10, windowMs } });
  });
  after(() => emu.close());

  test('the tap paces itself: all records, not a single 429', async () => {
    const started = Date.now();
    const run = await runTap(['--config', configFor(emu, 'user')]);
    const elapsed = Date.now() - started;
    assert.equal(run.code, 0, run.stderr);
    assertExactStreams(run.messages, emu, 'user');
    const stats = emu.stats();
    assert.equal(stats.rateLimited, 0, 'no request was answered 429');
    const userPages = emu.requests.filter((r) => r.path === '/api/v1/users.list').length;
    assert.ok(userPages >= 24, `${userPages} pages of users`);
    // 24+ calls at 10 per window cannot finish before the third window opens.
    assert.ok(elapsed >= 2 * windowMs, `paced over the windows (${elapsed} ms)`);
  });
});

describe('failures are one clear line and a non-zero exit', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 60, seed: 5 } });
  });
  after(() => emu.close());

  test('a wrong token: 401 names the server, exit 1, no stack trace', async () => {
    const dir = tempDir();
    const config = writeJson(dir, 'config.json', { endpoint: emu.url, user_id: emu.identities.admin.userId, token: 'not-the-token' });
    const run = await runTap(['--config', config]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`credentials rejected by ${emu.url} \\(401 on GET /api/v1/[a-z.]+[^)]*\\): check user_id and token`));
    assert.ok(!/\n\s+at /.test(run.stderr), 'no stack trace');
    assert.ok(!run.stderr.includes('not-the-token'));
  });

  test('a token without permissions: 403 names the stream and the permission', async () => {
    const run = await runTap(['--config', configFor(emu, 'restricted')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /(channels|users).*403.*(view-c-room or view-joined-room|view-d-room)/);
  });

  test('--test reports reachability, credentials and readable streams', async () => {
    const ok = await runTap(['--config', configFor(emu, 'admin'), '--test']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /server .* is reachable: Rocket\.Chat 8\.\d+/);
    assert.match(ok.stderr, /credentials accepted: user \S+/);
    assert.match(ok.stderr, /connection test passed/);
    assert.equal(parseMessages(ok.stdout).length, 0, '--test writes nothing to stdout');
    const restricted = await runTap(['--config', configFor(emu, 'restricted'), '--test']);
    assert.equal(restricted.code, 1);
    assert.match(restricted.stderr, /the token cannot read channels, users/);
  });

  test('bad config exits 2 naming the key', async () => {
    const dir = tempDir();
    const run = await runTap(['--config', writeJson(dir, 'c.json', { endpoint: emu.url, user_id: 'x', token: 't', page_size: 1000 })]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /config: "page_size" must be an integer between 1 and 100 \(got 1000\)/);
    assert.equal(run.stdout, '', 'nothing on stdout');
  });
});

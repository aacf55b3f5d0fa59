/**
 * What a new user ran into (the field report), through the built CLI against the emulator: a
 * failing stream that does not sink the others, an id both updated and removed, Meltano's
 * state and states that do not fit, schema drift reaching the SCHEMA, and the small things
 * (--help, --about, --test, the demo, warnings for inputs that are silently wrong).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configFor, withEmulator } from './support/emulator.js';
import { assertCleanFailure, errorLines, warningLines } from './support/log-lines.js';
import { CLI, catalogOf, runTap, tempDir, writeJson } from './support/run-tap.js';
import { assertSameRecords, assertValidAgainstSchemas, lastState, recordsOf, type SingerMessage } from './support/singer.js';

const DENIED = '(User does not have the permissions required for this action [error-unauthorized])';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function activated(messages: readonly SingerMessage[], stream: string): boolean {
  return messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === stream);
}

describe('one failing stream does not sink the run', { concurrency: 3 }, () => {
  test('403 on channels and users: the other streams finish and write STATE, then one line names both', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: 120 } }, async (emu) => {
      const streams = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'];
      const run = await runTap(['--config', configFor(emu, 'restricted'), '--catalog', catalogOf(streams)]);
      const message = assertCleanFailure(run, 1);
      const page = (route: string) => `GET /api/v1/${route}?offset=0&count=100&sort={"_id":1} on ${emu.url} answered 403 ${DENIED}`;
      assert.equal(
        message,
        '2 of 6 streams failed (the other 4 finished and wrote their STATE): ' +
          `channels: permission denied: ${page('channels.list')}; the user needs the permission view-c-room or view-joined-room | ` +
          `users: permission denied: ${page('users.list')}; the user needs the permission view-d-room`,
      );
      for (const stream of ['teams', 'rooms', 'roles', 'subscriptions'] as const) assertSameRecords(recordsOf(run.messages, stream), emu.expected(stream, 'restricted'), stream);
      assert.ok(recordsOf(run.messages, 'roles').length > 0, 'roles need no permission');
      const state = lastState(run.messages)!;
      assert.deepEqual(Object.keys(state.bookmarks).sort(), ['roles', 'rooms', 'subscriptions', 'teams']);
      assert.equal(run.messages.at(-1)!.type, 'STATE');
      assert.ok(activated(run.messages, 'roles') && activated(run.messages, 'teams'), 'finished full-table streams retire vanished rows');
      assert.ok(!activated(run.messages, 'channels') && !activated(run.messages, 'users'), 'a failed stream retires nothing');
      assert.ok(warningLines(run.stderr).some((w) => w.startsWith('stream channels failed, the other streams go on: permission denied for stream channels: ')));
    }),
  );

  test('a route out of retries (persistent 500): only its stream fails', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: 120 } }, async (emu) => {
      emu.setFaults([{ route: 'users.list', kind: 'status', status: 500 }]);
      const run = await runTap(['--config', configFor(emu, 'admin', { max_retries: 2 }), '--catalog', catalogOf(['teams', 'roles', 'users'])]);
      const message = assertCleanFailure(run, 1);
      assert.equal(
        message,
        '1 of 3 streams failed (the other 2 finished and wrote their STATE): ' +
          'users: GET /api/v1/users.list?offset=0&count=100&sort={"_id":1} failed after 3 attempts: answered 500 (Internal server error)',
      );
      for (const stream of ['teams', 'roles'] as const) assertSameRecords(recordsOf(run.messages, stream), emu.expected(stream), stream);
      assert.deepEqual(Object.keys(lastState(run.messages)!.bookmarks).sort(), ['roles', 'teams']);
      assert.equal(recordsOf(run.messages, 'users').length, 0);
    }),
  );

  test('one stream selected: its own error is the line', { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 50 } }, async (emu) => {
      const run = await runTap(['--config', configFor(emu, 'restricted'), '--catalog', catalogOf(['users'])]);
      const message = assertCleanFailure(run, 1);
      assert.match(message, /^permission denied for stream users: GET \/api\/v1\/users\.list/);
    }),
  );

  test('connection refused still stops every stream at once, with that one reason', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const config = writeJson(tempDir(), 'config.json', { endpoint: `http://127.0.0.1:${port}`, user_id: 'aobEdbYhXfu5hkeqG', token: 'tok-refused-Zx9Qw8Er7Ty6', max_retries: 1, retry_backoff: 0.01 });
    const run = await runTap(['--config', config, '--catalog', catalogOf(['teams', 'roles', 'users'])]);
    const message = assertCleanFailure(run, 1);
    assert.doesNotMatch(message, /streams? .*failed/);
    assert.match(message, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });
});

/** A port nothing listens on: bound, then closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('an id both updated and removed in one answer', () => {
  test('rooms and subscriptions: a removal at or before _updatedAt keeps the row; a later one deletes it, without the stale record', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: 60 } }, async (emu) => {
      const ds = emu.dataset;
      const rooms = emu.expected('rooms', 'admin').sort((a, b) => String(a._updatedAt).localeCompare(String(b._updatedAt))).slice(-2);
      const subs = emu.expected('subscriptions', 'admin').sort((a, b) => String(a._updatedAt).localeCompare(String(b._updatedAt))).slice(-2);
      const shift = (stamp: unknown, ms: number) => new Date(Date.parse(stamp as string) + ms).toISOString();
      const [recreatedRoom, deletedRoom] = rooms as [Record<string, unknown>, Record<string, unknown>];
      const [recreatedSub, deletedSub] = subs as [Record<string, unknown>, Record<string, unknown>];
      const uid = emu.identities.admin.userId;
      ds.roomTrash.push({ _id: recreatedRoom._id as string, _deletedAt: shift(recreatedRoom._updatedAt, -500) }, { _id: deletedRoom._id as string, _deletedAt: shift(deletedRoom._updatedAt, 500) });
      ds.subscriptionTrash.push(
        { _id: recreatedSub._id as string, _deletedAt: recreatedSub._updatedAt as string, uid },
        { _id: deletedSub._id as string, _deletedAt: shift(deletedSub._updatedAt, 500), uid },
      );
      const since = (list: Array<Record<string, unknown>>) => ({ replication_key: '_updatedAt', replication_key_value: shift(list[0]!._updatedAt, -60_000) });
      const dir = tempDir();
      const state = writeJson(dir, 'state.json', { bookmarks: { rooms: since(rooms), subscriptions: since(subs) } });
      const config = configFor(emu, 'admin', {}, dir);
      const run = await runTap(['--config', config, '--catalog', catalogOf(['rooms', 'subscriptions'], dir), '--state', state]);
      assert.equal(run.code, 0, run.stderr);
      for (const [stream, recreated, deleted] of [['rooms', recreatedRoom, deletedRoom], ['subscriptions', recreatedSub, deletedSub]] as const) {
        const written = recordsOf(run.messages, stream).filter((r) => r._id === recreated._id || r._id === deleted._id);
        assert.deepEqual(
          written.map((r) => [r._id, r._sdc_deleted_at === undefined ? 'live' : 'deleted']),
          [[recreated._id, 'live'], [deleted._id, 'deleted']],
          `${stream}: the re-created row stays, the later removal deletes, and the stale record is not written`,
        );
      }
      // The next run re-reads the overlap window: it writes neither again.
      const next = await runTap(['--config', config, '--catalog', catalogOf(['rooms', 'subscriptions'], dir), '--state', writeJson(dir, 'next.json', lastState(run.messages))]);
      assert.equal(next.code, 0, next.stderr);
      const ids = new Set([recreatedRoom._id, deletedRoom._id, recreatedSub._id, deletedSub._id]);
      assert.deepEqual(next.messages.filter((m) => m.type === 'RECORD' && ids.has(m.record!._id)), []);
    }),
  );
});

describe('state from Meltano, and state that does not fit', { concurrency: 3 }, () => {
  test("`meltano state get` output resumes from its bookmarks; another tap's keys are named and not written back", { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 60 } }, async (emu) => {
      const mark = '2025-01-01T00:00:00.000Z';
      const dir = tempDir();
      const state = writeJson(dir, 'meltano-state.json', {
        singer_state: { bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: mark }, orders: { replication_key_value: 'x' } }, currently_syncing: 'orders', cursor: 7 },
      });
      const run = await runTap(['--config', configFor(emu, 'admin', {}, dir), '--catalog', catalogOf(['rooms'], dir), '--state', state]);
      assert.equal(run.code, 0, run.stderr);
      const request = emu.requests.find((r) => r.path === '/api/v1/rooms.get')!;
      assert.equal(request.query.updatedSince, '2024-12-31T23:59:58.000Z', 'asked from the bookmark (minus the overlap), not from the start');
      const warnings = warningLines(run.stderr);
      assert.ok(warnings.some((w) => w.startsWith(`state ${state}: ignoring the bookmarks of "orders", which this tap does not have`)), warnings.join('\n'));
      assert.ok(warnings.includes(`state ${state}: ignoring the top-level key "cursor" (a state has "bookmarks")`), warnings.join('\n'));
      assert.ok(warnings.includes(`state ${state}: ignoring "currently_syncing": "orders", which is not a stream of this tap`), warnings.join('\n'));
      for (const m of run.messages.filter((x) => x.type === 'STATE')) {
        assert.deepEqual(Object.keys(m.value!), ['bookmarks'], 'no singer_state, currently_syncing or cursor in any STATE');
        assert.deepEqual(Object.keys(m.value!.bookmarks), ['rooms']);
      }
    }),
  );

  test('a bookmark of our stream from another tap: exit 2, one line', { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 60 } }, async (emu) => {
      const dir = tempDir();
      const state = writeJson(dir, 'state.json', { singer_state: { bookmarks: { rooms: { replication_key: 'updated_at', replication_key_value: '2024-01-01T00:00:00Z' } } } });
      const run = await runTap(['--config', configFor(emu, 'admin', {}, dir), '--state', state]);
      const message = assertCleanFailure(run, 2);
      assert.equal(message, `state ${state}: bookmark of stream "rooms" has replication_key "updated_at", but the stream's is "_updatedAt": is this the state of another tap?`);
      assert.equal(run.stdout, '');
      assert.equal(emu.requests.length, 0, 'no request before the input is checked');
    }),
  );
});

describe('schema drift reaches the SCHEMA before the records', () => {
  test('an undeclared field is declared by its type, then widened for a value of another type', { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 40 } }, async (emu) => {
      const roles = emu.dataset.roles;
      const [a, b, c] = [roles[0]!, roles[1]!, roles[2]!];
      a.onlyNull = null;
      b.brandNew = 'first';
      b.onlyNull = null;
      c.brandNew = 42;
      const run = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles'])]);
      assert.equal(run.code, 0, run.stderr);
      const messages = run.messages.filter((m) => m.stream === 'roles');
      const schemaAt = messages.map((m, i) => (m.type === 'SCHEMA' ? i : -1)).filter((i) => i >= 0);
      assert.equal(schemaAt.length, 3, 'the SCHEMA, widened once per new type');
      const declared = (i: number) => (messages[i]!.schema!.properties as Record<string, { type: string[] }>).brandNew?.type;
      assert.deepEqual(schemaAt.map(declared), [undefined, ['string', 'null'], ['number', 'string', 'null']]);
      const firstWith = (value: unknown) => messages.findIndex((m) => m.type === 'RECORD' && m.record!.brandNew === value);
      assert.equal(schemaAt[1], firstWith('first') - 1, 'widened just before the first record that has the field');
      assert.equal(schemaAt[2], firstWith(42) - 1);
      assert.ok(messages.every((m) => m.type !== 'SCHEMA' || !('onlyNull' in (m.schema!.properties as object))), 'a field only ever null is not declared');
      assert.equal(messages[schemaAt[1]!]!.key_properties![0], '_id');
      assertValidAgainstSchemas(run.messages);
      assertSameRecords(recordsOf(run.messages, 'roles'), emu.expected('roles'), 'roles');
      const drift = warningLines(run.stderr).filter((w) => w.startsWith('schema drift: '));
      assert.deepEqual(drift.sort(), [
        'schema drift: roles field "brandNew" also holds a number: its SCHEMA is widened to ["number","string","null"]',
        'schema drift: roles records have field "brandNew", which the stream schema does not declare: it is declared as ["string","null"] in a SCHEMA sent before the first record that has it',
        'schema drift: roles records have field "onlyNull", which the stream schema does not declare; it is declared with its first non-null value',
      ]);
    }),
  );
});

describe('small things', { concurrency: 3 }, () => {
  test('--help: every type tag is set off by a space, and --test shows no [string]', async () => {
    const run = await runTap(['--help']);
    assert.equal(run.code, 0);
    for (const line of run.stdout.split('\n')) assert.doesNotMatch(line, /\S\[(boolean|string|array|choices|default)/, line);
    const testLine = run.stdout.split('\n').find((l) => l.trimStart().startsWith('--test'))!;
    assert.doesNotMatch(testLine, /\[string\]/);
  });

  test('--about: json omits what does not apply, markdown says yes/no and quotes defaults as JSON', async () => {
    const json = JSON.parse((await runTap(['--about', '--format', 'json'])).stdout) as Record<string, unknown>;
    assert.ok(!('sdk_version' in json) && !('supported_python_versions' in json));
    const markdown = (await runTap(['--about', '--format', 'markdown'])).stdout;
    assert.doesNotMatch(markdown, /\b(True|False|None)\b/);
    assert.match(markdown, /^\| endpoint \| yes \| {2}\| /m);
    assert.match(markdown, /^\| page_size \| no \| `100` \| /m);
    assert.match(markdown, /^\| emit_activate_version_messages \| no \| `true` \| /m);
  });

  test('--test: the version as far as the server tells, a custom role by its name, a 403 said once', { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 40 } }, async (emu) => {
      const admin = await runTap(['--config', configFor(emu, 'admin'), '--test']);
      assert.equal(admin.code, 0, admin.stderr);
      assert.match(admin.stderr, /is reachable: Rocket\.Chat 8\.8\.1\n/);
      const restricted = await runTap(['--config', configFor(emu, 'restricted'), '--test']);
      assert.match(restricted.stderr, /is reachable: Rocket\.Chat 8\.8\.x \(the patch level is shown only to users with view-statistics\)\n/);
      const customRole = emu.dataset.roles.find((r) => r._id === emu.dataset.customRoleIds[0])!;
      assert.notEqual(customRole.name, customRole._id);
      assert.match(restricted.stderr, new RegExp(`credentials accepted: user no\\.perms \\(roles: ${escape(String(customRole.name))}\\)`));
      const errors = errorLines(restricted.stderr);
      assert.ok(errors.some((e) => e.startsWith('stream channels: not readable: the server refused it (403)')), errors.join('\n'));
      assert.ok(errors.every((e) => !/stream (\w+): permission denied for stream \1/.test(e)), errors.join('\n'));
    }),
  );

  test('warnings: a start_date in the future, a repeated catalog breadcrumb (the last wins), a TAP_ROCKETCHAT_ variable that is no setting', { timeout: 20_000 }, () =>
    withEmulator({ data: { users: 40 } }, async (emu) => {
      const dir = tempDir();
      const catalog = writeJson(dir, 'catalog.json', {
        streams: [{
          tap_stream_id: 'roles', stream: 'roles', metadata: [
            { breadcrumb: [], metadata: { selected: true } },
            { breadcrumb: ['properties', 'description'], metadata: { selected: false } },
            { breadcrumb: ['properties', 'description'], metadata: { selected: true } },
          ],
        }],
      });
      const who = emu.identities.admin;
      const env = {
        TAP_ROCKETCHAT_ENDPOINT: emu.url, TAP_ROCKETCHAT_USER_ID: who.userId, TAP_ROCKETCHAT_TOKEN: who.token,
        TAP_ROCKETCHAT_START_DATE: '2999-01-01', TAP_ROCKETCHAT_PAGE_SIZ: '10', TAP_ROCKETCHAT__SELECT: '["roles.*"]',
      };
      const run = await runTap(['--config', 'ENV', '--catalog', catalog], { env });
      assert.equal(run.code, 0, run.stderr);
      const warnings = warningLines(run.stderr);
      assert.ok(warnings.includes('environment: TAP_ROCKETCHAT_PAGE_SIZ is not a setting and is ignored (did you mean TAP_ROCKETCHAT_PAGE_SIZE?)'), warnings.join('\n'));
      assert.ok(!warnings.some((w) => w.includes('TAP_ROCKETCHAT__SELECT')), "Meltano's extras are not settings of the tap");
      assert.ok(warnings.includes('config: start_date 2999-01-01T00:00:00.000Z is in the future: a first run of rooms, subscriptions and messages reads nothing until then'), warnings.join('\n'));
      assert.ok(warnings.includes(`catalog ${catalog}: stream "roles" has more than one metadata entry for breadcrumb ["properties","description"]; the last of each is used`), warnings.join('\n'));
      assert.ok(recordsOf(run.messages, 'roles').some((r) => 'description' in r), 'the last entry (selected) won');
    }),
  );

  test('the demo says whose token it uses, and does not rebuild a fresh build', { timeout: 30_000 }, (t) => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const cli = statSync(CLI).mtimeMs;
    // A stale build would be rebuilt (emptying dist/ under the running suite): only on a fresh one.
    if (['src', 'emulator', 'schemas'].some((d) => newest(join(root, d)) > cli)) return t.skip('sources changed since the build');
    const demo = spawnSync(process.execPath, [`${root}scripts/demo.mjs`, '--catalog', catalogOf(['roles'])], {
      env: { ...process.env, DEMO_IDENTITY: 'user', TAP_ROCKETCHAT_LOGLEVEL: 'info' }, encoding: 'utf8', timeout: 25_000,
    });
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stderr, /running tap-rocketchat with the token of the emulator's "user" identity/);
    assert.doesNotMatch(demo.stderr, /user user|npm run build/);
    assert.equal(statSync(CLI).mtimeMs, cli, 'dist was not rebuilt');
    assert.ok(demo.stdout.split('\n').filter(Boolean).every((line) => JSON.parse(line).type), 'stdout is only the Singer stream');
  });
});

function newest(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name)))) : stat.mtimeMs;
}

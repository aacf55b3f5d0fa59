/**
 * Bad input through the built CLI: config (files and --config ENV), catalog, state, and servers
 * that are not Rocket.Chat. Each case asserts the exit code, the EXACT one-line message, no
 * stack trace and no "unexpected error". Every run goes through the secret guard.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulator/index.js';
import { STREAMS } from '../src/streams.js';
import { fakeServer, send, type FakeServer, type Handler } from './support/fake-server.js';
import { configFor, emulator } from './support/emulator.js';
import { assertCleanFailure, errorLines, warningLines } from './support/log-lines.js';
import { catalogOf, runTap, tempDir, writeJson } from './support/run-tap.js';
import { ALL_STREAM_NAMES, lastState, recordsOf } from './support/singer.js';

/** The V8 text of JSON.parse's error for `text`, so "not valid JSON" messages can be asserted exactly. */
function jsonErrorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('text is valid JSON');
}

/** The environment without any TAP_ROCKETCHAT_* variable the developer may have set. */
function cleanEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TAP_ROCKETCHAT_LOGLEVEL: 'info' };
  for (const key of Object.keys(process.env)) if (key.startsWith('TAP_ROCKETCHAT_') && key !== 'TAP_ROCKETCHAT_LOGLEVEL') env[key] = undefined;
  return { ...env, ...vars };
}

/** A valid config whose endpoint refuses connections: input errors must come before any request. */
const DEAD = { endpoint: 'http://127.0.0.1:9', user_id: 'aobEdbYhXfu5hkeqG', token: 'tok-bad-input-Zx9Qw8Er7Ty6', max_retries: 0, retry_backoff: 0.01 };

async function failsWith(args: string[], message: string | ((line: string) => void), env?: NodeJS.ProcessEnv): Promise<void> {
  const run = await runTap(args, { env: cleanEnv(env as Record<string, string>) });
  const line = assertCleanFailure(run, 2);
  if (typeof message === 'string') assert.equal(line, message);
  else message(line);
  assert.equal(run.stdout, '', 'nothing on stdout');
}


/** What a run without a catalog reads: the streams selected by default. */
const DEFAULT_STREAMS = STREAMS.filter((d) => !('selectedByDefault' in d));

describe('bad input', { concurrency: 3 }, () => {
  // ---------------------------------------------------------------------------------------------

  describe('config files', { concurrency: 4 }, () => {
    const cases: Array<{ name: string; config: unknown; message: string }> = [
      { name: 'no settings at all', config: {}, message: 'config: missing required setting "endpoint"; missing required setting "user_id"; missing required setting "token"' },
      { name: 'token missing', config: { endpoint: 'https://chat.example.com', user_id: 'u1' }, message: 'config: missing required setting "token"' },
      {
        name: 'required keys empty',
        config: { endpoint: '', user_id: '', token: '' },
        message: 'config: "endpoint" must not be empty; "user_id" must not be empty; "token" must not be empty',
      },
      {
        name: 'required keys of the wrong type',
        config: { endpoint: 42, user_id: ['u'], token: true },
        message: 'config: "endpoint" must be a string (got 42); "user_id" must be a string (got ["u"]); "token" must be a string (got a boolean)',
      },
      {
        name: 'optional settings of the wrong type or out of range',
        config: {
          ...DEAD,
          page_size: '100',
          max_concurrency: 0,
          request_timeout: 0,
          max_retries: 1.5,
          retry_backoff: -1,
          max_rate_limit_wait: -1,
          emit_activate_version_messages: 'yes',
        },
        message:
          'config: "page_size" must be an integer (got "100"); "max_concurrency" must be an integer between 1 and 64 (got 0); ' +
          '"request_timeout" must be a number more than 0 and at most 3600 (got 0); "max_retries" must be an integer (got 1.5); ' +
          '"retry_backoff" must be a number between 0 and 60 (got -1); "max_rate_limit_wait" must be a number of at least 0 (got -1); ' +
          '"emit_activate_version_messages" must be a boolean (got "yes")',
      },
      {
        name: 'above the maximum',
        config: { ...DEAD, page_size: 101, request_timeout: 4000 },
        message: 'config: "page_size" must be an integer between 1 and 100 (got 101); "request_timeout" must be a number more than 0 and at most 3600 (got 4000)',
      },
      {
        name: 'endpoint that is not a URL',
        config: { ...DEAD, endpoint: 'chat.example.com' },
        message: 'config: "endpoint" must be a URL such as https://chat.example.com (got "chat.example.com")',
      },
      {
        name: 'endpoint with another scheme',
        config: { ...DEAD, endpoint: 'ftp://chat.example.com' },
        message: 'config: "endpoint" must start with https:// or http:// (got "ftp://chat.example.com")',
      },
      {
        name: 'endpoint with a trailing /api/v1/',
        config: { ...DEAD, endpoint: 'https://chat.example.com/api/v1/' },
        message: 'config: "endpoint" must be the workspace URL without /api/v1 (got https://chat.example.com/api/v1/; use https://chat.example.com)',
      },
      {
        name: 'endpoint under a path with a trailing /api',
        config: { ...DEAD, endpoint: 'https://example.com/chat/api' },
        message: 'config: "endpoint" must be the workspace URL without /api (got https://example.com/chat/api; use https://example.com/chat)',
      },
      {
        name: 'endpoint with credentials in it',
        config: { ...DEAD, endpoint: 'https://bob:hunter2@chat.example.com' },
        message: 'config: "endpoint" must not contain credentials; use user_id and token',
      },
      {
        name: 'endpoint with a query string',
        config: { ...DEAD, endpoint: 'https://chat.example.com/?x=1' },
        message: 'config: "endpoint" must not have a query string or fragment (got "https://chat.example.com/?x=1")',
      },
      {
        name: 'start_date that is not a date',
        config: { ...DEAD, start_date: 'last tuesday' },
        message: 'config: "start_date" must be an ISO 8601 date such as 2024-01-31 or 2024-01-31T00:00:00Z (got "last tuesday")',
      },
      {
        name: 'start_date with an impossible month',
        config: { ...DEAD, start_date: '2024-13-01' },
        message: 'config: "start_date" must be an ISO 8601 date such as 2024-01-31 or 2024-01-31T00:00:00Z (got "2024-13-01")',
      },
      // Found by these tests: whitespace passes minLength, then is trimmed to "" and sent (src/config.ts).
      { name: 'token of only whitespace', config: { ...DEAD, token: '   ' }, message: 'config: "token" must not be empty' },
      { name: 'user_id of only whitespace', config: { ...DEAD, user_id: ' \t' }, message: 'config: "user_id" must not be empty' },
    ];
    for (const c of cases) {
      test(c.name, () => failsWith(['--config', writeJson(tempDir(), 'config.json', c.config)], c.message));
    }

    test('an endpoint with /api/v1 and a trailing newline: the message stays one line', () =>
      // new URL() strips the newline, the message quotes the raw value (src/config.ts).
      failsWith(['--config', writeJson(tempDir(), 'config.json', { ...DEAD, endpoint: 'https://chat.example.com/api/v1\n' })], (line) =>
        assert.ok(line.startsWith('config: "endpoint" must be the workspace URL without /api/v1 (got '), line),
      ));

    test('a JSON array', () => {
      const path = writeJson(tempDir(), 'config.json', '[{"endpoint": "https://chat.example.com"}]');
      return failsWith(['--config', path], `config file ${path} must hold a JSON object of settings`);
    });

    test('malformed JSON (trailing comma)', () => {
      const text = '{"endpoint": "https://chat.example.com", "user_id": "u1", "token": "t",}';
      const path = writeJson(tempDir(), 'config.json', text);
      // Where, not V8's quote of the text around it (which could be a token pasted without quotes).
      return failsWith(['--config', path], `config file ${path} is not valid JSON: Expected double-quoted property name at line 1, column ${text.length}`);
    });

    test('malformed JSON (cut short)', () => {
      const text = '{"endpoint": "https://chat.example.com", "user_id": ';
      const path = writeJson(tempDir(), 'config.json', text);
      return failsWith(['--config', path], `config file ${path} is not valid JSON: Unexpected end of JSON input`);
    });

    test('malformed JSON: the message stays one line whatever the file holds', () => {
      // V8's JSON.parse message quotes the start of the text raw, newlines included (src/config.ts).
      const text = '#\n{"a":1}';
      const path = writeJson(tempDir(), 'config.json', text);
      return failsWith(['--config', path], (line) => assert.ok(line.startsWith(`config file ${path} is not valid JSON: `), line));
    });

    test('a file that does not exist', () => {
      const path = join(tempDir(), 'nope.json');
      return failsWith(['--config', path], `config file not found: ${path}`);
    });

    test('a directory', () => {
      const path = tempDir();
      return failsWith(['--config', path], `config file ${path} is a directory`);
    });

    test(
      'an unreadable file (chmod 000)',
      { skip: process.getuid?.() === 0 ? 'running as root, where chmod 000 does not block reads' : false },
      () => {
        const path = writeJson(tempDir(), 'config.json', DEAD);
        chmodSync(path, 0o000);
        return failsWith(['--config', path], `config file ${path} is not readable (permission denied)`);
      },
    );

    test('no --config at all', () =>
      failsWith([], 'no config given: pass --config FILE (repeatable) or --config ENV to read TAP_ROCKETCHAT_* variables'));

    test('later --config files win key by key; the merged result is validated', () => {
      const dir = tempDir();
      const first = writeJson(dir, 'a.json', { ...DEAD, page_size: 500 });
      const second = writeJson(dir, 'b.json', { page_size: 0 });
      return failsWith(['--config', first, '--config', second], 'config: "page_size" must be an integer between 1 and 100 (got 0)');
    });
  });

  describe('usage errors', { concurrency: 4 }, () => {
    const config = (): string => writeJson(tempDir(), 'config.json', DEAD);
    test('a mistyped flag', () => failsWith(['--confg', 'x.json'], 'Unknown argument: confg (did you mean --config?); see --help'));
    test('--catalog and --properties together', () =>
      failsWith(['--config', config(), '--catalog', 'a.json', '--properties', 'b.json'], 'Arguments catalog and properties are mutually exclusive; see --help'));
    test('--test with a value', () => failsWith(['--config', config(), '--test=foo'], '--test takes no value or "all" (got "foo")'));
  });

  describe('--config ENV', { concurrency: 4 }, () => {
    test('no variable set: the message names each TAP_ROCKETCHAT_* variable', () =>
      failsWith(
        ['--config', 'ENV'],
        'config: missing required setting "endpoint" (or TAP_ROCKETCHAT_ENDPOINT); missing required setting "user_id" (or TAP_ROCKETCHAT_USER_ID); ' +
          'missing required setting "token" (or TAP_ROCKETCHAT_TOKEN)',
      ));

    test('only the token missing', () =>
      failsWith(['--config', 'ENV'], 'config: missing required setting "token" (or TAP_ROCKETCHAT_TOKEN)', {
        TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com',
        TAP_ROCKETCHAT_USER_ID: 'u1',
      }));

    test('a number that is not a number', () =>
      failsWith(['--config', 'ENV'], 'TAP_ROCKETCHAT_PAGE_SIZE must be a number (got "abc")', {
        TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com',
        TAP_ROCKETCHAT_USER_ID: 'u1',
        TAP_ROCKETCHAT_TOKEN: 'tok-env-Zx9Qw8Er7Ty6',
        TAP_ROCKETCHAT_PAGE_SIZE: 'abc',
      }));

    test('a boolean that is not a boolean', () =>
      failsWith(['--config', 'ENV'], 'TAP_ROCKETCHAT_EMIT_ACTIVATE_VERSION_MESSAGES must be true or false (got "maybe")', {
        TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com',
        TAP_ROCKETCHAT_USER_ID: 'u1',
        TAP_ROCKETCHAT_TOKEN: 'tok-env-Zx9Qw8Er7Ty6',
        TAP_ROCKETCHAT_EMIT_ACTIVATE_VERSION_MESSAGES: 'maybe',
      }));

    test('a value with a newline: the message stays one line', () =>
      failsWith(['--config', 'ENV'], (line) => assert.ok(line.startsWith('TAP_ROCKETCHAT_PAGE_SIZE must be a number (got '), line), {
        TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com',
        TAP_ROCKETCHAT_USER_ID: 'u1',
        TAP_ROCKETCHAT_TOKEN: 'tok-env-Zx9Qw8Er7Ty6',
        TAP_ROCKETCHAT_PAGE_SIZE: '5\n2026-01-01 00:00:00,000 | ERROR    | tap-rocketchat       | forged',
      }));

    test('a variable set but empty: the message names the variable', () =>
      // Today: 'config: "token" must not be empty', which does not say where the empty value came from.
      failsWith(
        ['--config', 'ENV'],
        (line) => assert.match(line, /^config: "token" must not be empty.*TAP_ROCKETCHAT_TOKEN/),
        { TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com', TAP_ROCKETCHAT_USER_ID: 'u1', TAP_ROCKETCHAT_TOKEN: '' },
      ));
  });

  describe('unknown config keys: a warning, and the run goes on', () => {
    let emu: Emulator;
    before(async () => {
      emu = await emulator({ data: { users: 50 } });
    });
    after(() => emu.close());

    test('mistyped and unknown keys are named, the sync completes', async () => {
      const run = await runTap(['--config', configFor(emu, 'admin', { pagesize: 10, colour: 'blue' }), '--catalog', catalogOf(['roles'])], { env: cleanEnv() });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(warningLines(run.stderr), [
        'config: unknown setting "pagesize" is ignored (did you mean "page_size"?)',
        'config: unknown setting "colour" is ignored',
      ]);
      assert.equal(recordsOf(run.messages, 'roles').length, emu.expected('roles').length);
    });

    test('an empty state file is no state (as Meltano writes it)', async () => {
      const run = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles']), '--state', writeJson(tempDir(), 'state.json', '')], { env: cleanEnv() });
      assert.equal(run.code, 0, run.stderr);
    });

    test('a saved STATE message is accepted as state; bookmarks of streams not synced are kept, of unknown streams dropped', async () => {
      const state = { type: 'STATE', value: { bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: '2020-01-01T00:00:00.000Z' }, legacy: { x: 1 } } } };
      const path = writeJson(tempDir(), 'state.json', state);
      const run = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles']), '--state', path], { env: cleanEnv() });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(lastState(run.messages)!.bookmarks.legacy, undefined, "another tap's bookmark is not copied into the STATE");
      assert.equal(lastState(run.messages)!.bookmarks.rooms!.replication_key_value, '2020-01-01T00:00:00.000Z');
      assert.ok(warningLines(run.stderr).some((w) => w.startsWith(`state ${path}: ignoring the bookmarks of "legacy", which this tap does not have`)), run.stderr);
    });

    test('a catalog that selects nothing: a warning, exit 0', async () => {
      const catalog = writeJson(tempDir(), 'catalog.json', { streams: [{ tap_stream_id: 'users', metadata: [{ breadcrumb: [], metadata: { selected: false } }] }] });
      const run = await runTap(['--config', configFor(emu), '--catalog', catalog], { env: cleanEnv() });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(warningLines(run.stderr), ['no stream is selected in the catalog: nothing to sync']);
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('catalog', { concurrency: 4 }, () => {
    const config = (): string => writeJson(tempDir(), 'config.json', DEAD);
    const cases: Array<{ name: string; catalog: unknown; message: (path: string) => string }> = [
      { name: 'a JSON array', catalog: [], message: (p) => `catalog ${p} must be a JSON object with a "streams" array (as --discover prints)` },
      { name: '"streams" not an array', catalog: { streams: {} }, message: (p) => `catalog ${p} must be a JSON object with a "streams" array (as --discover prints)` },
      { name: 'a stream entry that is not an object', catalog: { streams: [1] }, message: (p) => `catalog ${p}: streams[0] must be an object` },
      { name: 'a stream without tap_stream_id', catalog: { streams: [{ stream: 5 }] }, message: (p) => `catalog ${p}: streams[0] has no "tap_stream_id"` },
      {
        name: 'metadata that is not an array',
        catalog: { streams: [{ tap_stream_id: 'users', metadata: {} }] },
        message: (p) => `catalog ${p}: stream "users" has "metadata" that is not an array`,
      },
      {
        name: 'a metadata entry without metadata',
        catalog: { streams: [{ tap_stream_id: 'users', metadata: [{ breadcrumb: [] }] }] },
        message: (p) => `catalog ${p}: stream "users" has a metadata entry without "breadcrumb" and "metadata"`,
      },
      {
        name: 'a schema that is not an object',
        catalog: { streams: [{ tap_stream_id: 'users', schema: [] }] },
        message: (p) => `catalog ${p}: stream "users" has a "schema" that is not an object`,
      },
      {
        name: 'an unknown stream close to a known one',
        catalog: { streams: [{ tap_stream_id: 'user' }] },
        message: (p) => `catalog ${p}: unknown stream "user" (did you mean "users"?); known streams: ${ALL_STREAM_NAMES.join(', ')}`,
      },
      {
        name: 'an unknown stream',
        catalog: { streams: [{ tap_stream_id: 'weather' }] },
        message: (p) => `catalog ${p}: unknown stream "weather"; known streams: ${ALL_STREAM_NAMES.join(', ')}`,
      },
      {
        name: 'an unsupported replication method',
        catalog: { streams: [{ tap_stream_id: 'rooms', metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'LOG_BASED' } }] }] },
        message: (p) => `catalog ${p}: stream "rooms" has replication-method "LOG_BASED"; use FULL_TABLE or INCREMENTAL`,
      },
      // Found by these tests (src/catalog.ts): breadcrumb items are joined without checking they are strings.
      {
        name: 'a breadcrumb holding an object',
        catalog: { streams: [{ tap_stream_id: 'rooms', metadata: [{ breadcrumb: ['properties', { toString: 1 }], metadata: { selected: true } }] }] },
        message: (p) => `catalog ${p}: stream "rooms" has a metadata entry whose "breadcrumb" is not an array of strings`,
      },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const path = writeJson(tempDir(), 'catalog.json', c.catalog);
        return failsWith(['--config', config(), '--catalog', path], c.message(path));
      });
    }

    test('a stream id with a newline: the message stays one line', () => {
      const path = writeJson(tempDir(), 'catalog.json', { streams: [{ tap_stream_id: 'users\nERROR: forged', metadata: 5 }] });
      return failsWith(['--config', config(), '--catalog', path], (line) => assert.ok(line.startsWith(`catalog ${path}: stream `), line));
    });

    test('malformed JSON', () => {
      const text = '{"streams": [';
      const path = writeJson(tempDir(), 'catalog.json', text);
      return failsWith(['--config', config(), '--catalog', path], `catalog file ${path} is not valid JSON: ${jsonErrorOf(text)}`);
    });

    test('a catalog file that does not exist (also as --properties)', async () => {
      const path = join(tempDir(), 'nope.json');
      await failsWith(['--config', config(), '--catalog', path], `catalog file not found: ${path}`);
      await failsWith(['--config', config(), '--properties', path], `catalog file not found: ${path}`);
    });

    test('a directory', () => {
      const path = tempDir();
      return failsWith(['--config', config(), '--catalog', path], `catalog file ${path} is a directory`);
    });
  });

  describe('state', { concurrency: 4 }, () => {
    const config = (): string => writeJson(tempDir(), 'config.json', DEAD);
    const cases: Array<{ name: string; state: unknown; message: (path: string) => string }> = [
      { name: 'a JSON array', state: [], message: (p) => `state ${p} must hold a JSON object such as {"bookmarks": {}}` },
      { name: 'a JSON string', state: '"bookmarks"', message: (p) => `state ${p} must hold a JSON object such as {"bookmarks": {}}` },
      { name: '"bookmarks" not an object', state: { bookmarks: [] }, message: (p) => `state ${p}: "bookmarks" must be an object keyed by stream name` },
      { name: 'a bookmark that is not an object', state: { bookmarks: { rooms: 5 } }, message: (p) => `state ${p}: bookmark of stream "rooms" must be an object` },
      {
        name: 'a bookmark that is not a date',
        state: { bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: 'yesterday' } } },
        message: (p) => `state ${p}: bookmark of stream "rooms" has replication_key_value "yesterday", which is not an ISO 8601 date`,
      },
      {
        name: 'a bookmark that is a number',
        state: { bookmarks: { subscriptions: { replication_key: '_updatedAt', replication_key_value: 1700000000 } } },
        message: (p) => `state ${p}: bookmark of stream "subscriptions" has replication_key_value 1700000000, which is not an ISO 8601 date`,
      },
      {
        name: 'a STATE message whose bookmark is not a date',
        state: { type: 'STATE', value: { bookmarks: { rooms: { replication_key_value: '2024-02-30T00:00:00Z' } } } },
        message: (p) => `state ${p}: bookmark of stream "rooms" has replication_key_value "2024-02-30T00:00:00Z", which is not an ISO 8601 date`,
      },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const path = writeJson(tempDir(), 'state.json', c.state);
        return failsWith(['--config', config(), '--state', path], c.message(path));
      });
    }

    test('malformed JSON', () => {
      const text = '{"bookmarks": {"rooms": ';
      const path = writeJson(tempDir(), 'state.json', text);
      return failsWith(['--config', config(), '--state', path], `state file ${path} is not valid JSON: ${jsonErrorOf(text)}`);
    });

    test('a stream name with a newline: the message stays one line', () => {
      const path = writeJson(tempDir(), 'state.json', { bookmarks: { 'rooms\nERROR forged': 5 } });
      return failsWith(['--config', config(), '--state', path], (line) => assert.ok(line.startsWith(`state ${path}: bookmark of stream `), line));
    });

    test('a directory', () => {
      const path = tempDir();
      return failsWith(['--config', config(), '--state', path], `state file ${path} is a directory`);
    });

    test('a state file that does not exist', () => {
      const path = join(tempDir(), 'nope.json');
      return failsWith(['--config', config(), '--state', path], `state file not found: ${path}`);
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Servers that are not Rocket.Chat: exit 1, one clear line naming the endpoint.

  describe('a server that is not Rocket.Chat', { concurrency: 4 }, () => {
    const LOGIN_PAGE = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>SSO</form></body></html>';
    const run = async (handler: Handler, streams: string[] | undefined, check: (message: string, server: FakeServer) => void): Promise<void> => {
      const server = await fakeServer(handler);
      try {
        const config = writeJson(tempDir(), 'config.json', { ...DEAD, endpoint: server.url, max_retries: 1 });
        const args = ['--config', config, ...(streams ? ['--catalog', catalogOf(streams)] : [])];
        const result = await runTap(args, { env: cleanEnv() });
        check(assertCleanFailure(result, 1), server);
        assert.equal(recordsOf(result.messages, 'users').length, 0);
      } finally {
        await server.close();
      }
    };
    const USERS_PAGE = 'GET /api/v1/users.list?offset=0&count=100&sort={"_id":1}';

    test('an HTML page with 200 on every route', () =>
      run(send(200, LOGIN_PAGE, { 'Content-Type': 'text/html' }), ['users'], (message, server) =>
        assert.equal(
          message,
          `${USERS_PAGE} failed after 2 attempts: answered 200 but the body is not JSON (starts with "<!DOCTYPE html> <html><head><title>Sign…"): is ${server.url} a Rocket.Chat server?`,
        ),
      ));

    test('an HTML page with 200 on every route, every stream selected', () =>
      run(send(200, LOGIN_PAGE, { 'Content-Type': 'text/html' }), undefined, (message, server) =>
        // Every stream failed the same way: one reason for all of them (src/stream-failures.ts).
        assert.equal(
          message,
          `${DEFAULT_STREAMS.length} of ${DEFAULT_STREAMS.length} streams failed: ${DEFAULT_STREAMS.map((d) => d.name).join(', ')}: GET … failed after 2 attempts: ` +
            `answered 200 but the body is not JSON (starts with "<!DOCTYPE html> <html><head><title>Sign…"): is ${server.url} a Rocket.Chat server?`,
        ),
      ));

    test('JSON without the expected key', () =>
      run(send(200, JSON.stringify({ status: 'ok', version: '2.1.0' })), ['users'], (message) =>
        assert.equal(message, `${USERS_PAGE} failed after 2 attempts: answered 200 but the body has no "users" array (keys: status, version)`),
      ));

    test('success: false with 200', () =>
      run(send(200, JSON.stringify({ success: false, error: 'Method not allowed here' })), ['users'], (message) =>
        assert.equal(message, `${USERS_PAGE} answered 200 with success: false: Method not allowed here`),
      ));

    test('a JSON array with 200', () =>
      run(send(200, '[]'), ['roles'], (message) => assert.equal(message, 'GET /api/v1/roles.list failed after 2 attempts: answered 200 but the body is not a JSON object ([])')));

    test('404 on every route (a plain web site)', () =>
      run(send(404, '<html><body>Not Found</body></html>', { 'Content-Type': 'text/html' }), ['users'], (message, server) =>
        assert.equal(
          message,
          `${USERS_PAGE} answered 404 (<html><body>Not Found</body></html>): check that endpoint ${server.url} is the Rocket.Chat base URL (without /api/v1) and that the server version has this route`,
        ),
      ));

    test('a records array without "total"', () =>
      run(send(200, JSON.stringify({ users: [{ _id: 'a' }], success: true })), ['users'], (message) =>
        assert.equal(message, 'GET /api/v1/users.list answered without a numeric "total": is endpoint a Rocket.Chat server?'),
      ));

    test('records without _id', () =>
      run(send(200, JSON.stringify({ users: [{ name: 'x' }], count: 1, offset: 0, total: 1, success: true })), ['users'], (message) =>
        assert.equal(message, 'GET /api/v1/users.list returned a users record without an _id'),
      ));

    test('--test against an HTML site', async () => {
      const server = await fakeServer(send(200, LOGIN_PAGE, { 'Content-Type': 'text/html' }));
      try {
        const config = writeJson(tempDir(), 'config.json', { ...DEAD, endpoint: server.url, max_retries: 0 });
        const result = await runTap(['--config', config, '--test'], { env: cleanEnv() });
        assert.equal(
          assertCleanFailure(result, 1),
          `GET /api/info failed after 1 attempt: answered 200 but the body is not JSON (starts with "<!DOCTYPE html> <html><head><title>Sign…"): is ${server.url} a Rocket.Chat server?`,
        );
        assert.deepEqual(errorLines(result.stderr).length, 1);
      } finally {
        await server.close();
      }
    });
  });
});

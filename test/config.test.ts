import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { configFromEnv, mergeConfigSources, validateConfig } from '../src/config.js';
import { loadConfigSchema } from '../src/settings-schema.js';
import { InputError } from '../src/errors.js';
import { setLogSink } from '../src/log.js';
import { tempDir, writeJson } from './support/run-tap.js';

const schema = loadConfigSchema();
const base = { endpoint: 'https://chat.example.com', user_id: 'u1', token: 'secret-token' };

function captureLogs(): string[] {
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  return lines;
}

function rejects(raw: Record<string, unknown>, message: string): void {
  assert.throws(() => validateConfig(raw, schema), (err: unknown) => {
    assert.ok(err instanceof InputError, 'an InputError');
    assert.equal(err.message, message);
    return true;
  });
}

test('defaults are applied and units converted', () => {
  const settings = validateConfig({ ...base }, schema);
  assert.deepEqual(settings, {
    endpoint: 'https://chat.example.com', userId: 'u1', token: 'secret-token', startDate: undefined,
    pageSize: 100, maxConcurrency: 4, requestTimeoutMs: 60000, maxRetries: 5, retryBackoffMs: 1000, maxRateLimitWaitMs: 900000, activateVersion: true,
    metricsLogLevel: 'info', scope: 'subscribed', livechatRoomsFullReadHours: 0,
    messages: {
      pageSize: 1000, skipUnchangedRooms: true, fullPassHours: 24,
      rooms: { kinds: new Set(['public', 'private', 'direct', 'omnichannel', 'discussion']), include: new Set(), exclude: new Set(), partition: undefined },
    },
  });
  // Fractions of seconds from a config file still work (Meltano passes whole seconds).
  const fine = validateConfig({ ...base, request_timeout: 2.5, retry_backoff: 0.01, max_rate_limit_wait: 0.5 }, schema);
  assert.deepEqual([fine.requestTimeoutMs, fine.retryBackoffMs, fine.maxRateLimitWaitMs], [2500, 10, 500]);
});

test('messages settings: room kinds, lists and a partition', () => {
  const { messages } = validateConfig({
    ...base, messages_room_types: 'public, private', messages_rooms_include: 'general, R1,', messages_rooms_exclude: 'random', partition: '2/8',
  }, schema);
  assert.deepEqual(messages.rooms, { kinds: new Set(['public', 'private']), include: new Set(['general', 'R1']), exclude: new Set(['random']), partition: { index: 2, of: 8 } });
  rejects({ ...base, messages_room_types: 'public,dm' }, 'config: "messages_room_types" has "dm"; allowed: public, private, direct, omnichannel, discussion');
  rejects({ ...base, partition: '9/8' }, 'config: "partition" must be "k/n" with 1 ≤ k ≤ n, e.g. "2/8" (got "9/8")');
});

test('scope accepts subscribed or workspace, nothing else', () => {
  assert.equal(validateConfig({ ...base, scope: 'workspace' }, schema).scope, 'workspace');
  assert.throws(() => validateConfig({ ...base, scope: 'everything' }, schema), /scope/);
});

test('a trailing slash on endpoint is dropped; a path prefix is kept', () => {
  assert.equal(validateConfig({ ...base, endpoint: 'https://chat.example.com/' }, schema).endpoint, 'https://chat.example.com');
  assert.equal(validateConfig({ ...base, endpoint: 'https://example.com/chat/' }, schema).endpoint, 'https://example.com/chat');
});

test('each bad setting gets one exact message', () => {
  rejects({ user_id: 'u1', token: 't' }, 'config: missing required setting "endpoint"');
  rejects({ ...base, token: '' }, 'config: "token" must not be empty');
  rejects({ ...base, page_size: 500 }, 'config: "page_size" must be an integer between 1 and 100 (got 500)');
  rejects({ ...base, page_size: '50' }, 'config: "page_size" must be an integer (got "50")');
  rejects({ ...base, max_retries: -1 }, 'config: "max_retries" must be an integer between 0 and 50 (got -1)');
  rejects({ ...base, endpoint: 'chat.example.com' }, 'config: "endpoint" must be a URL such as https://chat.example.com (got "chat.example.com")');
  rejects({ ...base, endpoint: 'ftp://chat.example.com' }, 'config: "endpoint" must start with https:// or http:// (got "ftp://chat.example.com")');
  rejects({ ...base, endpoint: 'https://chat.example.com/api/v1/' }, 'config: "endpoint" must be the workspace URL without /api/v1 (got https://chat.example.com/api/v1/; use https://chat.example.com)');
  rejects({ ...base, start_date: 'yesterday' }, 'config: "start_date" must be an ISO 8601 date such as 2024-01-31 or 2024-01-31T00:00:00Z (got "yesterday")');
});

test('several errors are reported together on one line', () => {
  rejects({ endpoint: 'https://x.example' }, 'config: missing required setting "user_id"; missing required setting "token"');
});

test('an unknown key is a warning with a suggestion, not an error', () => {
  const logs = captureLogs();
  validateConfig({ ...base, page_sise: 10 }, schema);
  assert.match(logs.join(''), /unknown setting "page_sise" is ignored \(did you mean "page_size"\?\)/);
});

test('plain http to a remote host warns; loopback does not', () => {
  const logs = captureLogs();
  validateConfig({ ...base, endpoint: 'http://127.0.0.1:3000' }, schema);
  assert.equal(logs.length, 0);
  validateConfig({ ...base, endpoint: 'http://chat.example.com' }, schema);
  assert.match(logs.join(''), /plain http/);
});

test('start_date accepts dates and date-times and is normalised to UTC', () => {
  assert.equal(validateConfig({ ...base, start_date: '2024-03-01' }, schema).startDate, '2024-03-01T00:00:00.000Z');
  assert.equal(validateConfig({ ...base, start_date: '2024-03-01T12:00:00+02:00' }, schema).startDate, '2024-03-01T10:00:00.000Z');
});

test('--config ENV reads TAP_ROCKETCHAT_* and converts types', () => {
  const raw = configFromEnv(schema, {
    TAP_ROCKETCHAT_ENDPOINT: 'https://chat.example.com', TAP_ROCKETCHAT_USER_ID: 'u', TAP_ROCKETCHAT_TOKEN: 't',
    TAP_ROCKETCHAT_PAGE_SIZE: '25', TAP_ROCKETCHAT_REQUEST_TIMEOUT: '2.5', OTHER: 'x',
  });
  assert.deepEqual(raw, { endpoint: 'https://chat.example.com', user_id: 'u', token: 't', page_size: 25, request_timeout: 2.5 });
  assert.throws(() => configFromEnv(schema, { TAP_ROCKETCHAT_PAGE_SIZE: 'many' }), /TAP_ROCKETCHAT_PAGE_SIZE must be a number \(got "many"\)/);
});

test('config files merge left to right, later keys winning', async () => {
  const dir = tempDir();
  const a = writeJson(dir, 'a.json', { ...base, page_size: 10 });
  const b = writeJson(dir, 'b.json', { page_size: 20 });
  assert.deepEqual(await mergeConfigSources([a, b], schema), { ...base, page_size: 20 });
});

test('unreadable, missing and malformed config files are named in the error', async () => {
  const dir = tempDir();
  await assert.rejects(mergeConfigSources([`${dir}/nope.json`], schema), { message: `config file not found: ${dir}/nope.json` });
  const bad = writeJson(dir, 'bad.json', '{"endpoint": ');
  await assert.rejects(mergeConfigSources([bad], schema), { message: /^config file .*bad\.json is not valid JSON: / });
  const list = writeJson(dir, 'list.json', '[1,2]');
  await assert.rejects(mergeConfigSources([list], schema), { message: `config file ${list} must hold a JSON object of settings` });
  if (process.getuid?.() !== 0) {
    const locked = writeJson(dir, 'locked.json', '{}');
    chmodSync(locked, 0o000);
    await assert.rejects(mergeConfigSources([locked], schema), { message: `config file ${locked} is not readable (permission denied)` });
  }
});

test('a token of the wrong type is described, never echoed', () => {
  rejects({ ...base, token: 123456789012 }, 'config: "token" must be a string (got a number)');
  rejects({ ...base, token: ['Kq3vT9secret'] }, 'config: "token" must be a string (got an array)');
});

test('credentials that cannot travel in a header are bad input, not a network error', () => {
  rejects({ ...base, token: 'abc\u201ddef' }, 'config: "token" contains spaces or characters that cannot be sent in an HTTP header; check for a pasted quote or line break');
  rejects({ ...base, user_id: 'u 1' }, 'config: "user_id" contains spaces or characters that cannot be sent in an HTTP header; check for a pasted quote or line break');
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestOptions } from '../src/client-options.js';
import { classify, type Exchange, type Verdict } from '../src/classify.js';
import { NetworkError, type HttpResponse } from '../src/http.js';

const NOW = Date.UTC(2024, 10, 25, 19, 40, 0);
const EX: Exchange = { request: 'GET /api/v1/users.list?count=100', path: '/api/v1/users.list', endpoint: 'https://chat.example.com', nowMs: NOW, skewPadMs: 250 };

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: new Headers(headers), text, bytes: Buffer.from(text), durationMs: 1 };
}

const USERS = { recordsKey: 'users' };
const PAGED: RequestOptions = { stream: 'users', expect: { recordsKey: 'users', total: true, ids: true } };
const UNPAGED: RequestOptions = { stream: 'rooms', expect: { recordsKey: 'update', removedKey: 'remove', ids: true } };
const page = (users: unknown[], extra: Record<string, unknown> = { total: users.length }) => ({ users, count: users.length, offset: 0, ...extra, success: true });
const retry = (reason: string, wait?: { waitMs: number; waitSource: string }): Verdict => ({ kind: 'retry', reason, ...wait });
const fatal = (message: string): Verdict => ({ kind: 'fatal', message });
const limited = (reason: string, waitMs: number, waitSource: string): Verdict => ({ kind: 'rate-limited', reason, waitMs, waitSource });

describe('classify: 2xx bodies', () => {
  const cases: Array<[string, HttpResponse, RequestOptions, Verdict]> = [
    ['a page', answer(200, page([{ _id: 'u1' }])), PAGED, { kind: 'ok', body: page([{ _id: 'u1' }]) }],
    ['no expectation: any object', answer(200, { version: '8.0.0' }), {}, { kind: 'ok', body: { version: '8.0.0' } }],
    ['empty body', answer(200, ''), {}, retry('answered 200 but the body is empty: is https://chat.example.com a Rocket.Chat server?')],
    ['not JSON', answer(200, '<html>\n<p>login</p>'), {}, retry('answered 200 but the body is not JSON (starts with "<html> <p>login</p>"): is https://chat.example.com a Rocket.Chat server?')],
    ['a JSON array', answer(200, '[]'), {}, retry('answered 200 but the body is not a JSON object ([])')],
    ['success: false', answer(200, { success: false, error: 'Something broke [error-x]' }), PAGED, fatal('GET /api/v1/users.list?count=100 answered 200 with success: false: Something broke [error-x]')],
    ['no records array', answer(200, { success: true, other: [] }), { expect: USERS }, retry('answered 200 but the body has no "users" array (keys: success, other)')],
    ['records not an array', answer(200, { users: {}, total: 0 }), PAGED, retry('answered 200 but the body has no "users" array (keys: users, total)')],
    ['no total on a paged route', answer(200, { users: [{ _id: 'a' }], success: true }), PAGED, fatal('GET /api/v1/users.list answered without a numeric "total": is endpoint a Rocket.Chat server?')],
    ['a string total', answer(200, page([], { total: '3' })), PAGED, fatal('GET /api/v1/users.list answered without a numeric "total": is endpoint a Rocket.Chat server?')],
    ['no total, not asked for', answer(200, { users: [], success: true }), { expect: USERS }, { kind: 'ok', body: { users: [], success: true } }],
    ['a record without _id', answer(200, page([{ _id: 'a' }, { name: 'x' }])), PAGED, fatal('GET /api/v1/users.list returned a users record without an _id')],
    ['an empty _id', answer(200, page([{ _id: '' }])), PAGED, fatal('GET /api/v1/users.list returned a users record without an _id')],
    ['a numeric _id', answer(200, page([{ _id: 7 }])), PAGED, fatal('GET /api/v1/users.list returned a users record without an _id')],
    ['a null record', answer(200, page([null])), PAGED, fatal('GET /api/v1/users.list returned a users record without an _id')],
    ['ids not asked for', answer(200, page([{ name: 'x' }])), { expect: { recordsKey: 'users', total: true } }, { kind: 'ok', body: page([{ name: 'x' }]) }],
    ['a removal without _id', answer(200, { update: [{ _id: 'r1' }], remove: [{ _deletedAt: '2024-01-01T00:00:00.000Z' }], success: true }), UNPAGED, fatal('GET /api/v1/users.list returned a rooms record without an _id')],
    ['no removals at all', answer(200, { update: [{ _id: 'r1' }], success: true }), UNPAGED, { kind: 'ok', body: { update: [{ _id: 'r1' }], success: true } }],
    ['no stream named', answer(200, page([{}])), { expect: { recordsKey: 'users', ids: true } }, fatal('GET /api/v1/users.list returned a record without an _id')],
  ];
  for (const [name, result, options, expected] of cases) {
    it(name, () => assert.deepEqual(classify(result, options, EX), expected));
  }
});

describe('classify: other statuses', () => {
  const RESET = String(NOW + 41_400);
  const tooMany = { success: false, error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again.' };
  const cases: Array<[string, HttpResponse, RequestOptions, Verdict]> = [
    ['a redirect', answer(301, '', { Location: 'https://sso.example.com/login' }), {}, fatal('GET /api/v1/users.list?count=100 on https://chat.example.com was redirected (301) to https://sso.example.com/login: set endpoint to the final base URL')],
    ['a redirect without Location', answer(302, ''), {}, fatal('GET /api/v1/users.list?count=100 on https://chat.example.com was redirected (302) to (no Location): set endpoint to the final base URL')],
    ['400', answer(400, { success: false, error: 'Invalid sort [error-invalid-sort]' }), {}, fatal('GET /api/v1/users.list?count=100 answered 400 (bad request): Invalid sort [error-invalid-sort]')],
    ['401', answer(401, { status: 'error', message: 'You must be logged in to do this.' }), {}, fatal('credentials rejected by https://chat.example.com (401 on GET /api/v1/users.list?count=100): check user_id and token')],
    ['403 with stream and permission', answer(403, { success: false, error: 'unauthorized' }), { stream: 'users', permission: 'view-d-room' }, fatal('permission denied for stream users: GET /api/v1/users.list?count=100 on https://chat.example.com answered 403 (unauthorized); the user needs the permission view-d-room')],
    ['403 bare', answer(403, ''), {}, fatal('permission denied: GET /api/v1/users.list?count=100 on https://chat.example.com answered 403 (empty body)')],
    ['404', answer(404, { success: false, error: 'Resource not found' }), {}, fatal('GET /api/v1/users.list?count=100 answered 404 (Resource not found): check that endpoint https://chat.example.com is the Rocket.Chat base URL (without /api/v1) and that the server version has this route')],
    ['408', answer(408, { error: 'timeout' }), {}, retry('answered 408 (timeout)')],
    ['418', answer(418, 'teapot'), {}, fatal('GET /api/v1/users.list?count=100 answered 418: teapot')],
    ['500', answer(500, { success: false, error: 'Internal server error' }), {}, retry('answered 500 (Internal server error)')],
    ['503 with Retry-After', answer(503, 'busy', { 'Retry-After': '7' }), {}, retry('answered 503 (busy)', { waitMs: 7000, waitSource: 'Retry-After' })],
    ['502 ignores Retry-After', answer(502, 'bad gateway', { 'Retry-After': '7' }), {}, retry('answered 502 (bad gateway)')],
    [
      '429 with X-RateLimit-Reset ahead: reset + pad',
      answer(429, tooMany, { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': RESET }),
      {}, limited(`answered 429 (${tooMany.error})`, 41_650, 'X-RateLimit-Reset'),
    ],
    [
      '429 with a reset already past: Retry-After',
      answer(429, tooMany, { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW - 5), 'Retry-After': '30' }),
      {}, limited(`answered 429 (${tooMany.error})`, 30_000, 'Retry-After'),
    ],
    ['429: the seconds in the body', answer(429, tooMany), {}, limited(`answered 429 (${tooMany.error})`, 42_000, 'the 429 body')],
    [
      '429 with a past reset and nothing else: the pad',
      answer(429, '', { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW - 5) }),
      {}, limited('answered 429 (empty body)', 250, 'X-RateLimit-Reset'),
    ],
    ['429 without any timing: 60 s', answer(429, '<html>429</html>'), {}, limited('answered 429 (<html>429</html>)', 60_000, 'the default')],
  ];
  for (const [name, result, options, expected] of cases) {
    it(name, () => assert.deepEqual(classify(result, options, EX), expected));
  }
});

describe('classify: network failures', () => {
  it('a retryable one is retried with its message', () =>
    assert.deepEqual(classify(new NetworkError('connection refused by chat.example.com (ECONNREFUSED)', 'refused', true), PAGED, EX), retry('connection refused by chat.example.com (ECONNREFUSED)')));
  it('one that cannot get better is fatal, naming request and endpoint', () =>
    assert.deepEqual(
      classify(new NetworkError('DNS lookup failed: host chat.example.com not found (ENOTFOUND); check endpoint', 'dns', false), PAGED, EX),
      fatal('GET /api/v1/users.list?count=100 on https://chat.example.com failed: DNS lookup failed: host chat.example.com not found (ENOTFOUND); check endpoint'),
    ));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DownstreamClosedError, HttpError, InputError, InterruptedError, RateLimitWaitError, TapError } from '../src/errors.js';
import { NetworkError, type NetworkErrorKind } from '../src/http.js';
import { failureLine, stopsTheRun, StreamsFailedError } from '../src/stream-failures.js';

const http = (status: number | undefined, cause?: NetworkError) => new HttpError('GET /x failed', status, '/x', 1, cause && { cause });
const net = (kind: NetworkErrorKind) => new NetworkError(kind, kind, true);

test('what one stream hits alone lets the others finish; what every stream would hit stops the run', () => {
  for (const err of [http(403), http(400), http(404), http(500), http(503), http(200), new RateLimitWaitError('too long', 429, '/x', 1)]) {
    assert.equal(stopsTheRun(err), false, `${err.status}`);
  }
  for (const kind of ['reset', 'timeout', 'truncated', 'other'] as const) assert.equal(stopsTheRun(http(undefined, net(kind))), false, kind);
  for (const kind of ['refused', 'dns', 'unreachable', 'tls'] as const) assert.equal(stopsTheRun(http(undefined, net(kind))), true, kind);
  assert.equal(stopsTheRun(http(401)), true, '401: the credentials are the same for every stream');
  assert.equal(stopsTheRun(http(undefined)), true, 'a network failure of unknown kind');
  for (const err of [new InputError('bad state'), new InterruptedError('SIGTERM'), new DownstreamClosedError('closed'), new TapError('x'), new TypeError('a bug')]) {
    assert.equal(stopsTheRun(err), true, err.name);
  }
});

test('the failure line names each failed stream and why, once', () => {
  const denied = new HttpError('permission denied for stream channels: GET /api/v1/channels.list answered 403 (no); the user needs the permission view-c-room', 403, '/c', 1);
  const exhausted = new HttpError('GET /api/v1/users.list failed after 4 attempts: answered 500 (oops)', 500, '/u', 4);
  assert.equal(
    failureLine([{ stream: 'channels', error: denied }, { stream: 'users', error: exhausted }], 7),
    '2 of 7 streams failed (the other 5 finished and wrote their STATE): channels: permission denied: GET /api/v1/channels.list answered 403 (no); ' +
      'the user needs the permission view-c-room | users: GET /api/v1/users.list failed after 4 attempts: answered 500 (oops)',
  );
  assert.equal(failureLine([{ stream: 'users', error: exhausted }], 1), exhausted.message, 'a run of one stream: its own error');
  assert.equal(failureLine([{ stream: 'users', error: exhausted }, { stream: 'channels', error: denied }], 2).startsWith('2 of 2 streams failed: users: '), true);
  const page = (route: string) => new HttpError(`GET /api/v1/${route}?count=1 failed after 2 attempts: answered 200 but the body is not JSON`, 200, route, 2);
  assert.equal(
    failureLine([{ stream: 'teams', error: page('teams.list') }, { stream: 'users', error: exhausted }, { stream: 'roles', error: page('roles.list') }], 3),
    '3 of 3 streams failed: teams, roles: GET … failed after 2 attempts: answered 200 but the body is not JSON | users: GET /api/v1/users.list failed after 4 attempts: answered 500 (oops)',
    'streams that failed alike share one reason',
  );
  const err = new StreamsFailedError([{ stream: 'users', error: exhausted }], 3);
  assert.equal(err.exitCode, 1);
  assert.ok(err instanceof TapError);
});

/**
 * Security of the built CLI: the token never reaches stdout, stderr, METRIC lines, errors, debug
 * output or STATE (the guard in test/support/run-tap.ts checks every run, including
 * --debug ones); error messages never echo request headers; TLS certificates are always verified.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulator/index.js';
import { fakeHttpsServer, fakeServer, hasOpenssl, proxyTo, selfSignedCert, type FakeServer, type Handler } from './support/fake-server.js';
import { configFor, emulator } from './support/emulator.js';
import { assertCleanFailure, errorLines, warningLines } from './support/log-lines.js';
import { catalogOf, runTap, tempDir, writeJson } from './support/run-tap.js';
import { assertExactStreams } from './support/singer.js';

const DEBUG_ENV = { TAP_ROCKETCHAT_LOGLEVEL: 'debug' };

describe('the token stays secret, --debug included', { concurrency: 4 }, () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 300 } });
  });
  after(() => emu.close());

  test('a run with retries and rate-limit waits, with --debug and log level debug', async () => {
    const own = await emulator({ data: { users: 300 } });
    try {
      own.setFaults([
        { route: '*', kind: 'status', status: 500, every: 5, times: 2 },
        { route: '*', kind: 'missing-key', every: 7, times: 1 },
        { route: 'users.list', kind: '429', nth: 2, waitMs: 300 },
      ]);
      const run = await runTap(['--config', configFor(own, 'admin', { page_size: 50 }), '--debug'], { env: DEBUG_ENV });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(warningLines(run.stderr).length >= 3, `retry and wait warnings were logged:\n${run.stderr}`);
      assert.match(run.stderr, /METRIC: /);
      assertExactStreams(run.messages, own);
    } finally {
      await own.close();
    }
  });

  test('a failing run with --debug prints a stack trace, still without the token', async () => {
    const run = await runTap(['--config', configFor(emu, 'restricted'), '--catalog', catalogOf(['users']), '--debug'], { env: DEBUG_ENV });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\n\s+at /, 'the stack is there with --debug');
    assert.equal(errorLines(run.stderr).length, 1);
  });

  test('--config ENV with --debug', async () => {
    const who = emu.identities.bot;
    const env = { ...DEBUG_ENV, TAP_ROCKETCHAT_ENDPOINT: emu.url, TAP_ROCKETCHAT_USER_ID: who.userId, TAP_ROCKETCHAT_TOKEN: who.token, TAP_ROCKETCHAT_RETRY_BACKOFF: '0.01' };
    const run = await runTap(['--config', 'ENV', '--catalog', catalogOf(['roles', 'users']), '--debug'], { env });
    assert.equal(run.code, 0, run.stderr);
    assertExactStreams(run.messages, emu, 'bot', ['roles', 'users']);
  });

  test('--test with --debug', async () => {
    const run = await runTap(['--config', configFor(emu, 'user'), '--test', '--debug'], { env: DEBUG_ENV });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /connection test passed/);
  });

  test('a revoked token with --debug: the 401 message does not quote it', async () => {
    emu.revokeToken('app');
    try {
      const run = await runTap(['--config', configFor(emu, 'app'), '--catalog', catalogOf(['roles']), '--debug'], { env: DEBUG_ENV });
      assert.equal(run.code, 1);
      assert.match(errorLines(run.stderr)[0]!, /^credentials rejected by http:\/\/127\.0\.0\.1:\d+ \(401 on GET \/api\/v1\/roles\.list\): check user_id and token$/);
    } finally {
      emu.restoreToken('app');
    }
  });

  test('a config file that is not valid JSON never quotes the token', async () => {
    // A token pasted without quotes: V8's JSON.parse message quotes the text around the error.
    const token = 'Kq3vT9xYb2LmN8pRs4WdZ7hJc1FgUe6Ao0iXyMtBnQ';
    const text = `{"endpoint": "${emu.url}", "user_id": "${emu.identities.admin.userId}", "token": ${token}}`;
    const path = writeJson(tempDir(), 'config.json', text);
    const run = await runTap(['--config', path], { secrets: [token] });
    const message = assertCleanFailure(run, 2);
    assert.ok(message.startsWith(`config file ${path} is not valid JSON`), message);
    assert.ok(!run.stderr.includes(token.slice(0, 6)), `the start of the token is printed: ${message}`);
  });
});

describe('error messages never echo request headers', { concurrency: 4 }, () => {
  const USER_ID = 'aobEdbYhXfu5hkeqG';
  const TOKEN = 'tok-echo-Q7w8E9r0T1y2U3i4O5p6';
  /** The request headers as a server might reflect them. */
  const echoed = (req: Parameters<Handler>[0]): string => `x-user-id=${String(req.headers['x-user-id'])} x-auth-token=${String(req.headers['x-auth-token'])}`;
  const cases: Array<{ name: string; handler: Handler; code?: number }> = [
    { name: '400 whose error echoes the headers', handler: (req, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ success: false, error: `bad request from ${echoed(req)}` })) },
    { name: '500 HTML echoing the headers', handler: (req, res) => res.writeHead(500, { 'Content-Type': 'text/html' }).end(`<html><body>${echoed(req)}</body></html>`) },
    { name: '403 echoing the headers', handler: (req, res) => res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ success: false, error: `denied: ${echoed(req)}` })) },
    { name: '404 echoing the headers', handler: (req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end(echoed(req)) },
    { name: '200 with a body that is not JSON, starting with the headers', handler: (req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${echoed(req)} <html>`) },
    { name: '200 with success: false echoing the headers', handler: (req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ success: false, error: echoed(req) })) },
    { name: 'a redirect to a URL holding the headers', handler: (req, res) => res.writeHead(302, { Location: `https://sso.example.com/login?${echoed(req).replace(/ /g, '&')}` }).end() },
    { name: '429 whose body echoes the headers, wait too long', handler: (req, res) => res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '3600' }).end(JSON.stringify({ error: echoed(req) })) },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const server: FakeServer = await fakeServer(c.handler);
      try {
        const config = writeJson(tempDir(), 'config.json', { endpoint: server.url, user_id: USER_ID, token: TOKEN, max_retries: 1, retry_backoff: 0.01, max_rate_limit_wait: 60 });
        const run = await runTap(['--config', config, '--catalog', catalogOf(['users'])], { secrets: [TOKEN] });
        const message = assertCleanFailure(run, 1);
        assert.ok(server.requests.length > 0 && server.requests[0]!.headers['x-auth-token'] === TOKEN, 'the server got the credentials');
        assert.ok(!message.includes(USER_ID), `the user id is echoed: ${message}`);
        assert.ok(!run.stderr.includes(USER_ID), 'the user id is echoed in a log line');
        assert.ok(message.includes('/api/v1/users.list'), `the message names the endpoint: ${message}`);
      } finally {
        await server.close();
      }
    });
  }
});

describe('TLS certificates are always verified', { concurrency: 4, skip: hasOpenssl() ? false : 'openssl is not installed: cannot make a certificate' }, () => {
  let emu: Emulator;
  let dir: string;
  let cert: { keyPath: string; certPath: string };
  let wrongName: { keyPath: string; certPath: string };
  let good: FakeServer;
  let mismatched: FakeServer;
  before(async () => {
    emu = await emulator({ data: { users: 120 } });
    dir = tempDir();
    cert = selfSignedCert(dir, ['127.0.0.1']);
    wrongName = selfSignedCert(tempDir(), ['chat.example.com']);
    const tls = (c: typeof cert) => ({ key: readFileSync(c.keyPath, 'utf8'), cert: readFileSync(c.certPath, 'utf8') });
    good = await fakeHttpsServer(tls(cert), proxyTo(emu.url));
    mismatched = await fakeHttpsServer(tls(wrongName), proxyTo(emu.url));
  });
  after(async () => {
    await good?.close();
    await mismatched?.close();
    await emu?.close();
  });

  const config = (server: FakeServer): string => {
    const who = emu.identities.admin;
    return writeJson(tempDir(), 'config.json', { endpoint: server.url, user_id: who.userId, token: who.token, max_retries: 1, retry_backoff: 0.01 });
  };

  test('a self-signed certificate: exit 1, a clear certificate message', async () => {
    const run = await runTap(['--config', config(good), '--catalog', catalogOf(['roles'])], { env: { NODE_EXTRA_CA_CERTS: undefined } });
    const message = assertCleanFailure(run, 1);
    const host = new URL(good.url).host;
    assert.equal(
      message,
      `GET /api/v1/roles.list on ${good.url} failed: TLS error talking to ${host}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); for a private CA set NODE_EXTRA_CA_CERTS`,
    );
  });

  test('the same certificate trusted through NODE_EXTRA_CA_CERTS: the sync succeeds', async () => {
    const run = await runTap(['--config', config(good)], { env: { NODE_EXTRA_CA_CERTS: cert.certPath } });
    assert.equal(run.code, 0, run.stderr);
    assertExactStreams(run.messages, emu);
  });

  test('a trusted certificate for another host name: exit 1', async () => {
    const run = await runTap(['--config', config(mismatched), '--catalog', catalogOf(['roles'])], { env: { NODE_EXTRA_CA_CERTS: wrongName.certPath } });
    const message = assertCleanFailure(run, 1);
    assert.match(
      message,
      /^GET \/api\/v1\/roles\.list on https:\/\/127\.0\.0\.1:\d+ failed: TLS error talking to 127\.0\.0\.1:\d+: Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: ?\(ERR_TLS_CERT_ALTNAME_INVALID\); for a private CA set NODE_EXTRA_CA_CERTS$/,
    );
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment does not turn verification off', async () => {
    const run = await runTap(['--config', config(good), '--catalog', catalogOf(['roles'])], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_EXTRA_CA_CERTS: undefined } });
    assert.equal(run.code, 1, 'the self-signed certificate is still refused');
    assert.match(errorLines(run.stderr)[0] ?? '', /self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });
});

/**
 * What the built CLI says on stderr: debug lines per request, METRIC lines by metrics_log_level,
 * the closing summary, progress on rate-limit waits, Meltano's log formats, and network errors
 * that are one clear line at once.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulator/index.js';
import { configFor, emulator, withEmulator } from './support/emulator.js';
import { assertCleanFailure, errorLines, warningLines } from './support/log-lines.js';
import { catalogOf, runTap, tempDir, writeJson } from './support/run-tap.js';

const STREAMS = ['roles', 'users'];
const USERS = '/api/v1/users.list';

/** The message part of the INFO lines. */
function infoLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => / \| INFO +\| /.test(l)).map((l) => l.replace(/^.*? \| INFO +\| \S+ *\| /, ''));
}

/** A loopback port that nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('logs worth reading', { concurrency: 4 }, () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 450 } });
  });
  after(() => emu.close());

  test('log level debug: one line per request with method, path, status, time and attempt, never a header', async () => {
    const run = await runTap(['--config', configFor(emu, 'admin', { page_size: 100 }), '--catalog', catalogOf(STREAMS)], { env: { TAP_ROCKETCHAT_LOGLEVEL: 'debug' } });
    assert.equal(run.code, 0, run.stderr);
    const requests = run.stderr.split('\n').filter((l) => / \| DEBUG +\| tap-rocketchat\.http +\| GET /.test(l));
    const users = requests.filter((l) => l.includes(USERS));
    assert.ok(users.length >= 5, `a debug line per users.list page:\n${run.stderr.slice(0, 3000)}`);
    for (const line of requests) assert.match(line, /\| GET \/api\/v1\/\S+ -> 200 in \d+ ms \(attempt 1, ok\)$/);
    assert.doesNotMatch(run.stderr, /x-auth-token|x-user-id/i);
  });

  test('LOGLEVEL works too, and an unknown level is an error naming the allowed ones', async () => {
    const debug = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles'])], { env: { TAP_ROCKETCHAT_LOGLEVEL: undefined, LOGLEVEL: 'DEBUG' } });
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stderr, /\| DEBUG +\| tap-rocketchat\.http +\| GET \/api\/v1\/roles\.list -> 200/);
    const bad = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles'])], { env: { TAP_ROCKETCHAT_LOGLEVEL: 'verbose' } });
    assert.equal(assertCleanFailure(bad, 2), 'TAP_ROCKETCHAT_LOGLEVEL must be one of debug, info, warning, error (got "verbose")');
    assert.equal(bad.stdout, '', 'nothing was synced');
  });

  test('metrics_log_level: info writes per-stream metrics only, debug adds one per request, warning none', async () => {
    const metrics = async (extra: Record<string, unknown>) => {
      const run = await runTap(['--config', configFor(emu, 'admin', extra), '--catalog', catalogOf(STREAMS)], { env: { TAP_ROCKETCHAT_LOGLEVEL: 'info' } });
      assert.equal(run.code, 0, run.stderr);
      return run.stderr.split('\n').filter((l) => l.includes('METRIC: ')).map((l) => (JSON.parse(l.slice(l.indexOf('METRIC: ') + 8)) as { metric: string }).metric);
    };
    const byDefault = await metrics({});
    assert.ok(byDefault.includes('record_count') && byDefault.includes('sync_duration') && byDefault.includes('job_duration'), byDefault.join(', '));
    assert.ok(!byDefault.includes('http_request_duration'), 'no per-request metric by default');
    assert.ok(byDefault.length <= 3 * STREAMS.length + 1, `a few METRIC lines, not one per request: ${byDefault.length}`);
    const debug = await metrics({ metrics_log_level: 'DEBUG' });
    assert.ok(debug.filter((m) => m === 'http_request_duration').length >= 5, 'one per request at debug');
    assert.deepEqual(await metrics({ metrics_log_level: 'warning' }), []);
    const bad = await runTap(['--config', configFor(emu, 'admin', { metrics_log_level: 'loud' }), '--catalog', catalogOf(STREAMS)]);
    assert.equal(assertCleanFailure(bad, 2), 'config: "metrics_log_level" must be one of debug, info, warning, error (got "loud")');
  });

  test('every run ends with a summary per stream: records, deletions, requests, retries, 429s, time', () =>
    withEmulator({ data: { users: 450 } }, async (own) => {
      own.setFaults([{ route: 'users.list', kind: 'status', status: 500, nth: [2] }, { route: 'users.list', kind: '429', nth: [4], waitMs: 200 }]);
      const run = await runTap(['--config', configFor(own, 'admin'), '--catalog', catalogOf(STREAMS)]);
      assert.equal(run.code, 0, run.stderr);
      const summary = infoLines(run.stderr).filter((l) => l.startsWith('summary'));
      const requests = own.stats().byRoute[USERS]!.requests;
      const users = own.expected('users').length;
      assert.equal(summary.length, 3, summary.join('\n'));
      assert.match(summary[0]!, /^summary roles: \d+ records, 0 deletions; 1 request, 0 retries, 0 429s; \d+\.\d s$/);
      assert.match(summary[1]!, new RegExp(`^summary users: ${users} records, 0 deletions; ${requests} requests, 1 retry, 1 429; \\d+\\.\\d s$`));
      assert.match(summary[2]!, /^summary: 2 streams, \d+ records, 0 deletions; \d+ requests, 1 retry, 1 429; /);
    }));

  test('a rate-limited run reports progress when it waits: records, pages done of pages known, ETA from the budget', () =>
    withEmulator({ data: { users: 1_500 }, rateLimit: { calls: 5, windowMs: 1_000 } }, async (own) => {
      const run = await runTap(['--config', configFor(own, 'user'), '--catalog', catalogOf(['users'])]);
      assert.equal(run.code, 0, run.stderr);
      const progress = infoLines(run.stderr).filter((l) => l.startsWith('progress'));
      assert.ok(progress.length >= 1, `a progress line at a rate-limit wait:\n${run.stderr}`);
      const pages = Math.ceil(own.expected('users', 'user').length / 100);
      for (const line of progress) {
        assert.match(line, new RegExp(`^progress users: \\d+ records, \\d+ of ${pages} pages, ETA [\\d.]+ s \\(rate limited: \\d+ of 5 calls left in this [\\d.]+ s window\\)$`));
      }
    }));

  test("under Meltano's structured logging (SINGER_SDK_LOG_CONFIG): one JSON object a line, with the tap's own level", async () => {
    const config = writeJson(tempDir(), 'logging.json', {
      version: 1, formatters: { singer_formatter: { '()': 'singer_sdk.logging.StructuredFormatter' } },
      handlers: { console: { class: 'logging.StreamHandler', formatter: 'singer_formatter', stream: 'ext://sys.stderr' } },
      root: { handlers: ['console'], level: 'INFO' },
    });
    const env = { SINGER_SDK_LOG_CONFIG: config, TAP_ROCKETCHAT_LOGLEVEL: undefined, LOGLEVEL: undefined };
    const good = await runTap(['--config', configFor(emu), '--catalog', catalogOf(['roles'])], { env });
    assert.equal(good.code, 0, good.stderr);
    const lines = good.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.level === 'info' && String(l.message).startsWith('summary roles: ')));
    const bad = await runTap(['--config', configFor(emu, 'admin', { token: 'not-the-token' }), '--catalog', catalogOf(['roles'])], { env });
    assert.equal(bad.code, 1);
    const errors = bad.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'error');
    assert.equal(errors.length, 1, bad.stderr);
    assert.match(String(errors[0]!.message), /^credentials rejected by /);
  });
});

describe('network errors: fast and clear', { concurrency: 3 }, () => {
  test('nothing listening: one line naming host and port, no retry warnings', async () => {
    const port = await freePort();
    const config = writeJson(tempDir(), 'config.json', { endpoint: `http://127.0.0.1:${port}`, user_id: 'u1234567', token: 'tok-123456', max_retries: 5, retry_backoff: 1 });
    const run = await runTap(['--config', config]);
    const error = assertCleanFailure(run, 1);
    assert.match(error, new RegExp(`^GET /api/v1/\\S+ on http://127\\.0\\.0\\.1:${port} failed: connection refused by 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): is the server running, and is endpoint right\\?$`));
    assert.deepEqual(warningLines(run.stderr), [], 'no retries: nothing ever answered there');
  });

  test('an unknown host: one line naming it, no retry warnings', async () => {
    const config = writeJson(tempDir(), 'config.json', { endpoint: 'https://no-such-host.invalid', user_id: 'u1234567', token: 'tok-123456' });
    const run = await runTap(['--config', config, '--catalog', catalogOf(['roles'])]);
    const error = assertCleanFailure(run, 1);
    assert.match(error, /no-such-host\.invalid/);
    assert.match(error, /no-such-host\.invalid:443/, 'the port too');
    assert.deepEqual(warningLines(run.stderr), []);
  });

  test('https:// against a plain-HTTP server: "does not speak TLS", no CA advice, no OpenSSL dump', () =>
    withEmulator({}, async (emu) => {
      const hostPort = new URL(emu.url).host;
      const run = await runTap(['--config', configFor(emu, 'admin', { endpoint: emu.url.replace('http:', 'https:') }), '--catalog', catalogOf(['roles'])]);
      const error = assertCleanFailure(run, 1);
      assert.equal(error, `GET /api/v1/roles.list on https://${hostPort} failed: the server at ${hostPort} does not speak TLS: is the endpoint http://${hostPort}? (wrong version number; EPROTO)`);
      assert.doesNotMatch(error, /NODE_EXTRA_CA_CERTS|\\n|openssl/i);
      assert.deepEqual(errorLines(run.stderr).length, 1);
    }));
});

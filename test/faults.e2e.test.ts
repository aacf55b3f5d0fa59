/**
 * Reliability of the built CLI against the emulator on a real loopback port: rate-limit storms,
 * server and network faults (transient and persistent), credentials revoked mid-run,
 * permissions, data changing under offset pagination, slow and closing downstream readers,
 * signals, and a large run with a 10 % fault rate. Every run goes through the secret guard
 * (test/support/run-tap.ts).
 *
 * FAULT_MATRIX_FILE=path collects one JSON line per scenario for the fault-matrix report.
 * TAP_LARGE_RUN_USERS=1000000 runs the large fault-rate test by hand at that size.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator, FaultRule, MutationSpec } from '../emulator/index.js';
import { STREAMS } from '../src/streams.js';
import { fakeServer, proxyTo } from './support/fake-server.js';
import { recordRow } from './support/fault-matrix.js';
import { configFor, withEmulator } from './support/emulator.js';
import { assertCleanFailure, errorLines, warningLines } from './support/log-lines.js';
import { catalogOf, runTap, spawnTap, waitUntil, whileRunning, withTap, type RawRun, type SpawnedTap } from './support/run-tap.js';
import { STREAM_NAMES, assertExactStreams, assertWholeJsonLines, lastState, parseMessages, recordsOf, type SingerMessage } from './support/singer.js';

const USERS = 300;
const USERS_PATH = '/api/v1/users.list';
/** The users.list request line of the first page, as the tap prints it. */
const firstUsersPage = (count: number): string => `GET ${USERS_PATH}?offset=0&count=${count}&sort={"_id":1}`;
/** The start of the line of a run of every stream in which `stream` alone failed (src/stream-failures.ts). */
const onlyFailed = (stream: string): string =>
  `1 of ${STREAM_NAMES.length} streams failed (the other ${STREAM_NAMES.length - 1} finished and wrote their STATE): ${stream}: `;

/**
 * Every request that got a fault with a wait (429s, 503 + Retry-After) was retried no earlier
 * than `minWaitMs` later: the tap waited as told. Returns the shortest wait seen.
 */
function assertWaited(emu: Emulator, minWaitMs: number): number {
  const faulted = emu.requests.filter((r) => r.status === 429 || (r.fault === 'status' && r.status === 503));
  assert.ok(faulted.length > 0, 'some waits happened');
  let shortest = Infinity;
  for (const hit of faulted) {
    const key = JSON.stringify(hit.query);
    const retry = emu.requests.find((r) => r.path === hit.path && JSON.stringify(r.query) === key && r.time > hit.time);
    assert.ok(retry, `${hit.path} ${key} was retried`);
    shortest = Math.min(shortest, retry.time - hit.time);
    assert.ok(retry.time - hit.time >= minWaitMs - 30, `${hit.path} retried after ${retry.time - hit.time} ms, expected at least ${minWaitMs} ms`);
  }
  return shortest;
}

function totals(checks: ReturnType<typeof assertExactStreams>): { expected: number; emitted: number; duplicates: number } {
  return checks.reduce((t, c) => ({ expected: t.expected + c.expected, emitted: t.emitted + c.emitted, duplicates: t.duplicates + c.duplicates }), {
    expected: 0,
    emitted: 0,
    duplicates: 0,
  });
}

// ---------------------------------------------------------------------------------------------
// Transient faults: retried (or waited out), then the run completes with exact output.

interface Transient {
  name: string;
  faults: FaultRule[];
  config?: Record<string, unknown>;
  /** How many times the rules must have fired. */
  fired: number;
  /** The tap must have waited at least this long before retrying a faulted request. */
  minWaitMs?: number;
  /** The wait's source named in the warning ("per X-RateLimit-Reset", ...). */
  waitSource?: string;
  /** Text of the retry warnings. */
  warning: RegExp;
  /**
   * Timeout faults: on a loaded machine an ordinary request can also outlast the short
   * request_timeout; such extra (retried) timeouts are allowed, as long as the output is exact.
   */
  timeouts?: boolean;
}

/** Faults spread over every route ('*'): every 3rd matching request, a fixed number of times. */
const spread = (rule: Omit<FaultRule, 'route'>, times = 4, every = 3): FaultRule[] => [{ route: '*', every, times, ...rule }];

const TRANSIENT: Transient[] = [
  {
    name: '429 storm with X-RateLimit-* headers',
    faults: spread({ kind: '429', waitMs: 1000 }, 4, 2),
    fired: 4,
    minWaitMs: 1000,
    waitSource: 'X-RateLimit-Reset',
    warning: /was rate limited \(attempt \d\): waiting 1(\.\d)? s per X-RateLimit-Reset$/,
  },
  {
    name: '429 storm with only Retry-After (seconds)',
    faults: spread({ kind: '429-retry-after', retryAfter: 1 }, 4, 2),
    fired: 4,
    minWaitMs: 1000,
    warning: /was rate limited \(attempt \d\): waiting 1 s per Retry-After$/,
  },
  {
    name: '429 storm with only Retry-After (HTTP-date)',
    faults: spread({ kind: '429-retry-after', retryAfter: 'http-date', retryAfterSeconds: 1 }, 4, 2),
    fired: 4,
    minWaitMs: 950,
    warning: /was rate limited \(attempt \d\): waiting \d(\.\d)? s per Retry-After$/,
  },
  {
    name: '429 storm with neither (body "You must wait N seconds")',
    faults: spread({ kind: '429-body-only', waitMs: 1000 }, 4, 2),
    fired: 4,
    minWaitMs: 1000,
    warning: /was rate limited \(attempt \d\): waiting 1 s per the 429 body$/,
  },
  {
    name: '503 with Retry-After: 1',
    faults: spread({ kind: 'status', status: 503, retryAfter: 1 }, 3),
    fired: 3,
    minWaitMs: 1000,
    warning: /attempt \d of 4 failed: answered 503 \(Service Unavailable\); retrying in 1 s$/,
  },
  ...[500, 502, 503, 504].map(
    (status): Transient => ({
      name: `${status} with JSON and HTML bodies`,
      faults: [
        { route: '*', kind: 'status', status, body: 'json', every: 3, times: 2 },
        { route: '*', kind: 'status', status, body: 'html', every: 4, times: 2 },
      ],
      fired: 4,
      warning: new RegExp(`failed: answered ${status} \\((Internal server error|Bad Gateway|Service Unavailable|Gateway Timeout|<html> <head><title>${status} .*)\\); retrying in`),
    }),
  ),
  {
    name: 'connection reset before the response',
    faults: spread({ kind: 'reset-before' }),
    fired: 4,
    warning: /failed: connection reset before the response arrived \(ECONNRESET\); retrying in/,
  },
  {
    name: 'connection reset during the body',
    faults: spread({ kind: 'reset-mid-body' }),
    fired: 4,
    warning: /failed: response body truncated: the connection closed after \d+ bytes \(ECONNRESET\); retrying in/,
  },
  {
    name: 'truncated body (Content-Length not reached)',
    faults: spread({ kind: 'truncated' }),
    fired: 4,
    warning: /failed: response body truncated: .*; retrying in/,
  },
  {
    name: 'gzip body cut halfway (the length checks out, the body does not decode)',
    faults: spread({ kind: 'truncated-gzip' }),
    fired: 4,
    warning: /failed: response body truncated or damaged: \d+ bytes of gzip did not decode \(Z_BUF_ERROR\); retrying in/,
  },
  {
    name: '200 with invalid JSON',
    faults: spread({ kind: 'invalid-json' }),
    fired: 4,
    warning: /failed: answered 200 but the body is not JSON \(starts with ".*"\): is http:\/\/127\.0\.0\.1:\d+ a Rocket\.Chat server\?; retrying in/,
  },
  {
    name: 'HTML login page with 200',
    faults: spread({ kind: 'html-200' }),
    fired: 4,
    warning: /failed: answered 200 but the body is not JSON \(starts with "<!DOCTYPE html>.*"\): is http:\/\/127\.0\.0\.1:\d+ a Rocket\.Chat server\?; retrying in/,
  },
  {
    name: 'JSON without the records key',
    faults: spread({ kind: 'missing-key' }),
    fired: 4,
    warning: new RegExp(`failed: answered 200 but the body has no "(${[...new Set(STREAMS.map((s) => s.recordsKey))].join('|')})" array \\(keys: success\\); retrying in`),
  },
  {
    name: 'response slower than request_timeout',
    faults: spread({ kind: 'slow', delayMs: 1500 }, 3),
    config: { request_timeout: 0.5 },
    fired: 3,
    warning: /failed: timed out after 0\.5 s before the response headers; retrying in/,
    timeouts: true,
  },
  {
    name: 'stalled response (never answers)',
    faults: spread({ kind: 'stall' }, 2),
    config: { request_timeout: 0.5 },
    fired: 2,
    warning: /failed: timed out after 0\.5 s before the response headers; retrying in/,
    timeouts: true,
  },
];


/**
 * The streams of one request per route and page. Messages are read per room, so their requests
 * (and their own rooms.get and channels.list) would interleave with the per-route fault counts
 * and retry timings these tests check; test/messages*.e2e.test.ts covers them.
 */
const METADATA_STREAMS = STREAM_NAMES.filter((name) => name !== 'messages');
let metadataCatalog: string | undefined;
function metadataStreams(): string {
  return (metadataCatalog ??= catalogOf(METADATA_STREAMS));
}

describe('server and network faults', { concurrency: 3 }, () => {
  describe('transient faults are retried and the run completes exactly', { concurrency: 4 }, () => {
    for (const s of TRANSIENT) {
      test(s.name, { timeout: 30_000 }, () =>
        withEmulator({ data: { users: USERS } }, async (emu) => {
          emu.setFaults(s.faults);
          const run = await runTap(['--config', configFor(emu, 'admin', { page_size: 25, ...s.config }), '--catalog', metadataStreams()]);
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(errorLines(run.stderr), []);
          const checks = assertExactStreams(run.messages, emu, 'admin', METADATA_STREAMS);
          assert.equal(emu.stats().faultsFired, s.fired, 'faults fired');
          const warnings = warningLines(run.stderr);
          if (s.timeouts) assert.ok(warnings.length >= s.fired, `at least one warning per fault:\n${warnings.join('\n')}`);
        else assert.equal(warnings.length, s.fired, `one warning per fault:\n${warnings.join('\n')}`);
          for (const w of warnings) assert.match(w, s.warning);
          const shortest = s.minWaitMs === undefined ? undefined : assertWaited(emu, s.minWaitMs);
          const t = totals(checks);
          recordRow({ group: 'transient', fault: s.name, runs: 1, ...t, outcome: `exit 0, ${s.fired} faults retried`, extra: { shortestWaitMs: shortest } });
        }),
      );
    }

    test('the real rate limiter (ordinary user token, 4 calls per 1 s window): paced, no 429, exact', { timeout: 30_000 }, () =>
      withEmulator(
        { data: { users: USERS }, rateLimit: { calls: 4, windowMs: 1000 } },
        async (emu) => {
          const run = await runTap(['--config', configFor(emu, 'user', { page_size: 50 }), '--catalog', metadataStreams()]);
          assert.equal(run.code, 0, run.stderr);
          const checks = assertExactStreams(run.messages, emu, 'user', METADATA_STREAMS);
          const stats = emu.stats();
          assert.equal(stats.rateLimited, 0, 'the pacer spends the budget without overdrawing it');
          assert.ok(stats.byRoute[USERS_PATH]!.requests > 4, 'users.list needed more than one window');
          recordRow({ group: 'transient', fault: 'real limiter, 4 calls / 1 s (user token)', runs: 1, ...totals(checks), outcome: `exit 0, ${stats.rateLimited} 429s` });
        },
      ),
    );
  });

  // ---------------------------------------------------------------------------------------------
  // The same faults, persistent: after max_retries, exit 1 with one clear line.

  interface Persistent {
    name: string;
    fault: Omit<FaultRule, 'route'>;
    config?: Record<string, unknown>;
    /** The reason after "failed after 3 attempts: ". */
    reason: (emu: Emulator) => string | RegExp;
  }

  const PERSISTENT: Persistent[] = [
    { name: '500 JSON', fault: { kind: 'status', status: 500 }, reason: () => 'answered 500 (Internal server error)' },
    {
      name: '502 HTML',
      fault: { kind: 'status', status: 502, body: 'html' },
      reason: () => 'answered 502 (<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>)',
    },
    { name: '503 JSON', fault: { kind: 'status', status: 503 }, reason: () => 'answered 503 (Service Unavailable)' },
    { name: '504 empty body', fault: { kind: 'status', status: 504, body: 'empty' }, reason: () => 'answered 504 (empty body)' },
    { name: 'connection reset before the response', fault: { kind: 'reset-before' }, reason: () => 'connection reset before the response arrived (ECONNRESET)' },
    {
      name: 'connection reset during the body',
      fault: { kind: 'reset-mid-body' },
      reason: () => /^response body truncated: the connection closed after \d+ bytes \(ECONNRESET\)$/,
    },
    { name: 'truncated body', fault: { kind: 'truncated' }, reason: () => /^response body truncated: .+$/ },
    { name: 'gzip body cut halfway', fault: { kind: 'truncated-gzip' }, reason: () => /^response body truncated or damaged: \d+ bytes of gzip did not decode \(Z_BUF_ERROR\)$/ },
    {
      name: '200 with invalid JSON',
      fault: { kind: 'invalid-json' },
      reason: (emu) => `answered 200 but the body is not JSON (starts with "{\\"users\\":[{\\"_id\\":\\"fault000000000000\\",\\"n…"): is ${emu.url} a Rocket.Chat server?`,
    },
    {
      name: 'HTML login page with 200',
      fault: { kind: 'html-200' },
      reason: (emu) => `answered 200 but the body is not JSON (starts with "<!DOCTYPE html> <html lang=\\"en\\"><head><…"): is ${emu.url} a Rocket.Chat server?`,
    },
    { name: 'JSON without the records key', fault: { kind: 'missing-key' }, reason: () => 'answered 200 but the body has no "users" array (keys: success)' },
    {
      name: 'response slower than request_timeout',
      fault: { kind: 'slow', delayMs: 1000 },
      config: { request_timeout: 0.3 },
      reason: () => 'timed out after 0.3 s before the response headers',
    },
  ];

  describe('persistent faults: exit 1 after the retry limit, naming endpoint, reason and attempts', { concurrency: 4 }, () => {
    for (const p of PERSISTENT) {
      test(p.name, { timeout: 30_000 }, () =>
        withEmulator({ data: { users: USERS } }, async (emu) => {
          emu.setFaults([{ route: 'users.list', ...p.fault }]);
          // Only users: the other streams would finish around it (the field-report tests check that).
          const run = await runTap(['--config', configFor(emu, 'admin', { max_retries: 2, ...p.config }), '--catalog', catalogOf(['users'])]);
          const message = assertCleanFailure(run, 1);
          const prefix = `${firstUsersPage(100)} failed after 3 attempts: `;
          assert.ok(message.startsWith(prefix), message);
          const reason = p.reason(emu);
          if (typeof reason === 'string') assert.equal(message, prefix + reason);
          else assert.match(message.slice(prefix.length), reason);
          // A 'slow' request is logged when the emulator answers, after the tap gave up on it.
          await waitUntil(() => (emu.stats().byRoute[USERS_PATH]?.requests ?? 0) >= 3, 3000, 'the requests to be logged');
          await sleep(50);
          assert.equal(emu.stats().byRoute[USERS_PATH]!.requests, 3, 'one try and max_retries (2) retries');
          assert.equal(recordsOf(run.messages, 'users').length, 0);
          assert.ok(!run.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'users'), 'no ACTIVATE_VERSION for the failed stream');
          recordRow({
            group: 'persistent',
            fault: p.name,
            runs: 1,
            expected: emu.expected('users', 'admin').length,
            emitted: 0,
            duplicates: 0,
            outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}`,
          });
        }),
      );
    }
  test('429s before the failures do not spend the retry budget nor skew the attempt count', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: USERS } }, async (emu) => {
      emu.setFaults([
        { route: 'users.list', kind: '429', nth: [1, 2], waitMs: 300 },
        { route: 'users.list', kind: 'status', status: 500, after: 2 },
      ]);
      const run = await runTap(['--config', configFor(emu, 'admin', { max_retries: 2 }), '--catalog', catalogOf(['users'])]);
      const message = assertCleanFailure(run, 1);
      assert.equal(message, `${firstUsersPage(100)} failed after 3 attempts (and 2 rate-limit waits): answered 500 (Internal server error)`);
      const warnings = warningLines(run.stderr).map((w) =>
        w.replace(/^.* on http:\/\/127\.0\.0\.1:\d+ /, '').replace(/waiting [\d.]+ s/, 'waiting N s').replace(/retrying in [\d.]+ s$/, 'retrying in N s'),
      );
      assert.deepEqual(warnings, [
        'was rate limited (attempt 1): waiting N s per X-RateLimit-Reset',
        'was rate limited (attempt 2): waiting N s per X-RateLimit-Reset',
        'attempt 1 of 3 failed: answered 500 (Internal server error); retrying in N s',
        'attempt 2 of 3 failed: answered 500 (Internal server error); retrying in N s',
      ]);
      assert.equal(emu.stats().byRoute[USERS_PATH]!.requests, 5);
    }),
  );
  /** A front for the emulator whose first `stalls` users.list answers send headers and half a body, then hang. */
  async function stallingBodyFront(emu: Emulator, stalls: number) {
    let seen = 0;
    const forward = proxyTo(emu.url);
    return fakeServer((req, res) => {
      if (req.url?.startsWith(USERS_PATH) && seen++ < stalls) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '5000' });
        res.write('{"users":[{"_id":"aaaa","username":"half');
        return; // never ends
      }
      forward(req, res);
    });
  }

  test('a body slower than request_timeout, twice: retried, exact', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: USERS } }, async (emu) => {
      const front = await stallingBodyFront(emu, 2);
      try {
        const who = emu.identities.admin;
        const config = configFor(emu, 'admin', { endpoint: front.url, request_timeout: 0.5, page_size: 50 });
        const run = await runTap(['--config', config, '--catalog', metadataStreams()], { secrets: [who.token] });
        assert.equal(run.code, 0, run.stderr);
        const checks = assertExactStreams(run.messages, emu, 'admin', METADATA_STREAMS);
        const warnings = warningLines(run.stderr);
        assert.equal(warnings.filter((w) => /while reading the body/.test(w)).length, 2, warnings.join('\n'));
        for (const w of warnings) assert.match(w, /attempt \d of 4 failed: timed out after 0\.5 s (while reading the body \(\d+ bytes received\)|before the response headers); retrying in/);
        recordRow({ group: 'transient', fault: 'body slower than request_timeout', runs: 1, ...totals(checks), outcome: 'exit 0, 2 faults retried' });
      } finally {
        await front.close();
      }
    }),
  );

  test('a body slower than request_timeout, always: exit 1 naming the stage', { timeout: 30_000 }, () =>
    withEmulator({ data: { users: USERS } }, async (emu) => {
      const front = await stallingBodyFront(emu, Infinity);
      try {
        // The body never comes, so a longer timeout costs only time; 0.3 s could pass before the
        // headers on a loaded machine and then name the wrong stage.
        const run = await runTap(['--config', configFor(emu, 'admin', { endpoint: front.url, request_timeout: 1, max_retries: 2 }), '--catalog', catalogOf(['users'])]);
        const message = assertCleanFailure(run, 1);
        assert.equal(message, `${firstUsersPage(100)} failed after 3 attempts: timed out after 1 s while reading the body (40 bytes received)`);
        recordRow({ group: 'persistent', fault: 'body slower than request_timeout', runs: 1, expected: emu.expected('users').length, emitted: 0, duplicates: 0, outcome: `exit 1: ${message}` });
      } finally {
        await front.close();
      }
    }),
  );
  });

  // ---------------------------------------------------------------------------------------------
  // Rate-limit waits longer than max_rate_limit_wait.

  describe('a rate-limit wait beyond max_rate_limit_wait is a one-line error', { concurrency: 4 }, () => {
    const cases: Array<{ name: string; fault: Omit<FaultRule, 'route'>; source: string; min: number; max: number }> = [
      { name: 'X-RateLimit-Reset 5 s ahead', fault: { kind: '429', waitMs: 5000 }, source: 'X-RateLimit-Reset', min: 4.9, max: 5.3 },
      { name: 'Retry-After: 30 (seconds)', fault: { kind: '429-retry-after', retryAfter: 30 }, source: 'Retry-After', min: 30, max: 30 },
      { name: 'Retry-After as an HTTP-date 30 s ahead', fault: { kind: '429-retry-after', retryAfter: 'http-date', retryAfterSeconds: 30 }, source: 'Retry-After', min: 29.5, max: 31 },
      { name: '"You must wait 30 seconds" body', fault: { kind: '429-body-only', waitMs: 30_000 }, source: 'the 429 body', min: 30, max: 30 },
      { name: '503 with Retry-After: 30', fault: { kind: 'status', status: 503, retryAfter: 30 }, source: 'Retry-After', min: 30, max: 30 },
    ];
    for (const c of cases) {
      test(c.name, { timeout: 20_000 }, () =>
        withEmulator({ data: { users: USERS } }, async (emu) => {
          emu.setFaults([{ route: 'users.list', ...c.fault }]);
          const started = Date.now();
          const run = await runTap(['--config', configFor(emu, 'admin', { max_rate_limit_wait: 2 }), '--catalog', catalogOf(['users'])]);
          assert.ok(Date.now() - started < 5000, 'fails at once instead of waiting');
          const message = assertCleanFailure(run, 1);
          const match = new RegExp(
            `^${escape(firstUsersPage(100))} on ${escape(emu.url)} is rate limited for (\\d+(?:\\.\\d)?) s \\(per ${escape(c.source)}\\), ` +
              'longer than max_rate_limit_wait \\(2 s\\): raise max_rate_limit_wait, or use a bot or admin token, which Rocket\\.Chat does not rate limit$',
          ).exec(message);
          assert.ok(match, message);
          const seconds = Number(match[1]);
          assert.ok(seconds >= c.min && seconds <= c.max, `wait ${seconds} s within ${c.min}..${c.max}`);
          recordRow({ group: 'rate-limit-too-long', fault: c.name, runs: 1, expected: emu.expected('users').length, emitted: recordsOf(run.messages, 'users').length, duplicates: 0, outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}` });
        }),
      );
    }

    test('the real limiter: a spent budget whose window resets after max_rate_limit_wait', { timeout: 20_000 }, () =>
      withEmulator(
        { data: { users: USERS }, rateLimit: { calls: 3, windowMs: 60_000 } },
        async (emu) => {
          const run = await runTap(['--config', configFor(emu, 'user', { max_rate_limit_wait: 2, page_size: 10 }), '--catalog', catalogOf(['users'])]);
          const message = assertCleanFailure(run, 1);
          // The window's remaining time plus the skew pad: up to 60.x s when the budget went fast.
          assert.match(
            message,
            new RegExp(
              `^GET ${escape(USERS_PATH)}\\?offset=\\d+&count=10&sort=\\{"_id":1\\} on ${escape(emu.url)} is rate limited for (5\\d|60)(\\.\\d)? s \\(per X-RateLimit-Reset\\), longer than max_rate_limit_wait \\(2 s\\)`,
            ),
          );
          assert.equal(emu.stats().rateLimited, 0, 'the pacer stopped before the server had to refuse');
          recordRow({ group: 'rate-limit-too-long', fault: 'real limiter, 3 calls / 60 s window', runs: 1, expected: emu.expected('users', 'user').length, emitted: recordsOf(run.messages, 'users').length, duplicates: 0, outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}` });
        },
      ),
    );
  });

  function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }

  // ---------------------------------------------------------------------------------------------
  // Credentials and permissions.

  describe('credentials and permissions', { concurrency: 4 }, () => {
    test('token revoked mid-run: exit 1 with the 401 message, and STATE of the streams finished before', { timeout: 30_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        const others = METADATA_STREAMS.filter((s) => s !== 'users');
        /** Whether stdout so far holds a STATE with a bookmark of every other stream. */
        const othersDone = (stdout: string): boolean =>
          parseMessages(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).some((m) => m.type === 'STATE' && others.every((s) => s in m.value!.bookmarks));
        // Slow users.list down so the other streams finish first: the hook below holds one of the
        // tap's request slots while it waits, and users pages could otherwise fill all of them.
        emu.setFaults([{ route: 'users.list', kind: 'slow', delayMs: 400, nth: [1, 2, 3] }]);
        let tap: SpawnedTap | undefined;
        emu.onRequest('users.list', 4, async (_info, e) => {
          await waitUntil(() => othersDone(tap?.stdoutSoFar() ?? ''), 10_000, 'the STATE of the other streams on stdout');
          e.revokeToken('admin');
        });
        const raw = await withTap(['--config', configFor(emu, 'admin', { page_size: 10 }), '--catalog', metadataStreams()], {}, (t) => {
          tap = t;
          return t.done;
        });
        const run = { ...raw, messages: parseMessages(raw.stdout) };
        const message = assertCleanFailure(run, 1);
        assert.match(message, new RegExp(`^credentials rejected by ${escape(emu.url)} \\(401 on GET ${escape(USERS_PATH)}\\?offset=\\d+&count=10&sort=\\{"_id":1\\}\\): check user_id and token$`));
        const state = lastState(run.messages);
        assert.ok(state, 'a STATE was written');
        assert.deepEqual(Object.keys(state.bookmarks).sort(), [...others].sort());
        assert.equal(state.bookmarks.rooms!.replication_key, '_updatedAt');
        assertExactStreams(run.messages, emu, 'admin', others);
        const users = recordsOf(run.messages, 'users');
        assert.ok(users.length >= 10 && users.length < emu.expected('users').length, `some users (${users.length}) before the 401`);
        assert.equal(new Set(users.map((u) => u._id)).size, users.length, 'no duplicate users');
        assert.ok(!run.messages.some((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'users'));
        recordRow({ group: 'auth', fault: 'token revoked after 4 pages of users.list', runs: 1, expected: emu.expected('users').length, emitted: users.length, duplicates: 0, outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}; STATE of ${others.length} finished streams on stdout` });
      }),
    );

    test('identity without permissions: 403 on users.list names the stream and the permission', { timeout: 20_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        const run = await runTap(['--config', configFor(emu, 'restricted'), '--catalog', catalogOf(['users'])]);
        const message = assertCleanFailure(run, 1);
        assert.equal(
          message,
          `permission denied for stream users: ${firstUsersPage(100)} on ${emu.url} answered 403 ` +
            '(User does not have the permissions required for this action [error-unauthorized]); the user needs the permission view-d-room',
        );
        recordRow({ group: 'auth', fault: '403 (identity restricted), users', runs: 1, expected: 0, emitted: 0, duplicates: 0, outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}` });
      }),
    );

    test('identity without permissions, every stream: channels and users fail, the others finish, one line names both', { timeout: 20_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        const run = await runTap(['--config', configFor(emu, 'restricted')]);
        const message = assertCleanFailure(run, 1);
        const denied = (route: string, permission: string): string =>
          `permission denied: GET /api/v1/${route}?offset=0&count=100&sort={"_id":1} on ${emu.url} answered 403 ` +
          `(User does not have the permissions required for this action [error-unauthorized]); the user needs the permission ${permission}`;
        const n = STREAM_NAMES.length;
        assert.equal(
          message,
          `2 of ${n} streams failed (the other ${n - 2} finished and wrote their STATE): ` +
            `channels: ${denied('channels.list', 'view-c-room or view-joined-room')} | users: ${denied('users.list', 'view-d-room')}`,
        );
        const others = STREAM_NAMES.filter((s) => s !== 'channels' && s !== 'users');
        assert.deepEqual(Object.keys(lastState(run.messages)!.bookmarks).sort(), [...others].sort());
        assertExactStreams(run.messages, emu, 'restricted', others);
      }),
    );

    test('a 403 fault on teams.list names the stream', { timeout: 20_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        emu.setFaults([{ route: 'teams.list', kind: '403' }]);
        const run = await runTap(['--config', configFor(emu)]);
        const message = assertCleanFailure(run, 1);
        assert.equal(
          message,
          `${onlyFailed('teams')}permission denied: GET /api/v1/teams.list?offset=0&count=100&sort={"_id":1} on ${emu.url} answered 403 (User does not have the permissions required for this action [error-unauthorized])`,
        );
        recordRow({ group: 'auth', fault: '403 fault on teams.list', runs: 1, expected: emu.expected('teams').length, emitted: recordsOf(run.messages, 'teams').length, duplicates: 0, outcome: `exit 1: ${message.replace(emu.url, '<endpoint>')}` });
      }),
    );

    test('a 400 rejecting a parameter: exit 1 with the server\'s message', { timeout: 20_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        const body = JSON.stringify({ success: false, error: 'The parameter "sort" is not allowed [error-invalid-params]', errorType: 'error-invalid-params' });
        emu.setFaults([{ route: 'users.list', kind: 'status', status: 400, body, contentType: 'application/json' }]);
        const run = await runTap(['--config', configFor(emu)]);
        const message = assertCleanFailure(run, 1);
        assert.equal(message, `${onlyFailed('users')}${firstUsersPage(100)} answered 400 (bad request): The parameter "sort" is not allowed [error-invalid-params]`);
        assert.equal(emu.stats().byRoute[USERS_PATH]!.requests, 1, 'a 400 is not retried');
        recordRow({ group: 'auth', fault: '400 rejecting a parameter', runs: 1, expected: emu.expected('users').length, emitted: 0, duplicates: 0, outcome: `exit 1: ${message}` });
      }),
    );

    test('success: false with 200 is fatal, naming the request and the server\'s error', { timeout: 20_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        emu.setFaults([{ route: 'users.list', kind: 'success-false-200' }]);
        const run = await runTap(['--config', configFor(emu)]);
        const message = assertCleanFailure(run, 1);
        assert.equal(message, `${onlyFailed('users')}${firstUsersPage(100)} answered 200 with success: false: Something went wrong. [error-unknown]`);
      }),
    );
  });

  // ---------------------------------------------------------------------------------------------
  // Data changing between page requests of users.list.

  interface Churn {
    name: string;
    spec: MutationSpec;
    /** Mutate before every Nth users.list request (after the first). */
    every: number;
    concurrency: number;
  }

  const CHURN: Churn[] = [1, 4].flatMap((concurrency) => [
    { name: `inserts between pages, max_concurrency ${concurrency}`, spec: { insertUsers: 3 }, every: 1, concurrency },
    { name: `deletions between pages, max_concurrency ${concurrency}`, spec: { deleteUsers: 3 }, every: 3, concurrency },
    { name: `inserts and deletions between pages, max_concurrency ${concurrency}`, spec: { insertUsers: 2, deleteUsers: 2 }, every: 1, concurrency },
  ]);

  describe('records inserted and deleted between page requests: each record that existed throughout is emitted exactly once', { concurrency: 4 }, () => {
    for (const c of CHURN) {
      test(c.name, { timeout: 30_000 }, () =>
        withEmulator({ data: { users: USERS } }, async (emu) => {
          const initial = new Set(emu.expected('users').map((u) => u._id as string));
          const inserted = new Set<string>();
          const deleted = new Set<string>();
          emu.onRequest('users.list', 'every', (info, e) => {
            if (info.n === 1 || info.n % c.every !== 0) return;
            const result = e.mutate(c.spec);
            result.users.inserted.forEach((id) => inserted.add(id));
            result.users.deleted.forEach((id) => deleted.add(id));
          });
          const run = await runTap(['--config', configFor(emu, 'admin', { page_size: 10, max_concurrency: c.concurrency }), '--catalog', catalogOf(['users'])]);
          assert.equal(run.code, 0, run.stderr);
          const ids = recordsOf(run.messages, 'users').map((u) => u._id);
          const emitted = new Set(ids);
          const throughout = [...initial].filter((id) => !deleted.has(id));
          const missing = throughout.filter((id) => !emitted.has(id));
          const unknown = [...emitted].filter((id) => !initial.has(id) && !inserted.has(id));
          const duplicates = ids.length - emitted.size;
          recordRow({
            group: 'churn',
            fault: c.name,
            runs: 1,
            expected: throughout.length,
            emitted: ids.length,
            duplicates,
            outcome: missing.length === 0 && duplicates === 0 ? 'exit 0, exact' : `exit ${run.code}, ${missing.length} records that existed throughout were missed`,
            extra: { inserted: inserted.size, deleted: deleted.size },
          });
          assert.ok(inserted.size + deleted.size > 20, 'the data really changed during the read');
          assert.equal(duplicates, 0, 'no record twice');
          assert.deepEqual(unknown, [], 'nothing that never existed');
          assert.deepEqual(missing, [], `${missing.length} of ${throughout.length} records that existed for the whole run were not emitted`);
        }),
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Downstream: slow reader, closed pipe, signals. Sequential: these measure time and memory.

const BIG = 20_000;

/** Sends `signal` and waits for the tap to close: the run, and how long it took to stop. */
async function signalAndWait(tap: SpawnedTap, signal: NodeJS.Signals): Promise<{ run: RawRun; took: number }> {
  const killedAt = performance.now();
  tap.child.kill(signal);
  const run = await tap.done;
  return { run, took: run.closedAt - killedAt };
}

describe('downstream and signals', { concurrency: 1 }, () => {
  test('a stalled reader: the tap stops reading the API and its RSS stays bounded', { timeout: 60_000 }, () =>
    withEmulator({ data: { users: BIG } }, async (emu) => {
      const config = configFor(emu, 'admin', { request_timeout: 10 });
      // Unpaused: the peak RSS of a normal run.
      let freePeak = 0;
      const freeRun = await withTap(['--config', config], {}, async (free) => {
        const sampler = setInterval(() => (freePeak = Math.max(freePeak, free.rssKiB() ?? 0)), 20);
        return free.done.finally(() => clearInterval(sampler));
      });
      assert.equal(freeRun.code, 0, freeRun.stderr);
      emu.clearRequests();

      // Paused for 2.5 s after the first line.
      const slow = spawnTap(['--config', config]);
      try {
        await slow.firstLine;
        slow.child.stdout.pause();
        let pausedPeak = 0;
        for (let i = 0; i < 25; i++) {
          await sleep(100);
          const rss = slow.rssKiB() ?? 0;
          pausedPeak = Math.max(pausedPeak, rss);
          if (i === 9) emu.clearRequests();
        }
        const requestsLate = emu.requests.filter((r) => r.path === USERS_PATH).length;
        slow.child.stdout.resume();
        const slowRun = await slow.done;
        assert.equal(slowRun.code, 0, slowRun.stderr);
        const messages = assertWholeJsonLines(slowRun.stdout);
        assertExactStreams(messages, emu, 'admin', ['users']);
        recordRow({
          group: 'downstream',
          fault: `reader paused 2.5 s (${BIG} users)`,
          runs: 1,
          expected: emu.expected('users').length,
          emitted: recordsOf(messages, 'users').length,
          duplicates: 0,
          outcome: `exit 0; RSS peak ${Math.round(pausedPeak / 1024)} MiB paused vs ${Math.round(freePeak / 1024)} MiB unpaused; ${requestsLate} users.list requests in the last 1.5 s of the pause`,
        });
        assert.ok(requestsLate <= 4, `backpressure: the tap kept reading the API while stalled (${requestsLate} requests)`);
        assert.ok(pausedPeak < freePeak * 1.5 + 32 * 1024, `RSS while paused ${pausedPeak} KiB vs unpaused peak ${freePeak} KiB`);
        assert.ok(pausedPeak < 300 * 1024, `RSS while paused ${pausedPeak} KiB`);
      } finally {
        slow.stop();
      }
    }),
  );

  for (const level of ['info', 'warning']) {
    test(`the reader closes the pipe after one line: exit 141, only a warning (log level ${level})`, { timeout: 30_000 }, () =>
      withEmulator({ data: { users: 20_000 } }, async (emu) => {
        const { first, run } = await withTap(['--config', configFor(emu)], { env: { TAP_ROCKETCHAT_LOGLEVEL: level } }, async (tap) => {
          const line = await tap.firstLine;
          tap.child.stdout.destroy();
          return { first: line, run: await tap.done };
        });
        assert.equal(run.code, 141, run.stderr);
        assert.deepEqual(errorLines(run.stderr), []);
        assert.deepEqual(warningLines(run.stderr), ['downstream closed stdout; stopping']);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
        if (level === 'warning') assert.equal(run.stderr.trim().split('\n').length, 1, `stderr is one line:\n${run.stderr}`);
        else for (const line of run.stderr.trim().split('\n')) assert.match(line, /\| (INFO|WARNING) +\|/);
        assert.equal((JSON.parse(first) as SingerMessage).type, 'STATE');
        recordRow({ group: 'downstream', fault: `reader closes the pipe (log level ${level})`, runs: 1, expected: emu.expected('users').length, emitted: 0, duplicates: 0, outcome: 'exit 141, one warning line' });
      }),
    );
  }

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    test(`${signal} mid-run: exit ${code} within 3 s, stdout whole JSON lines`, { timeout: 30_000 }, () =>
      withEmulator({ data: { users: BIG } }, async (emu) => {
        const { run, took } = await withTap(['--config', configFor(emu)], {}, async (tap) => {
          await waitUntil(whileRunning(tap, () => tap.stdoutSoFar().length > 1_000_000), 20_000, '1 MB of output');
          return signalAndWait(tap, signal);
        });
        assert.equal(run.code, code, run.stderr);
        assert.ok(took < 3000, `stopped ${Math.round(took)} ms after ${signal}`);
        const messages = assertWholeJsonLines(run.stdout);
        const users = recordsOf(messages, 'users');
        assert.equal(new Set(users.map((u) => u._id)).size, users.length, 'no duplicates');
        assert.deepEqual(errorLines(run.stderr), []);
        assert.deepEqual(warningLines(run.stderr), [`stopped by ${signal}; output written so far was flushed`]);
        recordRow({ group: 'downstream', fault: `${signal} mid-run`, runs: 1, expected: emu.expected('users').length, emitted: users.length, duplicates: 0, outcome: `exit ${run.code} after ${Math.round(took)} ms` });
      }),
    );
  }

  /** A signal while the tap waits on the server: it stops at once instead of finishing the wait. */
  const BLOCKED: Array<{ name: string; signal: NodeJS.Signals; code: number; fault: FaultRule; config: Record<string, unknown>; waiting: (emu: Emulator) => boolean; row?: string }> = [
    {
      name: 'SIGTERM during a long rate-limit wait',
      signal: 'SIGTERM',
      code: 143,
      fault: { route: 'users.list', kind: '429', waitMs: 30_000 },
      config: { max_rate_limit_wait: 120 },
      waiting: (emu) => emu.stats().fault429s > 0,
      row: 'SIGTERM during a 30 s rate-limit wait',
    },
    {
      name: 'SIGINT while a request stalls',
      signal: 'SIGINT',
      code: 130,
      fault: { route: 'users.list', kind: 'stall' },
      config: { request_timeout: 60 },
      waiting: (emu) => emu.stats().faultsFired > 0,
    },
  ];
  for (const b of BLOCKED) {
    test(`${b.name}: exit ${b.code} within 3 s`, { timeout: 30_000 }, () =>
      withEmulator({ data: { users: USERS } }, async (emu) => {
        emu.setFaults([b.fault]);
        const { run, took } = await withTap(['--config', configFor(emu, 'admin', b.config)], {}, async (tap) => {
          await waitUntil(whileRunning(tap, () => b.waiting(emu)), 10_000, `the ${b.fault.kind} fault`);
          await sleep(200);
          return signalAndWait(tap, b.signal);
        });
        assert.equal(run.code, b.code, run.stderr);
        assert.ok(took < 3000, `stopped ${Math.round(took)} ms after ${b.signal}`);
        assertWholeJsonLines(run.stdout);
        if (b.row) recordRow({ group: 'downstream', fault: b.row, runs: 1, expected: emu.expected('users').length, emitted: 0, duplicates: 0, outcome: `exit ${run.code} after ${Math.round(took)} ms` });
      }),
    );
  }
});

describe('signals while the reader is stalled', { concurrency: 2 }, () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    test(`${signal} while the reader is stalled: exit ${code} within 3 s`, { timeout: 30_000 }, () =>
      withEmulator({ data: { users: 20_000 } }, async (emu) => {
        const { run, took } = await withTap(['--config', configFor(emu)], {}, async (tap) => {
          await tap.firstLine;
          tap.child.stdout.pause();
          await sleep(1000); // the tap is now blocked on a full pipe
          const resumeLater = setTimeout(() => tap.child.stdout.resume(), 5000);
          return signalAndWait(tap, signal).finally(() => clearTimeout(resumeLater));
        });
        recordRow({ group: 'downstream', fault: `${signal} while the reader is stalled`, runs: 1, expected: emu.expected('users').length, emitted: 0, duplicates: 0, outcome: `exit ${run.code} after ${Math.round(took)} ms` });
        assert.equal(run.code, code, run.stderr);
        assert.ok(took < 3000, `stopped ${Math.round(took)} ms after ${signal} (the reader was resumed after 5 s)`);
      }),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// A large run with a 10 % fault rate over every route and several transient kinds.

/** Kinds drawn at a combined 10 %: rule i fires with p_i so that each kind gets 10 % / n of requests. */
function faultMix(rate: number): FaultRule[] {
  const kinds: Array<Omit<FaultRule, 'route' | 'probability'>> = [
    { kind: 'status', status: 500 },
    { kind: 'status', status: 502, body: 'html' },
    { kind: 'status', status: 503, body: 'empty' },
    { kind: 'status', status: 504 },
    { kind: 'reset-before' },
    { kind: 'reset-mid-body' },
    { kind: 'truncated' },
    { kind: 'truncated-gzip' },
    { kind: 'invalid-json' },
    { kind: 'html-200' },
    { kind: 'missing-key' },
    { kind: 'slow', delayMs: 1000 },
    { kind: '429', waitMs: 500 },
    { kind: '429-body-only', waitMs: 1000 },
  ];
  const each = rate / kinds.length;
  return kinds.map((k, i) => ({ route: '*', probability: each / (1 - each * i), ...k }) as FaultRule);
}

test('large run with a 10 % fault rate over every route completes with exact output', { timeout: 3_600_000 }, () => {
  const users = Number(process.env.TAP_LARGE_RUN_USERS ?? 20_000);
  return withEmulator(
    { data: { users: users }, faultSeed: 20240601 },
    async (emu) => {
      emu.setFaults(faultMix(0.1));
      const seen = new Map<string, Set<string>>(STREAM_NAMES.map((s) => [s, new Set<string>()]));
      let duplicates = 0;
      let badLines = 0;
      const started = performance.now();
      const tap = spawnTap(['--config', configFor(emu, 'admin', { page_size: 100, max_retries: 10, request_timeout: 0.5, max_concurrency: 4 })], {
        keepStdout: false,
        timeoutMs: 3_500_000,
        onLine: (line) => {
          let message: SingerMessage;
          try {
            message = JSON.parse(line) as SingerMessage;
          } catch {
            badLines++;
            return;
          }
          if (message.type !== 'RECORD') return;
          const ids = seen.get(message.stream!)!;
          if (ids.has(message.record!._id)) duplicates++;
          else ids.add(message.record!._id);
        },
      });
      let peakRssKiB = 0;
      const sampler = setInterval(() => (peakRssKiB = Math.max(peakRssKiB, tap.rssKiB() ?? 0)), 200);
      const run = await tap.done.finally(() => {
        clearInterval(sampler);
        tap.stop();
      });
      const wallMs = performance.now() - started;
      assert.equal(run.code, 0, run.stderr.split('\n').filter((l) => !l.includes('METRIC')).slice(-20).join('\n'));
      assert.equal(badLines, 0);
      assert.equal(run.stdout, '', 'the last line ended with a newline');
      const stats = emu.stats();
      let expectedTotal = 0;
      let emittedTotal = 0;
      for (const stream of STREAM_NAMES) {
        const expected = emu.expected(stream).map((d) => d._id as string);
        const got = seen.get(stream)!;
        expectedTotal += expected.length;
        emittedTotal += got.size;
        assert.equal(got.size, expected.length, `${stream}: ${got.size} emitted, ${expected.length} expected`);
        for (const id of expected) assert.ok(got.has(id), `${stream} ${id} missing`);
      }
      assert.equal(duplicates, 0);
      assert.ok(stats.faultsFired > 0);
      const fired = Object.entries(stats.faultsByKind).map(([k, n]) => `${k} ${n}`).join(', ');
      const summary = `exit 0 in ${(wallMs / 1000).toFixed(1)} s; ${stats.requests} requests, ${stats.faultsFired} faults (${fired}); tap peak RSS ${Math.round(peakRssKiB / 1024)} MiB`;
      recordRow({ group: 'large', fault: `10 % mixed faults, ${users} users`, runs: 1, expected: expectedTotal, emitted: emittedTotal + duplicates, duplicates, outcome: summary });
      if (process.env.TAP_LARGE_RUN_USERS) console.log(summary);
    },
  );
});

/**
 * Pure parts of what the tap says about itself: log levels, the line formats Meltano asks for,
 * progress lines with their ETAs (on a fake clock), and the end-of-run summary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.js';
import { formatLine, plainFormat, readLogConfigFile } from '../src/log-format.js';
import { parseLogLevel } from '../src/log.js';
import { duration, etaMs, ProgressReporter } from '../src/progress.js';
import { summaryLines } from '../src/summary.js';
import { createFakeClock } from './support/fake-clock.js';
import { tempDir, writeJson } from './support/run-tap.js';

const EVENT = { time: new Date(Date.UTC(2024, 6, 16, 8, 50, 2, 133)), level: 'error' as const, name: 'tap-rocketchat', message: 'it broke' };

describe('log levels', () => {
  it('accepts the four levels in any case, warn and critical as aliases', () => {
    assert.deepEqual(['DEBUG', 'info', 'Warning', 'warn', 'error', 'CRITICAL'].map((l) => parseLogLevel(l, 'LOGLEVEL')), ['debug', 'info', 'warning', 'warning', 'error', 'error']);
  });
  it('an unknown level is bad input naming the allowed ones', () => {
    assert.throws(() => parseLogLevel('verbose', 'TAP_ROCKETCHAT_LOGLEVEL'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, 'TAP_ROCKETCHAT_LOGLEVEL must be one of debug, info, warning, error (got "verbose")');
      return true;
    });
  });
});

describe('log line formats', () => {
  it('outside Meltano: the Meltano SDK default format', () => {
    assert.equal(formatLine(plainFormat(), EVENT), '2024-07-16 08:50:02,133 | ERROR    | tap-rocketchat       | it broke');
  });

  it("Meltano without structured logging: its '%(message)s' format (Meltano adds the timestamp)", () => {
    const dir = tempDir();
    const path = writeJson(dir, 'sdk.json', {
      version: 1, formatters: { singer_formatter: { format: '%(message)s' } },
      handlers: { console: { class: 'logging.StreamHandler', formatter: 'singer_formatter', stream: 'ext://sys.stderr' } },
      root: { handlers: ['console'], level: 'WARNING' },
    });
    const read = readLogConfigFile(path);
    assert.equal(read.level, 'WARNING');
    assert.equal(formatLine(read.format!, EVENT), 'it broke');
    assert.equal(formatLine({ kind: 'template', template: '%(levelname)-8s|%(name)s: %(message)s 100%%', style: '%' }, EVENT), 'ERROR   |tap-rocketchat: it broke 100%');
  });

  it('Meltano with structured-logging: one JSON object with the fields its singer-sdk parser requires', () => {
    const path = writeJson(tempDir(), 'sdk.json', {
      formatters: { singer_formatter: { '()': 'singer_sdk.logging.StructuredFormatter' } },
      handlers: { console: { formatter: 'singer_formatter' } },
      root: { handlers: ['console'], level: 'INFO' },
    });
    const line = JSON.parse(formatLine(readLogConfigFile(path).format!, EVENT)) as Record<string, unknown>;
    for (const key of ['level', 'pid', 'logger_name', 'ts', 'thread_name', 'app_name', 'message']) assert.ok(key in line, key);
    assert.equal(line.level, 'error');
    assert.equal(line.message, 'it broke');
    assert.equal(line.ts, EVENT.time.getTime() / 1000);
  });

  it('an unreadable logging config: defaults, and a problem to warn about', () => {
    const read = readLogConfigFile(`${tempDir()}/missing.json`);
    assert.equal(read.format, undefined);
    assert.match(read.problem ?? '', /is not a JSON logging config/);
  });
});

describe('progress', () => {
  const setup = (budget?: Parameters<typeof etaMs>[1]) => {
    const clock = createFakeClock();
    const lines: string[] = [];
    const progress = new ProgressReporter({ clock, write: (l) => lines.push(l), budget: () => budget });
    return { clock, lines, progress };
  };

  it('says nothing before 30 s, then one line per active stream, sorted', () => {
    const { clock, lines, progress } = setup();
    progress.start('users');
    progress.start('roles');
    progress.track('users', { unit: 'pages', total: 50, done: 10, records: 1000 });
    clock.advance(29_000);
    progress.maybeReport();
    assert.deepEqual(lines, []);
    clock.advance(1_000);
    progress.track('users', { unit: 'pages', total: 50, done: 12, records: 1200 });
    assert.deepEqual(lines, [
      'progress roles: started 30 s ago, no answer yet',
      // 12 pages in 30 s: 38 more take 95 s at that pace.
      'progress users: 1200 records, 12 of 50 pages, ETA 1 min 35 s',
    ]);
    progress.finish('roles');
    clock.advance(30_000);
    progress.maybeReport();
    assert.equal(lines.length, 3, 'a finished stream is no longer reported');
  });

  it('a rate-limit wait reports at once, but not twice within 5 s', () => {
    const { clock, lines, progress } = setup();
    progress.start('messages');
    progress.track('messages', { unit: 'rooms', total: 40, done: 4, records: 5200 });
    progress.rateLimitWait();
    clock.advance(1_000);
    progress.rateLimitWait();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^progress messages: 5200 records, 4 of 40 rooms/);
    clock.advance(5_000);
    progress.rateLimitWait();
    assert.equal(lines.length, 2);
  });

  it('the ETA of a rate-limited stream comes from its budget: the rest of this window, then whole windows', () => {
    const now = Date.UTC(2024, 6, 16, 8, 0, 0);
    const budget = { limit: 10, remaining: 3, resetAtMs: now + 20_000, windowMs: 60_000 };
    // 25 pages left: 3 in this window, 22 need 3 more windows: the reset in 20 s, then 2 × 60 s.
    assert.equal(etaMs({ unit: 'pages', total: 35, done: 10, records: 1000 }, budget, 5_000, now), 140_000);
    // What fits in this window goes at the stream's pace.
    assert.equal(etaMs({ unit: 'pages', total: 12, done: 10, records: 1000 }, budget, 5_000, now), 1_000);
    assert.equal(etaMs({ unit: 'pages', done: 10, records: 1000 }, budget, 5_000, now), undefined, 'no total, no ETA');
    assert.equal(etaMs({ unit: 'pages', total: 10, done: 10, records: 1000 }, budget, 5_000, now), 0);
    const { clock, lines, progress } = setup({ ...budget, resetAtMs: Date.UTC(2024, 6, 16, 8, 0, 20) });
    progress.start('users');
    progress.track('users', { unit: 'pages', total: 35, done: 10, records: 1000, route: '/api/v1/users.list' });
    progress.rateLimitWait();
    assert.equal(clock.now(), now);
    assert.deepEqual(lines, ['progress users: 1000 records, 10 of 35 pages, ETA 2 min 20 s (rate limited: 3 of 10 calls left in this 1 min window)']);
  });

  it('durations read like a person would say them', () => {
    assert.deepEqual([400, 9_950, 42_000, 270_000, 7_500_000].map(duration), ['0.4 s', '9.9 s', '42 s', '4 min 30 s', '2 h 5 min']);
  });
});

describe('summary', () => {
  const byStream = {
    users: { requests: 21, retries: 2, rateLimited: 1 },
    rooms: { requests: 1, retries: 0, rateLimited: 0 },
    roles: { requests: 1, retries: 0, rateLimited: 0 },
  };

  it('one line per stream and one for the run', () => {
    const lines = summaryLines([
      { stream: 'users', records: 2000, deletions: 0, ms: 1_234 },
      { stream: 'rooms', records: 40, deletions: 2, ms: 100 },
      { stream: 'roles', ms: 300 },
    ], byStream, 1_300);
    assert.deepEqual(lines, [
      'summary roles: did not finish; 1 request, 0 retries, 0 429s; 0.3 s',
      'summary rooms: 40 records, 2 deletions; 1 request, 0 retries, 0 429s; 0.1 s',
      'summary users: 2000 records, 0 deletions; 21 requests, 2 retries, 1 429; 1.2 s',
      'summary: 3 streams, 2040 records, 2 deletions; 23 requests, 2 retries, 1 429; 1.3 s',
    ]);
  });

  it('a run that got nowhere: the total line alone', () => {
    assert.deepEqual(summaryLines([{ stream: 'users', ms: 5 }, { stream: 'roles', ms: 5 }], { users: { requests: 1, retries: 0, rateLimited: 0 } }, 10), [
      'summary: 2 streams, 0 records, 0 deletions; 1 request, 0 retries, 0 429s; 0.0 s',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, parseRateLimit, parseResetValue, parseRetryAfter, parseWaitFromBody } from '../src/retry-timing.js';

const NOW = Date.UTC(2024, 10, 25, 19, 40, 0); // 1732563600000

describe('parseResetValue', () => {
  const cases: Array<[string, string | null | undefined, number | undefined]> = [
    ['Rocket.Chat epoch ms', '1732563642137', 1732563642137],
    ['epoch seconds', '1732563642', 1732563642000],
    ['delta seconds', '42', NOW + 42_000],
    ['delta zero', '0', NOW],
    ['fractional delta', '1.5', NOW + 1500],
    ['padded', ' 1732563642137 ', 1732563642137],
    ['negative', '-5', undefined],
    ['garbage', 'soon', undefined],
    ['empty', '', undefined],
    ['missing', null, undefined],
    ['hex', '0x10', undefined],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => assert.equal(parseResetValue(value, NOW), expected));
  }
});

describe('parseRateLimit', () => {
  const cases: Array<[string, Record<string, string>, ReturnType<typeof parseRateLimit>]> = [
    [
      'Rocket.Chat headers (reset in epoch ms)',
      { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '7', 'X-RateLimit-Reset': '1732563642137' },
      { limit: 10, remaining: 7, resetAtMs: 1732563642137 },
    ],
    [
      'reset in epoch seconds',
      { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1732563642' },
      { limit: 10, remaining: 0, resetAtMs: 1732563642000 },
    ],
    [
      'reset as delta seconds',
      { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '30' },
      { limit: 60, remaining: 59, resetAtMs: NOW + 30_000 },
    ],
    ['no headers (bypass token)', {}, undefined],
    ['reset missing', { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '3' }, undefined],
    ['garbage remaining', { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '5' }, undefined],
    ['negative limit', { 'x-ratelimit-limit': '-1', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '5' }, undefined],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => assert.deepEqual(parseRateLimit(new Headers(headers), NOW), expected));
  }
});

describe('parseRetryAfter', () => {
  const cases: Array<[string, string | null | undefined, number | undefined]> = [
    ['delta seconds', '120', 120_000],
    ['zero', '0', 0],
    ['IMF-fixdate', new Date(NOW + 90_000).toUTCString(), 90_000],
    ['RFC 850 date', 'Monday, 25-Nov-24 19:41:00 GMT', 60_000],
    ['asctime date', 'Mon Nov 25 19:40:30 2024', 30_000],
    ['date in the past', new Date(NOW - 5_000).toUTCString(), 0],
    ['negative', '-5', undefined],
    ['bare year that Date.parse would accept', '2024', 2_024_000],
    ['garbage', 'later', undefined],
    ['garbage that starts like a day', 'Mon garbage', undefined],
    ['empty', '', undefined],
    ['missing', undefined, undefined],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => assert.equal(parseRetryAfter(value, NOW), expected));
  }
});

describe('parseWaitFromBody', () => {
  const body429 = JSON.stringify({
    success: false,
    error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]',
  });
  const cases: Array<[string, string | undefined, number | undefined]> = [
    ['Rocket.Chat 429 body', body429, 42_000],
    ['the error text alone', 'You must wait 1 second before trying this endpoint again.', 1_000],
    ['other case', 'you MUST WAIT 7 SECONDS', 7_000],
    ['no wait in the body', '{"success":false,"error":"Internal server error"}', undefined],
    ['not a number', 'You must wait many seconds', undefined],
    ['empty', '', undefined],
    ['missing', undefined, undefined],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.equal(parseWaitFromBody(text), expected));
  }
});

describe('backoffDelay', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };
  const cases: Array<[string, number, number, number]> = [
    // name, attempt, random, expected
    ['first retry, top of range', 1, 0.999999, 999],
    ['first retry, bottom', 1, 0, 0],
    ['second retry doubles the ceiling', 2, 0.5, 1000],
    ['third retry', 3, 0.5, 2000],
    ['sixth retry: 32 s ceiling', 6, 0.5, 16_000],
    ['capped at maxMs', 7, 0.999999, 59_999],
    ['far attempts stay capped', 200, 0.5, 30_000],
    ['random() out of range is clamped', 1, 7, 1000],
    ['attempt 0 treated as the first', 0, 0.5, 500],
  ];
  for (const [name, attempt, r, expected] of cases) {
    it(name, () => assert.equal(backoffDelay(attempt, opts, () => r), expected));
  }

  it('stays within [0, min(maxMs, base × 2^(n-1))] for random values', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, opts);
        assert.ok(d >= 0 && d <= ceiling, `attempt ${attempt}: ${d} > ${ceiling}`);
      }
    }
  });
});
